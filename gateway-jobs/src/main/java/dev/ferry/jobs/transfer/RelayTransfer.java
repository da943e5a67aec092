package dev.ferry.jobs.transfer;

import static dev.ferry.jobs.remote.ShellQuote.quote;

import dev.ferry.core.memory.ChunkPool;
import dev.ferry.core.object.ObjectOperations;
import dev.ferry.core.s3.RangeBytes;
import dev.ferry.core.vfs.ChecksumAlgorithm;
import dev.ferry.jobs.engine.JobException;
import dev.ferry.jobs.remote.RemoteEntry;
import dev.ferry.jobs.remote.RemoteFiles;
import dev.ferry.jobs.remote.RemoteSession;
import dev.ferry.jobs.remote.RemoteShell;
import dev.ferry.jobs.remote.Sha256Sum;
import java.io.IOException;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * For remotes that cannot reach S3: Ferry reads the object's ranges from S3 in parallel and writes
 * each with SFTP at its offset straight into the staging file. Needs no tools on the remote to
 * deliver. Before each chunk the node checks it still holds the job: a woken writer of a claim a
 * newer one adopted writes nothing.
 *
 * <p>What a later attempt checks a finished range by depends on what checks the whole file. Where
 * Ferry knows the object's SHA-256, the whole file is hashed against it before it is put in place
 * (see {@link FollowingHash}): a range is kept while the staging file still reaches past it, as a
 * direct part is, and a spoiled one fails the whole file, which forgets every part (an attempt
 * more, never a wrong file). Where it does not, the range's own SHA-256 is the only check there is:
 * Ferry hashes it as it writes (with SHA-NI, about half a CPU second per GiB, 10 % of a relay's
 * CPU), and a later attempt keeps it only where the remote can hash it ({@code tail}, {@code head},
 * and openssl or {@code sha256sum}) to the same.
 */
final class RelayTransfer implements TransferMethod {

  private static final Logger log = LoggerFactory.getLogger(RelayTransfer.class);

  /** Each range is read into these and given back once written (see {@link ChunkPool} why). */
  private final ChunkPool chunks;

  RelayTransfer(ChunkPool chunks) {
    this.chunks = chunks;
  }

  /**
   * What one job's relay holds in memory at most: each part running holds two ranged reads (one
   * being written, one read ahead), so a part's read is this divided by twice the parts at once, between
   * {@link #MIN_CHUNK} and {@link #MAX_CHUNK}.
   */
  static final int JOB_MEMORY = 32 << 20;
  static final int MIN_CHUNK = 1 << 20;
  /**
   * Core's downloads' range size: warm, one part moved 1 GiB at 132 MB/s with 1 MiB reads and at
   * 172 with 4 MiB (bench-jobs.sh, medians of 3): each ranged GET costs S3 and the SDK a request's
   * work, and the part's writer waits for the read less often.
   */
  static final int MAX_CHUNK = 4 << 20;

  /** The size of a part's ranged reads when a job runs {@code parts} parts at once. */
  static int chunkFor(int parts) {
    return Math.max(MIN_CHUNK, Math.min(MAX_CHUNK, JOB_MEMORY / (2 * Math.max(1, parts))));
  }

  /**
   * Rounds of parts ({@link PartRange#inRounds}): a part costs the relay an SFTP open and its ranged
   * reads, which it makes anyway, and in rounds the remote's hash follows the file as it fills.
   */
  @Override
  public List<PartRange> parts(long size, int atOnce) {
    return PartRange.inRounds(size, atOnce);
  }

  /** Every range is written in place into the one staging file. */
  @Override
  public long remoteBytesNeeded(long size, int parts) {
    return size;
  }

  /** The ranges all live in the one staging file. */
  @Override
  public Set<String> filesHolding(RemoteStaging staging, List<KeptParts.Part> kept) {
    return kept.isEmpty() ? Set.of() : Set.of(staging.name());
  }

