package dev.ferry.ftps.tls;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * In FTP stream mode the end of the data connection is the end of the file, so a client killed
 * mid-upload looks like a finished one unless TLS tells them apart: a finished client sends
 * close_notify before closing, a killed one does not. The JDK treats a bare close as a clean end
 * on TLS 1.2 unless {@code com.sun.net.ssl.requireCloseNotify} is set, in which case the read
 * throws and the upload is aborted instead of committed. The JDK reads the property once, when
 * the first {@code SSLSocket} is made, so {@link #detect()} must run before that, and
 * {@link #verify} checks that it did: an application that embeds Ferry may have made one first.
 */
public final class TlsTruncation {

  private static final String PROPERTY = "com.sun.net.ssl.requireCloseNotify";
  private static final int TIMEOUT_MILLIS = 10_000;

  private TlsTruncation() {}

  /**
   * Sets the JVM-wide TLS settings FTPS needs before anything uses TLS: this one, and the server
   * name a client sends ignored ({@link ServerNames}), which the JDK also reads only once.
   */
  public static void detect() {
    System.setProperty(PROPERTY, "true");
    ServerNames.ignoreOnServers();
  }

  /**
   * Checks on loopback that this JVM tells a killed client from a finished one: a TLS 1.2 client
   * that drops its TCP connection without close_notify must make the server's read fail. When it
   * does not, FTPS would commit a killed client's partial upload, so it must not start.
   *
   * @param server the context FTPS data connections use
   * @throws IOException naming the cause and the fix when the JVM reads a bare close as a clean end
   */
  public static void verify(SSLContext server) throws IOException {
    InetAddress loopback = InetAddress.getLoopbackAddress();
    try (SSLServerSocket listener = (SSLServerSocket) server.getServerSocketFactory()
        .createServerSocket(0, 1, loopback)) {
      listener.setEnabledProtocols(new String[] {"TLSv1.2"});
      listener.setSoTimeout(TIMEOUT_MILLIS);
      CompletableFuture<Boolean> cleanEnd = new CompletableFuture<>();
      Thread reader = new Thread(() -> readUntilTheEnd(listener, cleanEnd), "ferry-tls-truncation-check");
      reader.setDaemon(true);
      reader.start();
      try (Socket raw = new Socket(loopback, listener.getLocalPort())) {
        SSLSocket tls = (SSLSocket) selfTestClient().getSocketFactory()
            .createSocket(raw, loopback.getHostAddress(), listener.getLocalPort(), false);
        tls.setEnabledProtocols(new String[] {"TLSv1.2"});
        tls.startHandshake();
        tls.getOutputStream().write('x');
        tls.getOutputStream().flush();
      } // the TCP connection closes under the TLS one: no close_notify, as from a killed client
      if (cleanEnd.get(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)) {
        throw new IOException("FTPS cannot tell a client killed mid-upload from one that finished in this JVM:"
            + " something made an SSLSocket before Ferry set " + PROPERTY + "=true, and the JDK reads it only"
            + " then, so a killed client's partial upload would be committed. Start the JVM with -D" + PROPERTY
            + "=true (or create the Ferry server before anything else uses TLS)");
      }
    } catch (GeneralSecurityException | ExecutionException | TimeoutException e) {
      throw new IOException("checking that FTPS detects truncated TLS uploads failed: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while checking that FTPS detects truncated TLS uploads", e);
    }
  }

  /** Completes with true when the dropped connection read as a clean end of stream, false when it failed. */
  private static void readUntilTheEnd(SSLServerSocket listener, CompletableFuture<Boolean> cleanEnd) {
    try (Socket accepted = listener.accept()) {
      accepted.setSoTimeout(TIMEOUT_MILLIS);
      InputStream in = accepted.getInputStream();
      while (in.read() >= 0) {
        // the one byte the client sent; what matters is how the stream ends
      }
      cleanEnd.complete(true);
    } catch (SSLException e) {
      cleanEnd.complete(false);
    } catch (IOException | RuntimeException e) {
      cleanEnd.completeExceptionally(e);
    }
  }

  /**
   * The client side of the check: this process talking to itself on loopback about how TLS ends,
   * not a connection whose peer must be trusted, so it accepts the server's certificate as it is.
   */
  private static SSLContext selfTestClient() throws GeneralSecurityException {
    SSLContext context = SSLContext.getInstance("TLSv1.2");
    context.init(null, new TrustManager[] {new X509TrustManager() {
      @Override
      public void checkClientTrusted(X509Certificate[] chain, String authType) {}

      @Override
      public void checkServerTrusted(X509Certificate[] chain, String authType) {}

      @Override
      public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
      }
    }}, null);
    return context;
  }
}
