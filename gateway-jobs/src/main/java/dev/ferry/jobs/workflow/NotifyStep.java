package dev.ferry.jobs.workflow;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.core.s3.S3Location;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The notify step: the upload event, the workflow and where the object is now, posted as JSON ({@link Notifier}). */
final class NotifyStep implements StepRun<WorkflowStep.Notify> {

  private static final Logger log = LoggerFactory.getLogger(Workflows.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Notifier notifier;

  NotifyStep(Notifier notifier) {
    this.notifier = notifier;
  }

  @Override
  public S3Location run(WorkflowStep.Notify notify, StepContext at) throws IOException, InterruptedException {
    notifier.post(notify, at.spec().eventId(), body(at));
    log.info("{}: notified {} of {}", at.purpose(), notify.url(), at.object());
    return at.object();
  }

  /** The notify step's JSON: the upload event, the workflow and the object where it is now. */
  private static byte[] body(StepContext at) throws IOException {
    WorkflowSpec spec = at.spec();
    S3Location object = at.object();
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("id", spec.eventId());
    body.put("type", "UPLOADED");
    body.put("time", spec.eventTime());
    body.put("workflow", at.workflow().name());
    body.put("job", at.jobId());
    body.put("user", spec.user());
    body.put("path", spec.path());
    body.put("uploaded", "s3://" + spec.bucket() + "/" + spec.key());
    body.put("object", "s3://" + object.bucket() + "/" + object.key());
    body.put("size", spec.size());
    body.put("sha256", spec.sha256());
    return JSON.writeValueAsBytes(body);
  }
}
