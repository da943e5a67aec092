package dev.ferry.ftps.data;

/**
 * In FTP stream mode the end of the data connection is the end of the file, so a client killed
 * mid-upload looks like a finished one unless TLS tells them apart: a finished client sends
 * close_notify before closing, a killed one does not. The JDK treats a bare close as a clean end
 * on TLS 1.2 unless {@code com.sun.net.ssl.requireCloseNotify} is set, in which case the read
 * throws and the upload is aborted instead of committed. The JDK reads the property once, when
 * the first {@code SSLSocket} is made, so {@link #detect()} must run before that.
 */
public final class TlsTruncation {

  private static final String PROPERTY = "com.sun.net.ssl.requireCloseNotify";

  private TlsTruncation() {}

  public static void detect() {
    System.setProperty(PROPERTY, "true");
  }
}
