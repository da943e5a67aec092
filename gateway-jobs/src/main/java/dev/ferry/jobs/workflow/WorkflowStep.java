package dev.ferry.jobs.workflow;

import dev.ferry.core.s3.S3Location;
import dev.ferry.jobs.pgp.PgpDecryption;
import dev.ferry.jobs.pgp.PgpEncryption;
import dev.ferry.jobs.transfer.TransferMode;
import java.net.URI;

/** One step of a workflow, run in order on the uploaded object. */
sealed interface WorkflowStep {

  /** The prefix the step writes to (its record's {@code target}); null for one that writes nothing to S3. */
  default S3Location target() {
    return null;
  }

  /** Where the object is once this step is done: where it was, but for a move (to {@code place} under its prefix). */
  default S3Location placeAfter(S3Location object, OutputPlace place) {
    return object;
  }

  /**
   * A server-side copy to {@code target} (a prefix, under which the {@link OutputPlace} of the upload):
   * the object keeps its name, SHA-256 and time.
   */
  record Copy(S3Location target) implements WorkflowStep {}

  /** A copy to {@code target}, then the original deleted: later steps work on the moved object. */
  record Move(S3Location target) implements WorkflowStep {
    @Override
    public S3Location placeAfter(S3Location object, OutputPlace place) {
      return place.file(target, object);
    }
  }

  /**
   * The object unpacked into {@code target} (a prefix), as it streams from S3: a .gz becomes the file
   * without .gz, a .zip (read through its central directory), .tar, .tar.gz or .tgz its files under
   * their paths; an archive inside the archive is written as a file, never opened. An archive that would expand
   * past {@code maxRatio} times its size or {@code maxTotal} bytes, or hold more than
   * {@code maxEntries} files, is refused, as is an entry named outside the target.
   */
  record Decompress(S3Location target, long maxRatio, long maxTotal, long maxEntries) implements WorkflowStep {}

  /**
   * The object, an OpenPGP message, decrypted into {@code target} (a prefix) as it streams: the
   * file without .pgp, .gpg or .asc; with a signature check when the decryption has verifyWith.
   */
  record Decrypt(S3Location target, PgpDecryption decryption) implements WorkflowStep {}

  /** The object encrypted to OpenPGP recipients into {@code target} (a prefix): the file with .pgp, or .asc. */
  record Encrypt(S3Location target, PgpEncryption encryption) implements WorkflowStep {}

  /** The object streamed to clamd ({@code scan:}): malware found fails the step for good. */
  record Scan() implements WorkflowStep {}

  /** The object deleted. */
  record Delete() implements WorkflowStep {}

  /**
   * A transfer job to {@code host}:{@code dir}/name, as {@code push} queues one (parts, free-space
   * gate, mode; null: the configured defaults), queued once per upload however often the step is
   * tried; the step is done when the transfer is, so later steps see the file delivered.
   */
  record Push(String host, String dir, Integer parts, Double freeSpacePercent, TransferMode mode, boolean overwrite)
      implements WorkflowStep {}

  /** An HTTP POST of the event as JSON to {@code url}, signed with HMAC-SHA256 of the body under {@code secret}. */
  record Notify(URI url, String secret) implements WorkflowStep {}
}
