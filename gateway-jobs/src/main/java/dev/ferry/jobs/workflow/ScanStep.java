package dev.ferry.jobs.workflow;

import dev.ferry.core.object.ObjectOperations;
import dev.ferry.core.s3.S3Location;
import dev.ferry.core.scan.ContentRefusedException;
import dev.ferry.core.scan.ContentScanner;
import dev.ferry.core.scan.UploadScan;
import dev.ferry.jobs.engine.JobException;
import java.io.IOException;
import java.io.InputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The scan step: an object already stored streamed to clamd (the {@code scan:} section's), for
 * files that came in before scanning was on or through a path it does not match. Malware found
 * fails the step for good (the workflow's quarantine then takes the object), and so does a file no
 * scan can cover (over {@code scan.maxSize} or clamd's limit); no verdict because clamd was down or
 * slow is tried again with the job's backoff. {@code onUnavailable: accept} lets the unscanned pass.
 */
final class ScanStep implements StepRun<WorkflowStep.Scan> {

  private static final Logger log = LoggerFactory.getLogger(Workflows.class);
  private static final int BUFFER = 64 * 1024;

  private final ObjectOperations objects;
  private final ContentScanner scanner;

  ScanStep(ObjectOperations objects, ContentScanner scanner) {
    this.objects = objects;
    this.scanner = scanner;
  }

  @Override
  public S3Location run(WorkflowStep.Scan step, StepContext at) throws IOException {
    S3Location object = at.object();
    String what = at.purpose() + ": scan of " + object;
    UploadScan scan = scanner.forStoredObject().orElseThrow(() -> JobException.permanent(what
        + ": there is no scan: section naming a clamd"));
    StepContext.asStep(object, at.purpose(), () -> {
      try (scan; InputStream in = ObjectOperations.await(objects.openFrom(object, 0))) {
        byte[] buffer = new byte[BUFFER];
        for (int read = in.read(buffer); read >= 0; read = in.read(buffer)) {
          scan.feed(buffer, 0, read);
        }
        scan.requireClean(what);
      } catch (ContentRefusedException e) {
        throw e.transientFailure() ? JobException.retryable(e.getMessage(), e) : JobException.permanent(e.getMessage(), e);
      }
    });
    log.info("{}: clean", what);
    return object;
  }
}
