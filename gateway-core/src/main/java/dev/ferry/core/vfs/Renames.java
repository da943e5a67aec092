package dev.ferry.core.vfs;

import dev.ferry.core.event.EventBus;
import dev.ferry.core.lock.PathLock;
import dev.ferry.core.object.ObjectBusyException;
import dev.ferry.core.object.ObjectChange;
import dev.ferry.core.object.ObjectOperations;
import dev.ferry.core.path.VirtualPath;
import dev.ferry.core.s3.ObjectInfo;
import dev.ferry.core.s3.S3Location;
import dev.ferry.core.s3.StoreException;
import dev.ferry.core.store.ListingCache;
import dev.ferry.core.user.Permission;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A session's renames: a file moves through {@link ObjectOperations#move}, a directory's objects
 * through {@link TreeRename}, under the locks of both paths.
 */
final class Renames {

  private final SessionUser user;
  private final ClientErrors errors;
  private final SessionLocks locks;
  private final PathLookup lookup;
  private final ObjectOperations objects;
  private final TreeRename treeRename;
  private final ListingCache listings;
  private final EventBus events;
  /** A file a rename replaces gives its bytes back to the user's quota. */
  private final SessionQuota quota;

  Renames(SessionUser user, ClientErrors errors, SessionLocks locks, PathLookup lookup, ObjectOperations objects,
      TreeRename treeRename, ListingCache listings, EventBus events, SessionQuota quota) {
    this.user = user;
    this.errors = errors;
    this.locks = locks;
    this.lookup = lookup;
    this.objects = objects;
    this.treeRename = treeRename;
    this.listings = listings;
    this.events = events;
    this.quota = quota;
  }

  void rename(VirtualPath from, VirtualPath to, boolean replace) throws IOException {
    errors.require(Permission.RENAME, from, "rename");
    Optional<ObjectInfo> sourceFile = user.isMountRoot(from) ? Optional.empty() : lookup.fileInfo(from, "rename");
    // Neither a file nor a folder in S3: only a folder emptied here is something to rename.
    boolean absentFromS3 = sourceFile.isEmpty() && !user.isMountRoot(from)
        && lookup.findDirectory(from, "rename").isEmpty();
    if (absentFromS3 && lookup.emptiedHere(from).isEmpty()) {
      throw new NoSuchFileException(from.toString(), null, "rename by " + user.name() + ": no such file or directory");
    }
    if (from.equals(to)) {
      return;
    }
    if (user.isMountRoot(from) || user.isMountRoot(to)) {
      throw new AccessDeniedException(from.toString(), to.toString(), "rename by " + user.name() + ": cannot rename "
          + (from.isRoot() || to.isRoot() ? "the home directory" : "a virtual folder"));
    }
    if (!user.sameMount(from, to)) {
      // Out of one storage place into another: the target's own permission to write is needed too.
      errors.require(Permission.WRITE, to, "rename into " + to.parent());
    }
    if (!to.parent().equals(from.parent())) { // else the source just found shows the parent is there
      lookup.requireParentDirectory(to, "rename");
    }
    if (sourceFile.isEmpty()) {
      if (to.startsWith(from)) {
        throw new FileSystemException(from.toString(), to.toString(), "rename by " + user.name() + ": cannot move a directory into itself");
      }
      if (absentFromS3) { // a folder emptied here (checked above)
        renameEmptiedFolder(from, to);
        return;
      }
      S3Location fromPrefix = user.prefixOf(from);
      S3Location toPrefix = user.prefixOf(to);
      try (PathLock a = locks.lockPrefix(from, fromPrefix, "rename");
          PathLock b = locks.lockPrefix(to, toPrefix, "rename")) {
        if (lookup.probe(to, "rename").exists()) {
          throw new FileAlreadyExistsException(to.toString(), null, "rename by " + user.name() + ": target already exists");
        }
        requirePathsFit(from, to, treeRename.longestRelativeKeyBytes(fromPrefix));
        listings.forgetTree(fromPrefix);
        listings.forgetTree(toPrefix);
        treeRename.move(fromPrefix, toPrefix);
        listings.forgetTree(fromPrefix); // the keys moved one by one: what was listed meanwhile goes too
        listings.forgetTree(toPrefix);
      } catch (StoreException e) {
        throw errors.storageFailure(from, "rename", e);
      }
      events.rename(user.origin(), from.toString(), fromPrefix, to.toString(), toPrefix);
      return;
    }
    S3Location fromKey = user.keyOf(from);
    S3Location toKey = user.keyOf(to);
    AtomicReference<Optional<ObjectInfo>> replaced = new AtomicReference<>(Optional.empty());
    ObjectChange change = ObjectChange.by(user.origin(), "rename of " + from + " to " + to + " by " + user.name())
        .atPaths(from.toString(), to.toString())
        .checking(() -> {
          // A rename that replaces what is there may take the target from the folder seen a moment
          // ago: what it could miss (another S3 client's file written since) it would replace anyway.
          // One that must not replace asks S3, so as not to overwrite such a file.
          NameProbe.Found target = replace ? lookup.probeKnown(to, "rename") : lookup.probe(to, "rename");
          replaced.set(target.exists() && quota.counts(to) ? target.file() : Optional.empty());
          if (target.exists()) {
            if (target.kind() == NameProbe.Kind.DIRECTORY) {
              throw new FileAlreadyExistsException(to.toString(), null, "rename by " + user.name() + ": target is a directory");
            }
            if (!replace) {
              throw new FileAlreadyExistsException(to.toString(), null, "rename by " + user.name()
                  + ": target exists and this rename does not replace files");
            }
            errors.require(Permission.OVERWRITE, to, "rename over an existing file");
          }
        });
    try {
      objects.move(fromKey, sourceFile.get(), toKey, change);
      quota.removed(to, replaced.get());
      quota.moved(sourceFile.get(), from, to);
    } catch (ObjectBusyException e) {
      throw errors.busy(e.object().equals(toKey) ? to : from, "rename");
    } catch (StoreException e) {
      throw errors.storageFailure(from, "rename", e);
    }
  }

