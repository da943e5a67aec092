package dev.ferry.jobs.workflow;

import dev.ferry.core.object.ObjectChange;
import dev.ferry.core.object.ObjectOperations;
import dev.ferry.core.s3.S3Location;
import dev.ferry.core.upload.StreamingUpload;
import dev.ferry.jobs.engine.JobException;
import dev.ferry.jobs.pgp.PgpException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.function.UnaryOperator;

/**
 * What the decrypt and encrypt steps share: the object streams from S3 through a transform into a
 * new object written through core's upload path (path lock, multipart, SHA-256 recorded), with no
 * temp file. The output is committed only when the transform finished without an error, so a
 * failed one leaves nothing: no object, no multipart upload.
 */
final class TransformedCopy {

  /** Reads the source's bytes from {@code in} and writes what it makes of them to {@code out}. */
  @FunctionalInterface
  interface Transform {
    void run(InputStream in, OutputStream out) throws IOException;
  }

  private final ObjectOperations objects;

  TransformedCopy(ObjectOperations objects) {
    this.objects = objects;
  }

  /**
   * The step's object through {@code transform} into {@code prefix}, at the upload's
   * {@link OutputPlace}, named {@code outputName} of the object's name; returns where it was written.
   */
  S3Location write(StepContext at, S3Location prefix, UnaryOperator<String> outputName, Transform transform)
      throws IOException {
    S3Location object = at.object();
    String name = object.key().substring(object.key().lastIndexOf('/') + 1);
    S3Location folder = at.place().folder(prefix);
    S3Location target = new S3Location(folder.bucket(), folder.key() + outputName.apply(name));
    StepContext.asStep(object, at.purpose(), () -> write(object, target, at.change(), transform, at.purpose()));
    return target;
  }

  /** Writes {@code target} from {@code source} through {@code transform}; a failure of the transform fails the step for good. */
  private void write(S3Location source, S3Location target, ObjectChange change, Transform transform, String purpose)
      throws IOException {
    try (InputStream in = ObjectOperations.await(objects.openFrom(source, 0));
        StreamingUpload upload = objects.upload(target, change)) { // close() aborts what was not committed
      try {
        transform.run(in, upload);
      } catch (PgpException e) {
        throw JobException.permanent(purpose + ": " + source + ": " + e.getMessage() + "; nothing was written", e);
      }
      upload.commit();
    }
  }
}
