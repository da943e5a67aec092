package dev.ferry.jobs.workflow;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.core.FerryConfig;
import dev.ferry.core.Gateway;
import dev.ferry.core.config.ConfigException;
import dev.ferry.core.event.EventBus;
import dev.ferry.core.event.FerryEvent;
import dev.ferry.core.event.FileEvent;
import dev.ferry.core.event.Origin;
import dev.ferry.core.object.ObjectBusyException;
import dev.ferry.core.object.ObjectChange;
import dev.ferry.core.s3.S3Location;
import dev.ferry.jobs.engine.Failures;
import dev.ferry.jobs.engine.JobException;
import dev.ferry.jobs.engine.JobKind;
import dev.ferry.jobs.engine.JobRecheck;
import dev.ferry.jobs.engine.JobRecord;
import dev.ferry.jobs.engine.RunningJob;
import dev.ferry.jobs.remote.RemoteHost;
import dev.ferry.jobs.transfer.Jobs;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The workflows of ferry.yaml at work. An upload that a workflow matches queues one job of kind
 * {@code workflow} (persisted, retried, visible in {@code jobs}), which runs the workflow's steps in
 * order. The job records how many steps are done after each, so that a retry or another node after a
 * crash goes on from the first step not done; each step can be done again without a second output
 * (a copy overwrites its own copy, a move that finds its object moved already is done).
 */
