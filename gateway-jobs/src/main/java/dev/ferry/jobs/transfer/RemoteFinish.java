package dev.ferry.jobs.transfer;

import static dev.ferry.jobs.remote.ShellQuote.quote;

import dev.ferry.core.vfs.ChecksumAlgorithm;
import dev.ferry.jobs.engine.JobException;
import dev.ferry.jobs.remote.RemoteShell;
import dev.ferry.jobs.remote.Sha256Sum;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The end of a transfer on the remote: check the staging file's size (and SHA-256 where the object
 * has one recorded and the remote has openssl or sha256sum: the hash taken as the parts landed, see
 * {@link FollowingHash}, else the whole file read now), rename it into place, set its modification time
 * to now as the seed's {@code touch} did so ingest tools notice it, and remove the staging folder.
 */
final class RemoteFinish {

  private static final Logger log = LoggerFactory.getLogger(RemoteFinish.class);

  /**
   * A file up to this size is read back over the session's SFTP channel and hashed here. Hashing
   * on the remote is a command: an exec channel, the user's shell, then openssl or sha256sum
   * starting up. For a 1 KiB file on this machine's loopback sshd that took 52 ms, reading it back
   * over SFTP 4 ms; past a few MiB the remote's hash wins (no bytes cross the link).
   */
  static final long READ_BACK_LIMIT = 1 << 20;

  private RemoteFinish() {}

  static void verify(TransferAttempt attempt) throws IOException {
    String file = attempt.staging.file();
    OptionalLong size = attempt.remote.size(file);
    if (size.isEmpty() || size.getAsLong() != attempt.size) {
      throw JobException.retryable("size check of " + attempt.spec.host() + ":" + file + " failed: expected "
          + attempt.size + " bytes, found " + (size.isEmpty() ? "no file" : size.getAsLong() + " bytes"));
    }
    if (attempt.sha256 == null) {
      return;
    }
    if (attempt.size <= READ_BACK_LIMIT) {
      String actual = readBackSha256(attempt, file);
      if (!attempt.sha256.equalsIgnoreCase(actual)) {
        throw JobException.retryable("SHA-256 check of " + attempt.spec.host() + ":" + file + " failed: expected "
            + attempt.sha256 + ", read back " + actual);
      }
      return;
    }
    String followed = attempt.followedSha256();
    if (followed != null) {
      if (!attempt.sha256.equalsIgnoreCase(followed)) {
        throw JobException.retryable("SHA-256 check of " + attempt.spec.host() + ":" + file + " failed: expected "
            + attempt.sha256 + ", the remote hashed " + followed + " as the parts landed");
      }
      log.info("job {}: SHA-256 of {}:{} checked, hashed on the remote as its parts landed", attempt.jobId,
          attempt.spec.host(), file);
      return;
    }
    // Through stdin: GNU sha256sum escapes a name with a newline or backslash in its output line.
    RemoteShell.ExecResult hash = attempt.remote.exec(Sha256Sum.OF_STDIN + " < " + quote(file),
        attempt.settings.commandTimeout());
    if (hash.exitStatus() == 127) {
      log.info("job {}: neither openssl nor sha256sum on {}, size check only", attempt.jobId, attempt.spec.host());
      return;
    }
    String actual = Sha256Sum.in(hash.stdout());
    if (!hash.ok() || !attempt.sha256.equalsIgnoreCase(actual)) {
      throw JobException.retryable("SHA-256 check of " + attempt.spec.host() + ":" + file + " failed: expected "
          + attempt.sha256 + ", the remote said '" + hash.stdout().strip() + hash.stderr().strip() + "'");
    }
  }

  /** The SHA-256 of the remote file's bytes, read over SFTP. */
  private static String readBackSha256(TransferAttempt attempt, String file) throws IOException {
    try (InputStream in = attempt.remote.read(file)) {
      return ChecksumAlgorithm.SHA_256.hexOf(in);
    }
  }

  static void moveIntoPlace(TransferAttempt attempt, Clock clock) throws IOException {
    String destination = attempt.spec.remotePath();
    if (!attempt.spec.overwrite() && attempt.remote.exists(destination)) {
      throw JobException.permanent(attempt.spec.host() + ":" + destination + " already exists (use --overwrite)");
    }
    attempt.remote.rename(attempt.staging.file(), destination);
    attempt.remote.setModified(destination, clock.instant());
    attempt.remote.removeTree(attempt.staging.folder());
    attempt.remote.removeIfEmpty(attempt.staging.root());
  }

}
