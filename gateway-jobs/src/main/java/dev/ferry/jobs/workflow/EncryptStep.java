package dev.ferry.jobs.workflow;

import dev.ferry.core.s3.S3Location;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The encrypt step: the object encrypted to the step's OpenPGP recipients into the target prefix
 * (the file with .pgp, or .asc armored, at the upload's {@link OutputPlace}); the original stays
 * where it is.
 */
final class EncryptStep implements StepRun<WorkflowStep.Encrypt> {

  private static final Logger log = LoggerFactory.getLogger(Workflows.class);

  private final TransformedCopy copies;

  EncryptStep(TransformedCopy copies) {
    this.copies = copies;
  }

  @Override
  public S3Location run(WorkflowStep.Encrypt encrypt, StepContext at) throws IOException {
    String name = at.object().key().substring(at.object().key().lastIndexOf('/') + 1);
    S3Location target = copies.write(at, encrypt.target(), encrypt.encryption()::outputName,
        (in, out) -> encrypt.encryption().encrypt(in, name, out));
    log.info("{}: encrypted {} into {}", at.purpose(), at.object(), target);
    return at.object();
  }
}
