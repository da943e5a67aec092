package dev.ferry.core.vfs;

import dev.ferry.core.event.Origin;
import dev.ferry.core.path.VirtualPath;
import dev.ferry.core.s3.S3Location;
import dev.ferry.core.session.SessionSlots;
import dev.ferry.core.user.Permission;
import dev.ferry.core.user.User;
import dev.ferry.core.user.VirtualFolder;
import java.util.List;
import java.util.Optional;

/**
 * Who acts in one session: the user, whose home (a bucket and prefix) is the session's "/" and
 * whose virtual folders ({@code /name}) are other buckets or prefixes with permissions of their
 * own, and the connection they came in on, which events name as the origin of their changes. The
 * one place a client's path becomes an S3 location, and where what a path allows is decided.
 */
final class SessionUser {

  private final User account;
  /** The connection whose changes these are, for events; null until {@link #join} for FTPS. */
  private volatile SessionSlots.Slot session;

  SessionUser(User account, SessionSlots.Slot session) {
    this.account = account;
    this.session = session;
  }

  User account() {
    return account;
  }

  String name() {
    return account.name();
  }

  /** Whether the user may do {@code permission} at {@code path}: by its virtual folder's permissions, else the home's. */
  boolean may(Permission permission, VirtualPath path) {
    Optional<VirtualFolder> folder = folderOf(path);
    return folder.isPresent() ? folder.get().may(permission) : account.may(permission);
  }

  /** The virtual folder {@code path} is in (or is), if any. */
  Optional<VirtualFolder> folderOf(VirtualPath path) {
    if (path.isRoot() || account.folders().isEmpty()) {
      return Optional.empty();
    }
    String first = path.segments().get(0);
    return account.folders().stream().filter(folder -> folder.name().equals(first)).findFirst();
  }

  /**
   * Whether {@code path} is the top of a storage place: the home's root, or a virtual folder's own
   * path. Such a directory always exists, cannot be made, removed or renamed, and lists as empty
   * when nothing is under it.
   */
  boolean isMountRoot(VirtualPath path) {
    return path.isRoot() || (path.segments().size() == 1 && folderOf(path).isPresent());
  }

  /** Whether {@code a} and {@code b} are in the same storage place (the home, or one virtual folder). */
  boolean sameMount(VirtualPath a, VirtualPath b) {
    return folderOf(a).equals(folderOf(b));
  }

  /** The names the root's listing shows as the virtual folders' directories. */
  List<String> folderNames() {
    return account.folders().stream().map(VirtualFolder::name).toList();
  }

  void join(SessionSlots.Slot session) {
    this.session = session;
  }

  /** The connection, or null before FTPS names it. */
  SessionSlots.Slot slot() {
    return session;
  }

  Origin origin() {
    SessionSlots.Slot slot = session;
    return slot == null ? new Origin(Origin.Kind.CLIENT, account.name(), null) : Origin.client(slot.info());
  }

  /** The object key of a file path: under its virtual folder's target, else under the home. */
  S3Location keyOf(VirtualPath path) {
    Optional<VirtualFolder> folder = folderOf(path);
    if (folder.isPresent()) {
      return folder.get().target().resolve(withinFolder(path));
    }
    return account.home().resolve(path.relative());
  }

  /** The key prefix of a directory path: the home or a folder's target for its top, else "dir/" under it. */
  S3Location prefixOf(VirtualPath path) {
    Optional<VirtualFolder> folder = folderOf(path);
    if (folder.isPresent()) {
      String within = withinFolder(path);
      return within.isEmpty() ? folder.get().target() : folder.get().target().resolve(within + "/");
    }
    return path.isRoot() ? account.home() : account.home().resolve(path.relative() + "/");
  }

  /** Whether {@code path} is in the home itself, not in a virtual folder (what the user's quota counts). */
  boolean inHome(VirtualPath path) {
    return folderOf(path).isEmpty();
  }

  private static String withinFolder(VirtualPath path) {
    List<String> segments = path.segments();
    return String.join("/", segments.subList(1, segments.size()));
  }
}
