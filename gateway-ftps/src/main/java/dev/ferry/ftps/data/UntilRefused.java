package dev.ferry.ftps.data;

import dev.ferry.core.quota.QuotaExceededException;
import java.io.IOException;
import java.io.OutputStream;

/**
 * A client's file on its way into an upload, until the upload refuses it for good (its user's
 * quota); from then on the rest of the file is read and dropped. The client then ends its file and
 * reads the refusal (552), as from Pure-FTPd past a quota, instead of a data connection broken
 * under it, which clients such as lftp take for a network fault and send the file again.
 */
public final class UntilRefused extends OutputStream {

  private final OutputStream upload;
  private QuotaExceededException refused;

  public UntilRefused(OutputStream upload) {
    this.upload = upload;
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] bytes, int offset, int length) throws IOException {
    if (refused != null) {
      return;
    }
    try {
      upload.write(bytes, offset, length);
    } catch (QuotaExceededException e) {
      refused = e;
    }
  }

  @Override
  public void flush() throws IOException {
    if (refused == null) {
      upload.flush();
    }
  }

  /** Throws the refusal, once the client has ended its file; nothing when there was none. */
  public void rethrowRefusal() throws QuotaExceededException {
    if (refused != null) {
      throw refused;
    }
  }
}
