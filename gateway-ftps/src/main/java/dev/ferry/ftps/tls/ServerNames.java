package dev.ferry.ftps.tls;

import java.util.Arrays;

/**
 * Makes this JVM's TLS servers ignore the server name (SNI) a client sends. lftp sends the address
 * it connects to as the name, "::1" included, which RFC 6066 does not allow; the JDK refuses such a
 * ClientHello with illegal_parameter ("Illegal server name, type=host_name(0), name=::1") before any
 * of Ferry's code sees it, and lftp then falls back to plain FTP, which is refused. OpenSSL-based
 * servers ignore a name they cannot use. Ferry has one certificate, whatever the name, so the
 * extension is turned off on the server side ({@code jdk.tls.server.disableExtensions}), on control
 * and data connections, explicit and implicit; clients in this JVM (S3, remote hosts) keep theirs,
 * which is another setting. The JDK reads it once, when TLS is first used: see
 * {@link TlsTruncation#detect()}, which calls this.
 */
public final class ServerNames {

  static final String PROPERTY = "jdk.tls.server.disableExtensions";
  private static final String SERVER_NAME = "server_name";

  private ServerNames() {}

  public static void ignoreOnServers() {
    String disabled = System.getProperty(PROPERTY, "").trim();
    if (Arrays.stream(disabled.split(",")).map(String::trim).noneMatch(SERVER_NAME::equals)) {
      System.setProperty(PROPERTY, disabled.isEmpty() ? SERVER_NAME : disabled + "," + SERVER_NAME);
    }
  }
}
