package dev.ferry.jobs.engine;

import dev.ferry.core.s3.StoreException;
import dev.ferry.jobs.remote.RemoteException;
import java.io.IOException;

/**
 * Which failures are worth another attempt: a lost connection, an unavailable S3 or an object
 * overwritten during the transfer are; a missing object, a refused permission or a wrong host key
 * will not change by trying again.
 */
public final class Failures {

  private Failures() {}

  public static boolean isTransient(Throwable failure) {
    if (failure instanceof JobException job) {
      return job.isTransient();
    }
    if (failure instanceof RemoteException remote) {
      return remote.kind() == RemoteException.Kind.CONNECTION;
    }
    if (failure instanceof StoreException store) {
      // PRECONDITION_FAILED: the object was overwritten mid-transfer; the next attempt sends the new version.
      return store.kind() == StoreException.Kind.UNAVAILABLE || store.kind() == StoreException.Kind.PRECONDITION_FAILED;
    }
    // Resets, EOFs and closed channels from the SSH or HTTP layers.
    return failure instanceof IOException;
  }

  public static String describe(Throwable failure) {
    String message = failure.getMessage();
    return message == null || message.isBlank() ? failure.getClass().getSimpleName() : message;
  }
}
