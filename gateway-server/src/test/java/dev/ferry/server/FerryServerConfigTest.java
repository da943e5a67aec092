package dev.ferry.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.ferry.core.FerryConfig;
import dev.ferry.core.config.ConfigException;
import dev.ferry.core.testing.TestConfigs;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The front-ends' sections are theirs to parse, yet a wrong one still stops Ferry where a wrong
 * core key does: building the server, before anything starts (Main prints the message and exits 2).
 */
class FerryServerConfigTest {

  @TempDir
  Path dir;

  private ConfigException refused(String yaml) throws Exception {
    FerryConfig config = TestConfigs.load(dir, yaml);
    return assertThrows(ConfigException.class, () -> new FerryServer(config, Clock.systemUTC()));
  }

  @Test
  void new_unknownFtpsKey_refusedNamingIt() throws Exception {
    assertEquals("config key 'ftps.prot': unknown key (expected one of bindAddress, port, implicitPort, passivePorts,"
        + " passiveAddress, allowPlainFtp, certificate, privateKey, idleTimeout, maxLogins, modeZ, passiveTimeout)",
        refused("ftps:\n  prot: P\n").getMessage());
  }

  @Test
  void new_badSftpValue_refusedNamingTheKey() throws Exception {
    assertEquals("config key 'sftp.packetSize': must be between 32KiB and 256KiB (SSH's packet limits)",
        refused("sftp:\n  packetSize: 1MiB\n").getMessage());
  }

  @Test
  void new_sftpOff_itsSectionStillChecked() throws Exception {
    assertEquals("config key 'sftp.windowSize': must be between 64KiB and 1GiB",
        refused("sftp:\n  enabled: false\n  windowSize: 1KiB\n").getMessage());
  }
}