  /**
   * A range recorded without a hash: the staging file still reaches past it. A range recorded with
   * its hash: its bytes hashed on the remote (GNU tail seeks to it in a regular file; head stops at
   * its end) against what Ferry wrote, false also where the remote has no such tools.
   */
  @Override
  public boolean stillHolds(RemoteSession remote, RemoteStaging staging, KeptParts.Part part, long offset,
      Duration timeout) throws IOException {
    if (part.sha256() == null) {
      Optional<RemoteEntry> file = remote.stat(staging.file());
      boolean covers = TransferMethod.reaches(file, offset + part.length());
      if (!covers) {
        log.info("part {} in {} is not kept: the staging file {}", part.index(), staging.folder(),
            file.map(f -> "has " + f.size() + " bytes").orElse("is gone"));
      }
      return covers;
    }
    RemoteShell.ExecResult result = remote.exec("tail -c +" + (offset + 1) + " < " + quote(staging.file())
        + " | head -c " + part.length() + " | " + Sha256Sum.OF_STDIN, timeout);
    String actual = result.ok() ? Sha256Sum.in(result.stdout()) : null;
    if (!part.sha256().equals(actual)) {
      log.info("part {} in {} is not kept: Ferry wrote SHA-256 {}, the remote has {}", part.index(), staging.folder(),
          part.sha256(), actual != null ? actual : "none (exit " + result.exitStatus() + " " + result.stderr().strip()
          + ")");
      return false;
    }
    return true;
  }

  @Override
  public void fetch(TransferAttempt attempt, List<PartRange> parts) throws IOException, InterruptedException {
    String target = attempt.staging.file();
    // An adopted file holds the kept ranges: it is written into, never truncated.
    if (attempt.ledger.keepsNone()) {
      attempt.remote.create(target).close();
    }
    int chunk = chunkFor(Math.min(attempt.partsAtOnce(), parts.size()));
    attempt.runParts(attempt.toFetch(parts), part -> {
      // The whole file's check covers the range where Ferry knows the object's SHA-256.
      MessageDigest sha256 = attempt.sha256 == null ? ChecksumAlgorithm.SHA_256.newDigest() : null;
      try (RemoteFiles.RemoteWriter writer = attempt.remote.openForWrite(target)) {
        long offset = part.first();
        long end = part.first() + part.length();
        // One chunk read ahead: S3 fetches the next while the remote takes this one.
        CompletableFuture<RangeBytes> next = read(attempt, offset, end, chunk, chunks);
        while (offset < end) {
          if (Thread.interrupted()) {
            next.cancel(true);
            throw new InterruptedException("relay of part " + part.index() + " cancelled");
          }
          int length = length(offset, end, chunk);
          RangeBytes bytes = ObjectOperations.await(next);
          if (bytes.length() != length) {
            throw JobException.retryable("S3 returned " + bytes.length() + " bytes for range " + offset + "+" + length
                + " of " + attempt.spec.source());
          }
          next = read(attempt, offset + length, end, chunk, chunks);
          attempt.ensureHoldsClaim();
          long rangeStart = offset;
          long[] written = {0};
          bytes.writeTo((array, from, n) -> {
            writer.write(rangeStart + written[0], array, from, n); // copied into the writer's SFTP buffer
            if (sha256 != null) {
              sha256.update(array, from, n);
            }
            written[0] += n;
            attempt.bytesDone.addAndGet(n);
          });
          bytes.release(); // every byte is in the writer's SFTP buffers
          offset += length;
        }
      }
      // The writer's close waited for the remote's acknowledgement of every write.
      attempt.keep(new KeptParts.Part(part.index(), part.length(),
          sha256 == null ? null : HexFormat.of().formatHex(sha256.digest()), null));
    });
  }

  private static int length(long offset, long end, int chunk) {
    return (int) Math.min(chunk, end - offset);
  }

  private static CompletableFuture<RangeBytes> read(TransferAttempt attempt, long offset, long end, int chunk,
      ChunkPool chunks) {
    return offset >= end ? CompletableFuture.completedFuture(RangeBytes.EMPTY)
        : attempt.objects.readRange(attempt.source, offset, length(offset, end, chunk), attempt.etag, chunks);
  }
}
