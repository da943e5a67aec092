package dev.ferry.jobs.pgp;

import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * The streams an OpenPGP step reads from and writes to (S3, an upload), wrapped so that their own
 * failures stay apart from a failure of the message: BouncyCastle turns whatever its input throws
 * into its own errors, and a read that S3 cut short must not read as a corrupt file.
 */
final class Passing {

  private Passing() {}

  /** A failure of the stream under the step, carrying it unchanged. */
  static final class Failure extends IOException {
    private final IOException original;

    Failure(IOException original) {
      super(original.getMessage(), original);
      this.original = original;
    }

    IOException original() {
      return original;
    }
  }

  /** The stream's own failure among {@code e}'s causes (however BouncyCastle wrapped it), else {@code e}. */
  static IOException originalOr(IOException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof Failure failure) {
        return failure.original();
      }
    }
    return e;
  }

  static final class In extends FilterInputStream {
    In(InputStream in) {
      super(in);
    }

    @Override
    public int read() throws IOException {
      try {
        return super.read();
      } catch (IOException e) {
        throw new Failure(e);
      }
    }

    @Override
    public int read(byte[] bytes, int offset, int length) throws IOException {
      try {
        return super.read(bytes, offset, length);
      } catch (IOException e) {
        throw new Failure(e);
      }
    }
  }

  static final class Out extends FilterOutputStream {
    Out(OutputStream out) {
      super(out);
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
      try {
        out.write(bytes, offset, length);
      } catch (IOException e) {
        throw new Failure(e);
      }
    }

    @Override
    public void write(int b) throws IOException {
      try {
        out.write(b);
      } catch (IOException e) {
        throw new Failure(e);
      }
    }
  }
}
