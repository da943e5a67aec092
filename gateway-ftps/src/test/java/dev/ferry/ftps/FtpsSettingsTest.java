package dev.ferry.ftps;

import static dev.ferry.core.testing.TestConfigs.refusedNaming;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.config.ConfigException;
import dev.ferry.core.testing.TestConfigs;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ftps section: its defaults, what it accepts, and bad input refused naming the key. */
class FtpsSettingsTest {

  @TempDir
  Path dir;

  private FtpsSettings load(String yaml) throws IOException {
    return FtpsSettings.of(TestConfigs.load(dir, yaml));
  }

  @Test
  void of_noSection_appliesDefaults() throws Exception {
    FtpsSettings ftps = load("dataDir: ferry-data\n");

    assertEquals("0.0.0.0", ftps.bindAddress());
    assertEquals(2121, ftps.port());
    assertEquals(2990, ftps.implicitPort());
    assertEquals("30000-30099", ftps.passivePorts());
    assertFalse(ftps.allowPlainFtp());
    assertNull(ftps.certificate());
    assertEquals(300, ftps.idleTimeoutSeconds());
    assertEquals(200, ftps.maxLogins());
    assertEquals(Duration.ofSeconds(30), ftps.passiveTimeout());
  }

  @Test
  void of_section_readsEverySetting() throws Exception {
    FtpsSettings ftps = load("""
        ftps:
          port: 21
          implicitPort: -1
          passivePorts: 40000-40010,40020
          allowPlainFtp: yes
          idleTimeout: 2m
          certificate: tls/cert.pem
          privateKey: tls/key.pem
          maxLogins: 50
          modeZ: true
          passiveTimeout: 5s
        """);

    assertEquals(21, ftps.port());
    assertEquals(-1, ftps.implicitPort());
    assertEquals("40000-40010,40020", ftps.passivePorts());
    assertTrue(ftps.allowPlainFtp());
    assertEquals(120, ftps.idleTimeoutSeconds());
    assertEquals(dir.resolve("tls/cert.pem"), ftps.certificate(), "relative to the config file");
    assertEquals(dir.resolve("tls/key.pem"), ftps.privateKey());
    assertEquals(50, ftps.maxLogins());
    assertTrue(ftps.modeZ());
    assertEquals(Duration.ofSeconds(5), ftps.passiveTimeout());
  }

  @Test
  void of_unknownKey_namesItAndListsTheKnownOnes() {
    ConfigException e = refusedNaming("ftps.prot", () -> load("ftps:\n  prot: P\n"));

    assertEquals("config key 'ftps.prot': unknown key (expected one of bindAddress, port, implicitPort, passivePorts,"
        + " passiveAddress, allowPlainFtp, certificate, privateKey, idleTimeout, maxLogins, modeZ, passiveTimeout)",
        e.getMessage());
  }

  @Test
  void of_passivePortsNotARange_namesKey() {
    ConfigException e = refusedNaming("ftps.passivePorts", () -> load("ftps:\n  passivePorts: 30000:30099\n"));

    assertTrue(e.getMessage().contains("30000:30099"), e.getMessage());
    refusedNaming("ftps.passivePorts", () -> load("ftps:\n  passivePorts: lots\n"));
  }

  @Test
  void of_passivePortAbove65535_namesKey() {
    refusedNaming("ftps.passivePorts", () -> load("ftps:\n  passivePorts: 70000-70099\n"));
  }

  @Test
  void of_passivePortsRangeReversed_namesKey() {
    refusedNaming("ftps.passivePorts", () -> load("ftps:\n  passivePorts: 30099-30000\n"));
  }

  @Test
  void of_portOutOfRange_namesKey() {
    refusedNaming("ftps.port", () -> load("ftps:\n  port: 65536\n"));
  }

  @Test
  void of_certificateWithoutPrivateKey_namesKey() {
    refusedNaming("ftps.privateKey", () -> load("ftps:\n  certificate: cert.pem\n"));
  }

  @Test
  void of_allowPlainFtpNotBoolean_namesKey() {
    refusedNaming("ftps.allowPlainFtp", () -> load("ftps:\n  allowPlainFtp: maybe\n"));
  }

  @Test
  void of_passiveTimeoutUnderASecond_namesKey() {
    refusedNaming("ftps.passiveTimeout", () -> load("ftps:\n  passiveTimeout: 500ms\n"));
  }
}
