package dev.ferry.core.vfs;

import dev.ferry.core.event.Origin;
import dev.ferry.core.path.VirtualPath;
import dev.ferry.core.s3.S3Location;
import dev.ferry.core.session.SessionSlots;
import dev.ferry.core.user.Permission;
import dev.ferry.core.user.User;

/**
 * Who acts in one session: the user, whose home (a bucket and prefix) is the session's "/", and the
 * connection they came in on, which events name as the origin of their changes.
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

  boolean may(Permission permission) {
    return account.may(permission);
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

  /** The object key of a file path. */
  S3Location keyOf(VirtualPath path) {
    return account.home().resolve(path.relative());
  }

  /** The key prefix of a directory path: "" under the home for the root, else "dir/". */
  S3Location prefixOf(VirtualPath path) {
    return path.isRoot() ? account.home() : account.home().resolve(path.relative() + "/");
  }
}
