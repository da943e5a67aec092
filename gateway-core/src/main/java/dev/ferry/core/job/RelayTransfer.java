package dev.ferry.core.job;

import dev.ferry.core.store.ObjectStore;
import java.io.IOException;
import java.util.List;

/**
 * For remotes that cannot reach S3: Ferry reads the object's ranges from S3 in parallel and writes
 * each with SFTP at its offset straight into the assembled file. Needs no tools on the remote.
 */
final class RelayTransfer implements TransferMethod {

  /** Bytes per S3 read and SFTP write sequence; bounds memory to parts × CHUNK. */
  static final int CHUNK = 1 << 20;

  /** Every range is written in place into the one assembled file. */
  @Override
  public long remoteBytesNeeded(long size, int parts) {
    return size;
  }

  @Override
  public void fetch(TransferAttempt attempt) throws IOException, InterruptedException {
    String target = attempt.staging.assembled();
    attempt.remote.create(target).close();
    List<PartRange> parts = PartRange.split(attempt.size, attempt.spec.parts());
    attempt.runParts(parts, part -> {
      try (RemoteFiles.RemoteWriter writer = attempt.remote.openForWrite(target)) {
        long offset = part.first();
        long end = part.first() + part.length();
        while (offset < end) {
          if (Thread.interrupted()) {
            throw new InterruptedException("relay of part " + part.index() + " cancelled");
          }
          int length = (int) Math.min(CHUNK, end - offset);
          byte[] bytes = ObjectStore.await(attempt.store.readRange(attempt.source, offset, length));
          if (bytes.length != length) {
            throw JobException.retryable("S3 returned " + bytes.length + " bytes for range " + offset + "+" + length
                + " of " + attempt.spec.source());
          }
          writer.write(offset, bytes, 0, length);
          offset += length;
          attempt.bytesDone.addAndGet(length);
        }
      }
    });
  }
}
