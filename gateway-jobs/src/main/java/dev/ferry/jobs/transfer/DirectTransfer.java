package dev.ferry.jobs.transfer;

import static dev.ferry.jobs.remote.ShellQuote.quote;

import dev.ferry.jobs.engine.JobException;
import dev.ferry.jobs.remote.RemoteSession;
import dev.ferry.jobs.remote.RemoteShell;
import dev.ferry.jobs.remote.RemoteEntry;
import dev.ferry.jobs.remote.ShellQuote;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.net.URI;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The seed's way, without its assembly: the remote fetches the object straight from S3 with a
 * presigned URL, one {@code curl} per byte range, each on its own exec channel, and each writes its
 * range in place into the one staging file (the shell opens the file without truncating it and
 * {@code dd} moves the shared offset to the range's start). No object byte passes through Ferry,
 * and none is copied again on the remote: the seed's {@code cat} of the part files read and wrote
 * the object a second time (0.7 s for 768 MiB in this machine's page cache; for an object of hundreds
 * of GiB, minutes of disk) and needed room for the object plus a part.
 *
 * <p>A part is recorded as done once its curl exited 0 (all the Content-Length bytes written) with a
 * 206 for exactly its range, pinned to the recorded ETag. A later attempt keeps it while the part's
 * header file still has the modification time recorded then and the staging file still reaches past
 * the range. The part's bytes themselves are not hashed: that would cost the remote a second read of
 * the object on every transfer. The whole file's SHA-256 is checked before it is put in place, and a
 * file that fails it forgets every part, so a kept range that was spoiled costs one attempt, never a
 * wrong file.
 */
final class DirectTransfer implements TransferMethod {

  private static final Logger log = LoggerFactory.getLogger(DirectTransfer.class);
  /** A part's header file is its part file's name with this after it. */
  private static final String HEADERS = ".headers";

  @Override
  public void fetch(TransferAttempt attempt, List<PartRange> parts) throws IOException, InterruptedException {
    RemoteStaging staging = attempt.staging;
    if (attempt.size == 0) {
      run(attempt, ": > " + quote(staging.file()), "create empty " + staging.file());
      return;
    }
    URI url = attempt.objects.presignGet(attempt.source, attempt.settings.presignValidity());
    attempt.runParts(attempt.toFetch(parts), part -> {
      attempt.ensureHoldsClaim();
      String headers = headersFile(staging, part.index());
      RemoteShell.ExecResult result = attempt.remote.execHungUpOnClose(fetchCommand(staging, part, attempt.etag, url),
          attempt.settings.commandTimeout());
      if (!result.ok()) {
        throw curlFailure(attempt, part, result);
      }
      String answer = new String(attempt.remote.readStart(headers, 64 << 10), StandardCharsets.ISO_8859_1);
      String problem = rangeProblem(answer, part, attempt.size);
      if (problem != null) {
        throw JobException.permanent("part " + part.index() + " of " + attempt.spec.source() + " on "
            + attempt.spec.host() + ": " + problem + "; the transfer needs an S3 server that answers ranged GETs"
            + " (or one part)");
      }
      attempt.bytesDone.addAndGet(part.length());
      Optional<RemoteEntry> record = attempt.remote.stat(headers);
      if (record.isPresent()) {
        attempt.keep(new KeptParts.Part(part.index(), part.length(), null, record.get().modified().toString()));
      }
    });
  }

  /**
   * One part's fetch as a remote shell command: the staging file opened read-write on standard output
   * (created, never truncated), {@code dd} seeks that shared offset to the part's first byte, and curl
   * writes the range's body from there. curl's arguments name the part's header file, so a leftover
   * curl is found by the staging folder in its command line ({@link #stopLeftovers}). If-Match pins
   * the range to the version the attempt started with (412 on an overwrite).
   */
  static String fetchCommand(RemoteStaging staging, PartRange part, String etag, URI url) {
    return "{ dd bs=1 seek=" + part.first() + " count=0 </dev/null 2>/dev/null && curl -sS -f -D "
        + quote(headersFile(staging, part.index())) + " -r " + part.first() + "-" + part.last()
        + (etag == null ? "" : " -H " + quote("If-Match: " + etag)) + " " + quote(url.toString()) + "; } 1<>"
        + quote(staging.file());
  }

  static String headersFile(RemoteStaging staging, int index) {
    return staging.partFile(index) + HEADERS;
  }

  /**
   * Why the response whose headers curl wrote is not the part's bytes, or null when it is: the last
   * status must be 206 with a Content-Range of exactly the part, or 200 where the part is the whole
   * object (a server that ignores Range sends the whole object, which would land over the other
   * parts' ranges).
   */
  static String rangeProblem(String headers, PartRange part, long size) {
    int status = -1;
    String range = null;
    for (String line : headers.split("\r?\n")) {
      if (line.startsWith("HTTP/")) {
        String[] words = line.split(" ");
        status = words.length > 1 && words[1].matches("\\d{3}") ? Integer.parseInt(words[1]) : -1;
        range = null;
      } else if (line.regionMatches(true, 0, "Content-Range:", 0, 14)) {
        range = line.substring(14).trim();
      }
    }
    String expected = "bytes " + part.first() + "-" + part.last() + "/" + size;
    if (status == 206 && expected.equals(range)) {
      return null;
    }
    if (status == 200 && part.first() == 0 && part.length() == size) {
      return null;
    }
    return "S3 answered the range " + part.first() + "-" + part.last() + " with status " + status
        + (range == null ? " and no Content-Range" : " and Content-Range '" + range + "'") + ", not 206 '"
        + expected + "'";
  }

  /**
   * One round: as many parts as run at once. Each part is a curl on its own exec channel with its
   * own connection to S3 (on a remote far from S3, several round trips and a slow start each).
   * Cutting 1 GiB into 32 parts (8 rounds of 4, as a relay does) so the remote's hash could follow
   * the file made the fetch 0.3 to 0.5 s slower here, more than the hash it let overlap saved, and
   * a hash that follows one round's parts reads the whole file after the fetch anyway, through
   * {@code dd} and a pipe: 0.3 s per GiB slower than openssl reading it (bench-jobs.sh, 2026-11-27).
   */
  @Override
  public List<PartRange> parts(long size, int atOnce) {
    return PartRange.split(size, atOnce);
  }

  /** The one staging file, and the header file of each kept part: its record of the part's download. */
  @Override
  public Set<String> filesHolding(RemoteStaging staging, List<KeptParts.Part> kept) {
    Set<String> files = new HashSet<>();
    if (!kept.isEmpty()) {
      files.add(staging.name());
    }
    kept.forEach(part -> files.add(staging.partName(part.index()) + HEADERS));
    return files;
  }

  /**
   * The part's header file is there with the modification time recorded when its curl ended, and the
   * staging file reaches past the part's last byte.
   */
  @Override
  public boolean stillHolds(RemoteSession remote, RemoteStaging staging, KeptParts.Part part, long offset,
      Duration timeout) throws IOException {
    Optional<RemoteEntry> record = remote.stat(headersFile(staging, part.index()));
    Optional<RemoteEntry> file = remote.stat(staging.file());
    boolean same = record.isPresent() && record.get().modified().toString().equals(part.modified())
        && TransferMethod.reaches(file, offset + part.length());
    if (!same) {
      log.info("part {} in {} is not kept: its download was recorded at {}, the remote has {} and a staging file of {}",
          part.index(), staging.folder(), part.modified(), record.map(r -> "a record of " + r.modified())
          .orElse("no record"), file.map(f -> f.size() + " bytes").orElse("no file"));
    }
    return same;
  }

  /**
   * The pseudo-terminal hangs a part's curl up when its channel closes, except in a narrow race: a
   * connection closed while the remote is still starting the command. A curl that slipped through,
   * or one from a Ferry that was killed, is found by the staging path in its command line.
   */
  @Override
  public void stopLeftovers(RemoteSession remote, String folder) {
    // The pattern is a regex of the path with its dot escaped: the shell running pkill has the escaped
    // text in its own command line, which the pattern does not match, so pkill never hits its own shell.
    String pattern = ShellQuote.literalRegex(folder + "/");
    try {
      RemoteShell.ExecResult result = remote.exec("pkill -f -- " + quote(pattern), Duration.ofMinutes(1));
      if (result.exitStatus() > 1) {
        log.info("pkill of leftover curls for {} said (exit {}): {}", folder, result.exitStatus(), result.output());
      }
    } catch (IOException e) {
      log.info("could not look for leftover curls for {}: {}", folder, e.getMessage());
    }
  }

  /** The object: every range is written in place. */
  @Override
  public long remoteBytesNeeded(long size, int parts) {
    return size;
  }

  private static void run(TransferAttempt attempt, String command, String what) throws IOException {
    RemoteShell.ExecResult result = attempt.remote.exec(command, attempt.settings.commandTimeout());
    if (!result.ok()) {
      throw JobException.retryable(what + " on " + attempt.spec.host() + " failed (exit " + result.exitStatus()
          + "): " + result.stderr().strip());
    }
  }

  /** curl's exit status says whether another try can help: a missing curl or an unwritable staging file cannot. */
  private static JobException curlFailure(TransferAttempt attempt, PartRange part, RemoteShell.ExecResult result) {
    String message = "curl of part " + part.index() + " (bytes " + part.first() + "-" + part.last() + ") of "
        + attempt.spec.source() + " on " + attempt.spec.host() + " failed (exit " + result.exitStatus() + "): "
        + result.output();
    return switch (result.exitStatus()) {
      case 126, 127 -> JobException.permanent(message + " (is curl installed on the remote?)");
      case 23 -> JobException.permanent(message + " (cannot write " + attempt.staging.file() + ")");
      default -> JobException.retryable(message);
    };
  }
}
