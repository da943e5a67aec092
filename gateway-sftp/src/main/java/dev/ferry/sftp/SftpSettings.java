package dev.ferry.sftp;

import dev.ferry.core.FerryConfig;
import dev.ferry.core.config.ConfigException;
import dev.ferry.core.config.ConfigNode;
import dev.ferry.core.user.AuthorizedKeyLine;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The {@code sftp:} section of ferry.yaml: the SFTP front-end's listener, host keys and SSH channel
 * tuning. {@code hostKeyDirectory} holds the host keys generated at first start; {@code maxOpenHandles}
 * limits the files and directories one SFTP session has open at once.
 */
public record SftpSettings(boolean enabled, String bindAddress, int port, Path hostKeyDirectory,
    int idleTimeoutSeconds, int maxSessions, long windowSize, int packetSize, int maxOpenHandles,
    List<String> trustedUserCaKeys, Set<Long> revokedCertificateSerials) {

  /** The {@code sftp:} section of {@code config}, with the host key directory under its dataDir. */
  public static SftpSettings of(FerryConfig config) {
    return parse(config.sftpSection(), config.dataDir());
  }

  /** @throws ConfigException naming the key of a wrong or unknown setting */
  public static SftpSettings parse(ConfigNode sftp, Path dataDir) {
    sftp.allowOnly("enabled", "bindAddress", "port", "hostKeyDir", "idleTimeout", "maxSessions", "windowSize",
        "packetSize", "maxOpenHandles", "trustedUserCaKeys", "revokedCertificateSerials");
    long windowSize = sftp.bytes("windowSize", 8L << 20);
    if (windowSize < (64L << 10) || windowSize > (1L << 30)) {
      throw new ConfigException(sftp.keyOf("windowSize"), "must be between 64KiB and 1GiB");
    }
    long packetSize = sftp.bytes("packetSize", 64L << 10);
    if (packetSize < (32L << 10) || packetSize > (256L << 10)) {
      throw new ConfigException(sftp.keyOf("packetSize"), "must be between 32KiB and 256KiB (SSH's packet limits)");
    }
    return new SftpSettings(sftp.bool("enabled", true), sftp.string("bindAddress", "0.0.0.0"),
        sftp.integer("port", 2222, 0, 65535), dataDir.resolve(sftp.string("hostKeyDir", "ssh")),
        (int) sftp.duration("idleTimeout", Duration.ofMinutes(10)).toSeconds(),
        sftp.integer("maxSessions", 200, 1, 10000), windowSize, (int) packetSize,
        sftp.integer("maxOpenHandles", 64, 1, 512), caKeys(sftp), serials(sftp));
  }

  /** {@code sftp.trustedUserCaKeys}: the CAs whose user certificates log in (authorized_keys lines, as sshd's TrustedUserCAKeys). */
  private static List<String> caKeys(ConfigNode sftp) {
    List<String> keys = sftp.strings("trustedUserCaKeys");
    for (int i = 0; i < keys.size(); i++) {
      String problem = AuthorizedKeyLine.problem(keys.get(i));
      if (problem != null) {
        throw new ConfigException(sftp.keyOf("trustedUserCaKeys") + "[" + i + "]", problem);
      }
    }
    return List.copyOf(keys);
  }

  /** {@code sftp.revokedCertificateSerials}: serial numbers (as ssh-keygen -z set them) refused whatever CA signed them. */
  private static Set<Long> serials(ConfigNode sftp) {
    Set<Long> serials = new HashSet<>();
    List<String> listed = sftp.strings("revokedCertificateSerials");
    for (int i = 0; i < listed.size(); i++) {
      try {
        serials.add(Long.parseUnsignedLong(listed.get(i).trim()));
      } catch (NumberFormatException e) {
        throw new ConfigException(sftp.keyOf("revokedCertificateSerials") + "[" + i + "]",
            "must be a certificate serial number (0 to 2^64-1), got '" + listed.get(i) + "'");
      }
    }
    return Set.copyOf(serials);
  }
}