  /**
   * A folder emptied here has nothing in S3 to move ({@link PathLookup#emptiedHere}): as on a disk,
   * the target becomes an empty folder (its marker, which lasts) and the source is gone.
   */
  private void renameEmptiedFolder(VirtualPath from, VirtualPath to) throws IOException {
    S3Location fromPrefix = user.prefixOf(from);
    S3Location toPrefix = user.prefixOf(to);
    ObjectChange change = ObjectChange.by(user.origin(), "rename of " + from + " to " + to + " by " + user.name())
        .atPaths(to.toString(), from.toString())
        .checking(() -> {
          if (lookup.probe(to, "rename").exists()) {
            throw new FileAlreadyExistsException(to.toString(), null, "rename by " + user.name() + ": target already exists");
          }
        });
    try {
      objects.createDirectory(toPrefix, change);
    } catch (ObjectBusyException e) {
      throw errors.busy(to, "rename");
    } catch (StoreException e) {
      throw errors.storageFailure(from, "rename", e);
    }
    listings.emptiedFolderRemoved(fromPrefix);
    events.rename(user.origin(), from.toString(), fromPrefix, to.toString(), toPrefix);
  }

  /**
   * Every path the moved tree would have must be one Ferry accepts: checked before anything moves,
   * or a rename could make files that no client, Ferry included, can then name.
   */
  private void requirePathsFit(VirtualPath from, VirtualPath to, int longestRelativeBytes) throws IOException {
    int longest = to.toString().getBytes(StandardCharsets.UTF_8).length + 1 + longestRelativeBytes;
    if (longestRelativeBytes > 0 && longest > VirtualPath.MAX_PATH_BYTES) {
      throw new FileSystemException(from.toString(), to.toString(), "rename by " + user.name() + ": the longest path"
          + " in the moved directory would be " + longest + " bytes, more than " + VirtualPath.MAX_PATH_BYTES);
    }
  }
}
