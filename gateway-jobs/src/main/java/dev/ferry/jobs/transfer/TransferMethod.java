package dev.ferry.jobs.transfer;

import dev.ferry.jobs.remote.RemoteSession;
import java.io.IOException;

/** Gets the object's bytes into the staging folder's assembled file on the remote. */
interface TransferMethod {

  void fetch(TransferAttempt attempt) throws IOException, InterruptedException;

  /**
   * Stops what an attempt (an earlier one, or another node's) may have left running on the remote
   * on files under {@code folder}, best effort, before the folder is removed: nothing for methods
   * that run nothing there.
   */
  default void stopLeftovers(RemoteSession remote, String folder) {}

  /** The most the staging folder holds at once for an object of {@code size} in {@code parts}. */
  long remoteBytesNeeded(long size, int parts);

  static TransferMethod of(TransferMode mode) {
    return mode == TransferMode.RELAY ? new RelayTransfer() : new DirectTransfer();
  }
}
