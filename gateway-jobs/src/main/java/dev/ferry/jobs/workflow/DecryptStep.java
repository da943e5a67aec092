package dev.ferry.jobs.workflow;

import dev.ferry.core.s3.S3Location;
import dev.ferry.jobs.pgp.PgpDecryption;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The decrypt step: an OpenPGP message decrypted into the target prefix (the file without .pgp,
 * .gpg or .asc, at the upload's {@link OutputPlace}); the original stays where it is.
 */
final class DecryptStep implements StepRun<WorkflowStep.Decrypt> {

  private static final Logger log = LoggerFactory.getLogger(Workflows.class);

  private final TransformedCopy copies;

  DecryptStep(TransformedCopy copies) {
    this.copies = copies;
  }

  @Override
  public S3Location run(WorkflowStep.Decrypt decrypt, StepContext at) throws IOException {
    S3Location target = copies.write(at, decrypt.target(), PgpDecryption::outputName,
        (in, out) -> decrypt.decryption().decrypt(in, out));
    log.info("{}: decrypted {} into {}", at.purpose(), at.object(), target);
    return at.object();
  }
}
