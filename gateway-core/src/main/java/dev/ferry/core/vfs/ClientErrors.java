package dev.ferry.core.vfs;

import dev.ferry.core.event.EventBus;
import dev.ferry.core.event.FileEvent;
import dev.ferry.core.path.VirtualPath;
import dev.ferry.core.s3.StoreException;
import dev.ferry.core.store.ObjectStore;
import dev.ferry.core.user.Permission;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.util.concurrent.CompletableFuture;

/**
 * The exceptions a session's client is told of, each naming the path, the operation and the user,
 * for both front-ends; a refusal or a failure among them is published here as an event too.
 */
final class ClientErrors {

  private final SessionUser user;
  private final EventBus events;

  ClientErrors(SessionUser user, EventBus events) {
    this.user = user;
    this.events = events;
  }

  void require(Permission permission, VirtualPath path, String operation) throws AccessDeniedException {
    if (!user.may(permission, path)) {
      throw refused(new AccessDeniedException(path.toString(), null, operation + " by " + user.name()
          + ": permission '" + permission.label() + "' not granted"));
    }
  }

  /**
   * The one place a refusal the client is told of (a permission, a busy path, a bad path) becomes a
   * REFUSED event (the activity log's ERROR line), for both front-ends; returns it to be thrown.
   */
  <E extends FileSystemException> E refused(E refusal) {
    events.file(FileEvent.Type.REFUSED, user.origin(), refusal.getFile(), null, refusal.getReason());
    return refusal;
  }

  /** As {@link #refused}, for a failure of S3 or of the state store's locks: a FAILED event. */
  private <E extends FileSystemException> E failed(E failure) {
    events.file(FileEvent.Type.FAILED, user.origin(), failure.getFile(), null, failure.getReason());
    return failure;
  }

  FileSystemException busy(VirtualPath path, String operation) {
    return refused(new FileBusyException(path.toString(), operation + " by " + user.name() + ": file is busy "
        + "(another transfer, delete or rename of it is in progress)"));
  }

  IsADirectoryException isADirectory(VirtualPath path, String operation) {
    return new IsADirectoryException(path.toString(), operation + " by " + user.name() + ": is a directory");
  }

  /** What S3 answers to {@code future}; a failure becomes the client's error. */
  <T> T call(CompletableFuture<T> future, VirtualPath path, String operation)
      throws FileSystemException {
    try {
      return ObjectStore.await(future);
    } catch (StoreException e) {
      throw storageFailure(path, operation, e);
    } catch (IOException e) {
      throw storageFailure(path, operation, e);
    }
  }

  /** The catalog or the state store's locks failed: the client is told, and a FAILED event says so. */
  StorageFailureException storageFailure(VirtualPath path, String operation, Exception e) {
    return failed(new StorageFailureException(path.toString(), operation + " by " + user.name() + ": "
        + e.getMessage(), e));
  }

  FileSystemException storageFailure(VirtualPath path, String operation, StoreException e) {
    String reason = operation + " by " + user.name() + ": ";
    return switch (e.kind()) {
      case NOT_FOUND -> new NoSuchFileException(path.toString(), null, reason + "no such file");
      case ACCESS_DENIED -> failed(new AccessDeniedException(path.toString(), null, reason + "storage denied access"));
      default -> failed(new StorageFailureException(path.toString(), reason + "storage error: " + e.getMessage(), e));
    };
  }
}
