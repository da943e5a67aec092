package dev.ferry.core.vfs;

import dev.ferry.core.lock.PathBusyException;
import dev.ferry.core.lock.PathLock;
import dev.ferry.core.lock.PathLockTable;
import dev.ferry.core.path.VirtualPath;
import dev.ferry.core.s3.S3Location;
import dev.ferry.core.state.StateStoreException;
import java.nio.file.FileSystemException;

/**
 * The path locks a session takes, each described to the lock table by the operation, the path and
 * the user; a path another change holds is refused as busy.
 */
final class SessionLocks {

  private final SessionUser user;
  private final ClientErrors errors;
  private final PathLockTable locks;

  SessionLocks(SessionUser user, ClientErrors errors, PathLockTable locks) {
    this.user = user;
    this.errors = errors;
    this.locks = locks;
  }

  PathLock lock(VirtualPath path, S3Location key, String operation) throws FileSystemException {
    try {
      return lockOrBusy(path, key, operation);
    } catch (PathBusyException e) {
      throw errors.busy(path, operation);
    }
  }

  private PathLock lockOrBusy(VirtualPath path, S3Location key, String operation)
      throws PathBusyException, FileSystemException {
    try {
      return locks.lockKey(key, operation + " of " + path + " by " + user.name());
    } catch (StateStoreException e) {
      throw errors.storageFailure(path, operation, e);
    }
  }

  /** Locks everything under {@code prefix}. */
  PathLock lockPrefix(VirtualPath path, S3Location prefix, String operation) throws FileSystemException {
    try {
      return locks.lockPrefix(prefix, operation + " of " + path + " by " + user.name());
    } catch (PathBusyException e) {
      throw errors.refused(new FileBusyException(path.toString(), operation + " by " + user.name()
          + ": a file in this directory is busy (being written, deleted or renamed)"));
    } catch (StateStoreException e) {
      throw errors.storageFailure(path, operation, e);
    }
  }
}
