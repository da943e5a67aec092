package dev.ferry.jobs.workflow;

import dev.ferry.core.s3.S3Location;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The decompress step: the object unpacked into the target prefix ({@link Unpacker}); it stays where it is. */
final class DecompressStep implements StepRun<WorkflowStep.Decompress> {

  private static final Logger log = LoggerFactory.getLogger(Workflows.class);

  private final Unpacker unpacker;

  DecompressStep(Unpacker unpacker) {
    this.unpacker = unpacker;
  }

  @Override
  public S3Location run(WorkflowStep.Decompress decompress, StepContext at) throws IOException {
    S3Location folder = at.place().folder(decompress.target());
    int written = unpacker.unpack(decompress, at.object(), folder, at.workflow().name(), at.purpose());
    log.info("{}: {} unpacked into {} ({} files)", at.purpose(), at.object(), folder, written);
    return at.object();
  }
}