public final class Workflows implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Workflows.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String STEPS_DONE = "stepsDone";
  private static final Duration QUARANTINE_PATIENCE = Duration.ofSeconds(10);

  private final Map<String, WorkflowDefinition> definitions = new LinkedHashMap<>();
  private final Gateway gateway;
  private final Notifier notifier = new Notifier();
  private final Unpacker unpacker;
  private Jobs jobs;
  private PushDelivery pushes;
  private EventBus.Subscription subscription;

  /** @throws ConfigException naming the key of a wrong workflow */
  public Workflows(FerryConfig config, Gateway gateway) {
    WorkflowConfig.parse(config).forEach(w -> definitions.put(w.name(), w));
    this.gateway = gateway;
    this.unpacker = new Unpacker(gateway);
  }

  /** What the job engine runs for a job of kind "workflow". */
  public JobKind jobKind() {
    return JobKind.of("workflow", WorkflowSpec.class, this::run);
  }

  /**
   * Checks that every bucket a step writes to exists (or creates it when {@code s3.createBuckets}),
   * then starts queueing a job for each upload a workflow matches.
   */
  public void start(Jobs engine) throws IOException {
    this.jobs = engine;
    this.pushes = new PushDelivery(engine);
    Set<String> hosts = engine.hosts().stream().map(RemoteHost::name).collect(Collectors.toSet());
    int index = 0;
    for (WorkflowDefinition workflow : definitions.values()) {
      for (int step = 0; step < workflow.steps().size(); step++) {
        String key = "workflows[" + index + "].steps[" + step + "]";
        checkBucket(targetOf(workflow.steps().get(step)), key);
        if (workflow.steps().get(step) instanceof WorkflowStep.Push push && !hosts.contains(push.host())) {
          throw new ConfigException(key + ".push", "host '" + push.host() + "' is not one of the remotes ("
              + (hosts.isEmpty() ? "none is configured" : String.join(", ", hosts)) + ")");
        }
      }
      checkBucket(workflow.quarantine(), "workflows[" + index + "].quarantine");
      index++;
    }
    if (!definitions.isEmpty()) {
      subscription = gateway.events().subscribe("workflows", this::onEvent);
      log.info("{} workflow(s) watch uploads: {}", definitions.size(), String.join(", ", definitions.keySet()));
    }
  }

  private void checkBucket(S3Location target, String key) throws IOException {
    if (target != null && !gateway.objects().ensureBucket(target.bucket(), gateway.config().createBuckets())) {
      throw new ConfigException(key, "bucket '" + target.bucket() + "' does not exist; create it or set"
          + " s3.createBuckets: true");
    }
  }

  /** The prefix a step writes to; null for one that writes nothing to S3. */
  private static S3Location targetOf(WorkflowStep step) {
    if (step instanceof WorkflowStep.Copy copy) {
      return copy.target();
    }
    if (step instanceof WorkflowStep.Decompress decompress) {
      return decompress.target();
    }
    return step instanceof WorkflowStep.Move move ? move.target() : null;
  }

  /** On the uploading thread: only an insert into the state store per matching workflow. */
  private void onEvent(FerryEvent event) {
    if (!(event instanceof FileEvent file)) {
      return;
    }
    for (WorkflowDefinition workflow : definitions.values()) {
      if (!workflow.matches(file)) {
        continue;
      }
      WorkflowSpec spec = new WorkflowSpec(workflow.name(), file.id(), file.time().toString(), file.object().bucket(),
          file.object().key(), file.path(), file.origin().session() == null ? null : file.origin().session().user(),
          file.bytes(), file.sha256());
      try {
        Optional<JobRecord> queued = jobs.submit(spec);
        queued.ifPresent(job -> log.info("workflow {}: job {} queued for {}", workflow.name(), job.id(),
            spec.source()));
      } catch (IOException | RuntimeException e) {
        log.error("workflow {}: could not queue the run for {} (event {}): {}", workflow.name(), spec.source(),
            file.id(), e.getMessage(), e);
      }
    }
  }

  private void run(RunningJob job) throws Exception {
    WorkflowSpec spec = (WorkflowSpec) job.record().spec();
    WorkflowDefinition workflow = definitions.get(spec.workflow());
    if (workflow == null) {
      throw JobException.permanent("workflow '" + spec.workflow() + "' is not configured (any more)");
    }
    List<WorkflowStep> steps = workflow.steps();
    int done = stepsDone(job.record());
    S3Location object = new S3Location(spec.bucket(), spec.key());
    for (int i = 0; i < done; i++) {
      object = placeAfter(steps.get(i), object);
    }
    String jobId = job.record().id();
    String purpose = purpose(workflow, jobId);
    for (int i = done; i < steps.size(); i++) {
      if (job.cancelRequested()) {
        throw JobException.permanent("cancelled");
      }
      job.ensureHeld();
      try {
        object = runStep(workflow, i, object, spec, jobId);
      } catch (JobRecheck waiting) {
        throw waiting;
      } catch (Exception e) {
        throw quarantinedIfFinal(workflow, job, e, object, i, purpose);
      }
      int finished = i + 1;
      job.update(r -> r.withCounts(Map.of(STEPS_DONE, (long) finished), 0, null));
      job.save();
    }
    log.info("workflow {}: {} steps done for {}", workflow.name(), steps.size(), spec.source());
  }

  /**
   * A step's failure as the job reports it. When it ends the job (not retried, or the last attempt)
   * and the workflow has a quarantine, the object goes there first, and the reason says so; the
   * original is otherwise kept where it is.
   */
  private Exception quarantinedIfFinal(WorkflowDefinition workflow, RunningJob job, Exception e, S3Location object,
      int step, String purpose) {
    if (workflow.quarantine() == null || job.retriesAfter(e) || job.cancelRequested()) {
      return e;
    }
    String reason = "step " + (step + 1) + " failed: " + Failures.describe(e);
    try {
      S3Location quarantined = move(workflow, object, workflow.quarantine(), purpose, QUARANTINE_PATIENCE);
      log.warn("{}: {}; {} moved to quarantine {}", purpose, reason, object, quarantined);
      return JobException.permanent(reason + "; the original was moved to quarantine " + quarantined, e);
    } catch (IOException | RuntimeException q) {
      log.warn("{}: {}; moving {} to quarantine failed too: {}", purpose, reason, object, q.getMessage());
      return JobException.permanent(reason + "; moving the original to quarantine " + workflow.quarantine()
          + " failed too (" + Failures.describe(q) + "), it is kept where it was", e);
    }
  }

  private static int stepsDone(JobRecord record) {
    Long done = record.counts() == null ? null : record.counts().get(STEPS_DONE);
    return done == null ? 0 : done.intValue();
  }

  /** Where the object is once {@code step} is done: moved for a move, else where it was. */
  private static S3Location placeAfter(WorkflowStep step, S3Location object) {
    return step instanceof WorkflowStep.Move move ? into(move.target(), object) : object;
  }

  /** The object's name under {@code prefix}. */
  private static S3Location into(S3Location prefix, S3Location object) {
    String key = object.key();
    return new S3Location(prefix.bucket(), prefix.key() + key.substring(key.lastIndexOf('/') + 1));
  }

  /** Who a workflow's changes are published as: the workflow, so that no workflow runs on them by default. */
  private static Origin origin(WorkflowDefinition workflow) {
    return Origin.of(Origin.Kind.WORKFLOW, workflow.name());
  }

  /** How a workflow's job names itself in path locks, logs and errors. */
  private static String purpose(WorkflowDefinition workflow, String jobId) {
    return "workflow " + workflow.name() + " (job " + jobId + ")";
  }

  private S3Location runStep(WorkflowDefinition workflow, int index, S3Location object, WorkflowSpec spec,
      String jobId) throws IOException, InterruptedException, JobRecheck {
    String purpose = purpose(workflow, jobId);
    WorkflowStep step = workflow.steps().get(index);
    if (step instanceof WorkflowStep.Copy copy) {
      S3Location target = into(copy.target(), object);
      asStep(object, purpose, () -> gateway.objects().copy(object, target, ObjectChange.by(origin(workflow), purpose)));
      log.info("{}: copied {} to {}", purpose, object, target);
      return object;
    }
    if (step instanceof WorkflowStep.Move move) {
      S3Location target = move(workflow, object, move.target(), purpose, Duration.ZERO);
      log.info("{}: moved {} to {}", purpose, object, target);
      return target;
    }
    if (step instanceof WorkflowStep.Decompress decompress) {
      int written = unpacker.unpack(decompress, object, workflow.name(), purpose);
      log.info("{}: {} unpacked into {} ({} files)", purpose, object, decompress.target(), written);
      return object;
    }
    if (step instanceof WorkflowStep.Delete) {
      asStep(object, purpose, () -> gateway.objects().delete(object, ObjectChange.by(origin(workflow), purpose)));
      log.info("{}: deleted {}", purpose, object);
      return object;
    }
    if (step instanceof WorkflowStep.Push push) {
      pushes.deliver(push, object, spec.runOf() + " step " + (index + 1), purpose);
      log.info("{}: pushed {} to {}:{}", purpose, object, push.host(), push.dir());
      return object;
    }
    WorkflowStep.Notify notify = (WorkflowStep.Notify) step;
    notifier.post(notify, spec.eventId(), body(workflow, spec, object, jobId));
    log.info("{}: notified {} of {}", purpose, notify.url(), object);
    return object;
  }

  /**
   * A server-side copy into {@code prefix} (name, SHA-256 and time kept), then the original deleted,
   * both under the path locks. Done already when the original is gone and the copy is there: an
   * earlier attempt moved it and stopped before recording the step.
   */
  private S3Location move(WorkflowDefinition workflow, S3Location object, S3Location prefix, String purpose,
      Duration patience) throws IOException {
    S3Location target = into(prefix, object);
    asStep(object, purpose, () -> gateway.objects().move(object, target,
        ObjectChange.by(origin(workflow), purpose).waitingUpTo(patience).retried()));
    return target;
  }

  /** An object change of a step. */
  @FunctionalInterface
  private interface Change {
    void run() throws IOException;
  }

  /**
   * Runs a step's change of {@code object}: a busy path (a client's transfer of it) is tried again
   * with the job; a vanished object ends the job.
   */
  private static void asStep(S3Location object, String purpose, Change change) throws IOException {
    try {
      change.run();
    } catch (ObjectBusyException e) {
      throw JobException.retryable(e.getMessage(), e);
    } catch (NoSuchFileException e) {
      throw JobException.permanent(purpose + ": " + object + " is gone (deleted or renamed since its upload)", e);
    }
  }

  /** The notify step's JSON: the upload event, the workflow and the object where it is now. */
  private static byte[] body(WorkflowDefinition workflow, WorkflowSpec spec, S3Location object, String jobId)
      throws IOException {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("id", spec.eventId());
    body.put("type", "UPLOADED");
    body.put("time", spec.eventTime());
    body.put("workflow", workflow.name());
    body.put("job", jobId);
    body.put("user", spec.user());
    body.put("path", spec.path());
    body.put("uploaded", "s3://" + spec.bucket() + "/" + spec.key());
    body.put("object", "s3://" + object.bucket() + "/" + object.key());
    body.put("size", spec.size());
    body.put("sha256", spec.sha256());
    return JSON.writeValueAsBytes(body);
  }

  @Override
  public void close() {
    if (subscription != null) {
      subscription.close();
    }
  }
}
