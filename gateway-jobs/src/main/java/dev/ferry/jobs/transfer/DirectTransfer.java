package dev.ferry.jobs.transfer;

import static dev.ferry.jobs.remote.ShellQuote.quote;

import dev.ferry.jobs.engine.JobException;
import dev.ferry.jobs.remote.RemoteSession;
import dev.ferry.jobs.remote.RemoteShell;
import dev.ferry.jobs.remote.RemoteEntry;
import dev.ferry.jobs.remote.ShellQuote;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The seed's way: the remote fetches the object straight from S3 with a presigned URL, one
 * {@code curl} per byte range, each on its own exec channel, then {@code cat}s the parts together.
 * No object byte passes through Ferry. When a part's curl ends, the part file's size and
 * modification time are recorded; a later attempt keeps the file only while both are still those.
 * curl writes a part front to back and exits 0 only once all of it is there, every range is pinned
 * to the recorded ETag, and the whole file's SHA-256 is checked before it is put in place: hashing
 * each part as well would cost the remote a second read of the object (coreutils' sha256sum does
 * about 350 MB/s here) for what those already guarantee.
 */
final class DirectTransfer implements TransferMethod {

  private static final Logger log = LoggerFactory.getLogger(DirectTransfer.class);

  @Override
  public void fetch(TransferAttempt attempt) throws IOException, InterruptedException {
    RemoteStaging staging = attempt.staging;
    if (attempt.size == 0) {
      run(attempt, ": > " + quote(staging.assembled()), "create empty " + staging.assembled());
      return;
    }
    URI url = attempt.objects.presignGet(attempt.source, attempt.settings.presignValidity());
    List<PartRange> parts = PartRange.split(attempt.size, attempt.spec.parts());
    attempt.runParts(attempt.toFetch(parts), part -> {
      attempt.ensureHoldsClaim();
      // If-Match pins every range to the version the attempt started with (412 on an overwrite).
      String file = staging.partFile(part.index());
      String command = "curl -sS -f -o " + quote(file) + " -r " + part.first() + "-" + part.last()
          + (attempt.etag == null ? "" : " -H " + quote("If-Match: " + attempt.etag)) + " " + quote(url.toString());
      RemoteShell.ExecResult result = attempt.remote.execHungUpOnClose(command, attempt.settings.commandTimeout());
      if (!result.ok()) {
        throw curlFailure(attempt, part, result);
      }
      attempt.bytesDone.addAndGet(part.length());
      Optional<RemoteEntry> written = attempt.remote.stat(file);
      if (written.isPresent() && written.get().size() == part.length()) {
        attempt.keep(new KeptParts.Part(part.index(), part.length(), null, written.get().modified().toString()));
      }
    });
    // From here the part files are gone, joined into one: nothing is left for a later attempt to keep.
    attempt.ledger.forgetAll();
    run(attempt, assembly(staging, parts), "assemble " + parts.size() + " parts into " + staging.assembled());
  }

  /** Each part is a file of its own until the assembly. */
  @Override
  public Set<String> filesHolding(RemoteStaging staging, List<KeptParts.Part> kept) {
    return kept.stream().map(part -> "part-" + part.index()).collect(java.util.stream.Collectors.toSet());
  }

  /** The part file is there with the size and modification time recorded when its curl ended. */
  @Override
  public boolean stillHolds(RemoteSession remote, RemoteStaging staging, KeptParts.Part part, long offset,
      Duration timeout) throws IOException {
    Optional<RemoteEntry> file = remote.stat(staging.partFile(part.index()));
    boolean same = file.isPresent() && file.get().type() == RemoteEntry.Type.FILE && file.get().size() == part.length()
        && file.get().modified().toString().equals(part.modified());
    if (!same) {
      log.info("part {} in {} is not kept: recorded {} bytes modified {}, the remote has {}", part.index(),
          staging.folder(), part.length(), part.modified(), file.map(f -> f.size() + " bytes modified " + f.modified())
          .orElse("no file"));
    }
    return same;
  }

  /**
   * The first part becomes the assembled file and each next part is appended then removed, so the
   * remote never holds more than the object plus one part (a plain {@code cat} of all parts would
   * need twice the object).
   */
  static String assembly(RemoteStaging staging, List<PartRange> parts) {
    String assembled = quote(staging.assembled());
    StringBuilder command = new StringBuilder("mv -f ").append(quote(staging.partFile(0))).append(' ').append(assembled);
    for (PartRange part : parts.subList(1, parts.size())) {
      String file = quote(staging.partFile(part.index()));
      command.append(" && cat ").append(file).append(" >> ").append(assembled).append(" && rm -f ").append(file);
    }
    return command.toString();
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

  /** The object, plus the part being appended while assembling. */
  @Override
  public long remoteBytesNeeded(long size, int parts) {
    List<PartRange> ranges = PartRange.split(size, parts);
    return ranges.size() <= 1 ? size : size + ranges.get(0).length();
  }

  private static void run(TransferAttempt attempt, String command, String what) throws IOException {
    RemoteShell.ExecResult result = attempt.remote.exec(command, attempt.settings.commandTimeout());
    if (!result.ok()) {
      throw JobException.retryable(what + " on " + attempt.spec.host() + " failed (exit " + result.exitStatus()
          + "): " + result.stderr().strip());
    }
  }

  /** curl's exit status says whether another try can help: a missing curl or an unwritable part cannot. */
  private static JobException curlFailure(TransferAttempt attempt, PartRange part, RemoteShell.ExecResult result) {
    String message = "curl of part " + part.index() + " (bytes " + part.first() + "-" + part.last() + ") of "
        + attempt.spec.source() + " on " + attempt.spec.host() + " failed (exit " + result.exitStatus() + "): "
        + result.output();
    return switch (result.exitStatus()) {
      case 126, 127 -> JobException.permanent(message + " (is curl installed on the remote?)");
      case 23 -> JobException.permanent(message + " (cannot write " + attempt.staging.partFile(part.index()) + ")");
      default -> JobException.retryable(message);
    };
  }
}
