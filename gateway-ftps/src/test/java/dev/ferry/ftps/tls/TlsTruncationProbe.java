package dev.ferry.ftps.tls;

import java.io.IOException;
import java.nio.file.Path;
import javax.net.ssl.SSLSocketFactory;

/**
 * A JVM as an embedding application may leave it: an SSLSocket made (here, unconnected) before
 * Ferry sets the JDK's close_notify flag. Prints what {@link TlsTruncation#verify} says; {@code
 * TlsTruncationIT} runs it in a process of its own.
 */
public final class TlsTruncationProbe {

  public static void main(String[] args) throws Exception {
    SSLSocketFactory.getDefault().createSocket().close();
    TlsTruncation.detect();
    try {
      TlsTruncation.verify(TlsMaterial.loadOrGenerate(Path.of(args[0])).sslContext());
      System.out.println("passed");
    } catch (IOException e) {
      System.out.println("refused: " + e.getMessage());
    }
  }
}
