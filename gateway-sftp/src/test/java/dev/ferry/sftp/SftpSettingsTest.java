package dev.ferry.sftp;

import static dev.ferry.core.testing.TestConfigs.refusedNaming;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.FerryConfig;
import dev.ferry.core.config.ConfigException;
import dev.ferry.core.testing.TestConfigs;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sftp section: its defaults, what it accepts, and bad input refused naming the key. */
class SftpSettingsTest {

  private static final long MIB = 1024L * 1024;

  @TempDir
  Path dir;

  private SftpSettings load(String yaml) throws IOException {
    return SftpSettings.of(TestConfigs.load(dir, yaml));
  }

  @Test
  void of_noSection_port2222AndHostKeysUnderDataDir() throws Exception {
    FerryConfig config = TestConfigs.load(dir, "dataDir: ferry-data\n");
    SftpSettings sftp = SftpSettings.of(config);

    assertTrue(sftp.enabled());
    assertEquals(2222, sftp.port());
    assertEquals("0.0.0.0", sftp.bindAddress());
    assertEquals(config.dataDir().resolve("ssh"), sftp.hostKeyDirectory());
    assertEquals(64, sftp.maxOpenHandles());
    assertEquals(200, sftp.maxSessions());
    assertEquals(8 * MIB, sftp.windowSize());
    assertEquals(64 * 1024, sftp.packetSize());
    assertTrue(sftp.trustedUserCaKeys().isEmpty());
  }

  @Test
  void of_section_read() throws Exception {
    SftpSettings sftp = load("sftp:\n  enabled: false\n  bindAddress: 127.0.0.1\n  port: 0\n  windowSize: 4MiB\n"
        + "  packetSize: 32KiB\n  maxOpenHandles: 16\n  revokedCertificateSerials: ['7', '18446744073709551615']\n");

    assertEquals(16, sftp.maxOpenHandles());
    assertFalse(sftp.enabled());
    assertEquals("127.0.0.1", sftp.bindAddress());
    assertEquals(0, sftp.port());
    assertEquals(4 * MIB, sftp.windowSize());
    assertEquals(32 * 1024, sftp.packetSize());
    assertEquals(Set.of(7L, -1L), sftp.revokedCertificateSerials(), "unsigned, as ssh-keygen writes them");
  }

  @Test
  void of_maxOpenHandlesOutOfBounds_namesKey() {
    refusedNaming("sftp.maxOpenHandles", () -> load("sftp:\n  maxOpenHandles: 0\n"));
    refusedNaming("sftp.maxOpenHandles", () -> load("sftp:\n  maxOpenHandles: 513\n"));
  }

  @Test
  void of_packetSizeTooLarge_namesKey() {
    refusedNaming("sftp.packetSize", () -> load("sftp:\n  packetSize: 1MiB\n"));
  }

  @Test
  void of_unknownKey_namesIt() {
    ConfigException e = refusedNaming("sftp.prot", () -> load("sftp:\n  prot: 22\n"));

    assertEquals("config key 'sftp.prot': unknown key (expected one of enabled, bindAddress, port, hostKeyDir,"
        + " idleTimeout, maxSessions, windowSize, packetSize, maxOpenHandles, trustedUserCaKeys,"
        + " revokedCertificateSerials)", e.getMessage());
  }

  @Test
  void of_badCaKeyOrSerial_namesItsIndex() {
    refusedNaming("sftp.trustedUserCaKeys[0]", () -> load("sftp:\n  trustedUserCaKeys: ['ssh-dss AAAA']\n"));
    ConfigException serial = refusedNaming("sftp.revokedCertificateSerials[1]",
        () -> load("sftp:\n  revokedCertificateSerials: ['7', 'x']\n"));
    assertTrue(serial.getMessage().contains("got 'x'"), serial.getMessage());
  }
}
