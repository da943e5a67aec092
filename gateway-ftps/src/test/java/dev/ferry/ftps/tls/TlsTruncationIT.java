package dev.ferry.ftps.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * FTPS's check that the JVM tells a killed TLS client from a finished one: it passes where Ferry set
 * the JDK's flag first, and refuses, naming the fix, in a JVM where an SSLSocket was made before.
 */
class TlsTruncationIT {

  @TempDir
  Path dir;

  @Test
  void verify_flagSetBeforeAnySslSocket_passes() throws Exception {
    TlsTruncation.detect();
    TlsTruncation.verify(TlsMaterial.loadOrGenerate(dir).sslContext());
  }

  @Test
  void verify_sslSocketMadeBeforeTheFlag_refusesNamingTheFix() throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    Process probe = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
        TlsTruncationProbe.class.getName(), dir.toString())).redirectErrorStream(true).start();
    String output = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(probe.waitFor(60, TimeUnit.SECONDS));
    assertEquals(0, probe.exitValue(), output);
    assertTrue(output.contains("refused: FTPS cannot tell a client killed mid-upload from one that finished"), output);
    assertTrue(output.contains("-Dcom.sun.net.ssl.requireCloseNotify=true"), output);
  }
}
