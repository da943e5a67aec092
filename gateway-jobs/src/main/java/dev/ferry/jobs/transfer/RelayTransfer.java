package dev.ferry.jobs.transfer;

import dev.ferry.core.object.ObjectOperations;
import dev.ferry.core.s3.RangeBytes;
import dev.ferry.jobs.engine.JobException;
import dev.ferry.jobs.remote.RemoteFiles;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * For remotes that cannot reach S3: Ferry reads the object's ranges from S3 in parallel and writes
 * each with SFTP at its offset straight into the assembled file. Needs no tools on the remote.
 */
final class RelayTransfer implements TransferMethod {

  /** Bytes per S3 read; memory is bounded to parts × 2 × CHUNK (one being written, one read ahead). */
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
        // One chunk read ahead: S3 fetches the next while the remote takes this one.
        CompletableFuture<RangeBytes> next = read(attempt, offset, end);
        while (offset < end) {
          if (Thread.interrupted()) {
            next.cancel(true);
            throw new InterruptedException("relay of part " + part.index() + " cancelled");
          }
          int length = chunk(offset, end);
          RangeBytes bytes = ObjectOperations.await(next);
          if (bytes.length() != length) {
            throw JobException.retryable("S3 returned " + bytes.length() + " bytes for range " + offset + "+" + length
                + " of " + attempt.spec.source());
          }
          next = read(attempt, offset + length, end);
          for (byte[] chunk : bytes.chunks()) {
            writer.write(offset, chunk, 0, chunk.length);
            offset += chunk.length;
            attempt.bytesDone.addAndGet(chunk.length);
          }
        }
      }
    });
  }

  private static int chunk(long offset, long end) {
    return (int) Math.min(CHUNK, end - offset);
  }

  private static CompletableFuture<RangeBytes> read(TransferAttempt attempt, long offset, long end) {
    return offset >= end ? CompletableFuture.completedFuture(RangeBytes.EMPTY)
        : attempt.objects.readRange(attempt.source, offset, chunk(offset, end), attempt.etag);
  }
}
