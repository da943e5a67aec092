package dev.ferry.jobs.workflow;

import dev.ferry.core.FerryConfig;
import dev.ferry.core.Gateway;
import dev.ferry.core.config.ConfigException;
import dev.ferry.core.event.EventBus;
import dev.ferry.core.event.FerryEvent;
import dev.ferry.core.event.FileEvent;
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
  private static final String STEPS_DONE = "stepsDone";
  private static final Duration QUARANTINE_PATIENCE = Duration.ofSeconds(10);

  private final Map<String, WorkflowDefinition> definitions = new LinkedHashMap<>();
  private final Gateway gateway;
  private final MoveStep move;
  private Jobs jobs;
  private WorkflowSteps stepRuns;
  private EventBus.Subscription subscription;

  /** @throws ConfigException naming the key of a wrong workflow */
  public Workflows(FerryConfig config, Gateway gateway) {
    WorkflowConfig.parse(config).forEach(w -> definitions.put(w.name(), w));
    this.gateway = gateway;
    this.move = new MoveStep(gateway.objects());
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
    TransformedCopy transformed = new TransformedCopy(gateway.objects());
    this.stepRuns = new WorkflowSteps(move, new CopyStep(gateway.objects()), new DecompressStep(new Unpacker(gateway)),
        new DecryptStep(transformed), new EncryptStep(transformed),
        new ScanStep(gateway.objects(), gateway.scanner()), new DeleteStep(gateway.objects()),
        new PushStep(new PushDelivery(engine)), new NotifyStep(new Notifier()));
    Set<String> hosts = engine.hosts().stream().map(RemoteHost::name).collect(Collectors.toSet());
    int index = 0;
    for (WorkflowDefinition workflow : definitions.values()) {
      for (int step = 0; step < workflow.steps().size(); step++) {
        String key = "workflows[" + index + "].steps[" + step + "]";
        checkBucket(workflow.steps().get(step).target(), key);
        if (workflow.steps().get(step) instanceof WorkflowStep.Scan && !gateway.scanner().configured()) {
          throw new ConfigException(key + ".scan", "a scan step needs the scan: section, which names the clamd");
        }
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
      object = steps.get(i).placeAfter(object, OutputPlace.of(workflow, spec));
    }
    String jobId = job.record().id();
    String purpose = StepContext.purpose(workflow, jobId);
    for (int i = done; i < steps.size(); i++) {
      if (job.cancelRequested()) {
        throw JobException.permanent("cancelled");
      }
      job.ensureHeld();
      try {
        object = stepRuns.run(steps.get(i), new StepContext(workflow, i, spec, jobId, object));
      } catch (JobRecheck waiting) {
        throw waiting;
      } catch (Exception e) {
        throw quarantinedIfFinal(workflow, spec, job, e, object, i, purpose);
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
  private Exception quarantinedIfFinal(WorkflowDefinition workflow, WorkflowSpec spec, RunningJob job, Exception e,
      S3Location object, int step, String purpose) {
    if (workflow.quarantine() == null || job.retriesAfter(e) || job.cancelRequested()) {
      return e;
    }
    String reason = "step " + (step + 1) + " failed: " + Failures.describe(e);
    try {
      S3Location quarantined = move.move(workflow, object, workflow.quarantine(), OutputPlace.of(workflow, spec),
          purpose, QUARANTINE_PATIENCE);
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

  @Override
  public void close() {
    if (subscription != null) {
      subscription.close();
    }
  }
}
