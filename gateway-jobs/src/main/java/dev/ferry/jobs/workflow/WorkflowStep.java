package dev.ferry.jobs.workflow;

import dev.ferry.core.store.S3Location;
import java.net.URI;

/** One step of a workflow, run in order on the uploaded object. */
sealed interface WorkflowStep {

  /** A server-side copy to {@code target} (a prefix): the object keeps its name, SHA-256 and time. */
  record Copy(S3Location target) implements WorkflowStep {}

  /** A copy to {@code target}, then the original deleted: later steps work on the moved object. */
  record Move(S3Location target) implements WorkflowStep {}

  /** The object deleted. */
  record Delete() implements WorkflowStep {}

  /** An HTTP POST of the event as JSON to {@code url}, signed with HMAC-SHA256 of the body under {@code secret}. */
  record Notify(URI url, String secret) implements WorkflowStep {}
}
