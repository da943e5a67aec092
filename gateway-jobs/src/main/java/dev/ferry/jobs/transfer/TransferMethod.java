package dev.ferry.jobs.transfer;

import dev.ferry.core.memory.ChunkPool;
import dev.ferry.jobs.remote.RemoteEntry;
import dev.ferry.jobs.remote.RemoteSession;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Gets the object's bytes into the staging folder's file on the remote. */
interface TransferMethod {

  /**
   * Fetches the parts of {@code parts} (every part of the object) not kept yet ({@link
   * TransferAttempt#toFetch}) with {@link TransferAttempt#runParts}, recording each as it is verified
   * on the remote ({@link TransferAttempt#keep}), and leaves the whole staging file.
   */
  void fetch(TransferAttempt attempt, List<PartRange> parts) throws IOException, InterruptedException;

  /** The parts an object of {@code size} bytes is fetched in, {@code atOnce} of them at a time. */
  List<PartRange> parts(long size, int atOnce);

  /** The files of the staging folder that hold the bytes of {@code kept}, or their records. */
  Set<String> filesHolding(RemoteStaging staging, List<KeptParts.Part> kept);

  /**
   * Whether {@code part}, starting at byte {@code offset} of the object, is still on the remote as
   * it was recorded: checked before a later attempt keeps it.
   */
  boolean stillHolds(RemoteSession remote, RemoteStaging staging, KeptParts.Part part, long offset, Duration timeout)
      throws IOException;

  /**
   * Whether {@code file}, the staging file as the remote stats it (empty: gone), is a regular file
   * that reaches {@code end}, the byte after a kept part: the least any kept part needs.
   */
  static boolean reaches(Optional<RemoteEntry> file, long end) {
    return file.isPresent() && file.get().type() == RemoteEntry.Type.FILE && file.get().size() >= end;
  }

  /**
   * Stops what an attempt (an earlier one, or another node's) may have left running on the remote
   * on files under {@code folder}, best effort, before the folder is removed: nothing for methods
   * that run nothing there.
   */
  default void stopLeftovers(RemoteSession remote, String folder) {}

  /** The most the staging folder holds at once for an object of {@code size} in {@code parts}. */
  long remoteBytesNeeded(long size, int parts);

  /** {@code relayChunks}: where a relay's ranges are read into (see {@link RelayTransfer}). */
  static TransferMethod of(TransferMode mode, ChunkPool relayChunks) {
    return mode == TransferMode.RELAY ? new RelayTransfer(relayChunks) : new DirectTransfer();
  }
}
