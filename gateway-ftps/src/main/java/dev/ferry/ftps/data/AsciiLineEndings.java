package dev.ferry.ftps.data;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * TYPE A (ASCII) transfers: the network form of a line end is CRLF, the stored form is LF, as
 * FtpServer and most Unix servers do it. Only line ends change; every other byte passes as is.
 */
final class AsciiLineEndings {

  private AsciiLineEndings() {}

  /** Wraps a stream going to the client: LF not already preceded by CR becomes CRLF. */
  static OutputStream toNetwork(OutputStream out) {
    return new FilterOutputStream(out) {
      private byte previous;

      @Override
      public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
      }

      @Override
      public void write(byte[] bytes, int offset, int length) throws IOException {
        byte[] converted = new byte[length * 2];
        int n = 0;
        for (int i = offset; i < offset + length; i++) {
          if (bytes[i] == '\n' && previous != '\r') {
            converted[n++] = '\r';
          }
          converted[n++] = bytes[i];
          previous = bytes[i];
        }
        out.write(converted, 0, n);
      }
    };
  }

  /**
   * Wraps the sink of an upload: CRLF becomes LF; a CR not followed by LF is kept. A CR at the
   * end of one write waits for the next; {@link OutputStream#flush()} ends the file and lets it go.
   */
  static OutputStream fromNetwork(OutputStream sink) {
    return new FilterOutputStream(sink) {
      private boolean pendingCr;

      @Override
      public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
      }

      @Override
      public void write(byte[] bytes, int offset, int length) throws IOException {
        byte[] converted = new byte[length + 1];
        int n = 0;
        for (int i = offset; i < offset + length; i++) {
          if (pendingCr && bytes[i] != '\n') {
            converted[n++] = '\r';
          }
          pendingCr = bytes[i] == '\r';
          if (!pendingCr) {
            converted[n++] = bytes[i];
          }
        }
        out.write(converted, 0, n);
      }

      @Override
      public void flush() throws IOException {
        if (pendingCr) {
          pendingCr = false;
          out.write('\r');
        }
        out.flush();
      }
    };
  }
}
