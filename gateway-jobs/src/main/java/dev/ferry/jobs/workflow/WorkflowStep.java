package dev.ferry.jobs.workflow;

import dev.ferry.core.s3.S3Location;
import dev.ferry.jobs.transfer.TransferMode;
import java.net.URI;

/** One step of a workflow, run in order on the uploaded object. */
sealed interface WorkflowStep {

  /** The prefix the step writes to (its record's {@code target}); null for one that writes nothing to S3. */
  default S3Location target() {
    return null;
  }

  /** Where the object is once this step is done: where it was, but for a move. */
  default S3Location placeAfter(S3Location object) {
    return object;
  }

  /** A server-side copy to {@code target} (a prefix): the object keeps its name, SHA-256 and time. */
  record Copy(S3Location target) implements WorkflowStep {}

  /** A copy to {@code target}, then the original deleted: later steps work on the moved object. */
  record Move(S3Location target) implements WorkflowStep {
    @Override
    public S3Location placeAfter(S3Location object) {
      return StepContext.into(target, object);
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
