package dev.ferry.core.object;

import dev.ferry.core.event.Origin;
import java.io.IOException;
import java.time.Duration;

/**
 * Who changes an object and how patiently: the origin its event carries, the purpose its path lock
 * and errors name, the client's paths where a session changes it, how long to wait for a busy path
 * lock, and a check run under the lock before S3 is asked (a job's fencing, a session's "is it a
 * file"). Built as {@code ObjectChange.by(origin, purpose).waitingUpTo(...)}.
 */
public record ObjectChange(Origin origin, String purpose, String path, String targetPath, Duration patience,
    UnderLock check, boolean retry) {

  /** Runs while the change holds its path locks, before any S3 request: throwing stops the change. */
  @FunctionalInterface
  public interface UnderLock {
    void check() throws IOException;
  }

  public static ObjectChange by(Origin origin, String purpose) {
    return new ObjectChange(origin, purpose, null, null, Duration.ZERO, () -> { }, false);
  }

  /** The client's path of the object (and of the target of a copy or a move), for its event. */
  public ObjectChange atPaths(String path, String targetPath) {
    return new ObjectChange(origin, purpose, path, targetPath, patience, check, retry);
  }

  /** Waits up to {@code wait} for a path lock a client's transfer holds (often a last command, done in milliseconds). */
  public ObjectChange waitingUpTo(Duration wait) {
    return new ObjectChange(origin, purpose, path, targetPath, wait, check, retry);
  }

  public ObjectChange checking(UnderLock underLock) {
    return new ObjectChange(origin, purpose, path, targetPath, patience, underLock, retry);
  }

  /**
   * The change may have been made already by an attempt that stopped before recording it (a job
   * tried again): a move whose source is gone and whose target is there is then done.
   */
  public ObjectChange retried() {
    return new ObjectChange(origin, purpose, path, targetPath, patience, check, true);
  }
}
