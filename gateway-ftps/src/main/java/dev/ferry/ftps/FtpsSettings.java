package dev.ferry.ftps;

import dev.ferry.core.FerryConfig;
import dev.ferry.core.config.ConfigException;
import dev.ferry.core.config.ConfigNode;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The {@code ftps:} section of ferry.yaml: the FTPS front-end's listeners and TLS material.
 * {@code implicitPort} -1 turns implicit TLS off; {@code certificate} and {@code privateKey} are
 * null when Ferry makes its own.
 */
public record FtpsSettings(String bindAddress, int port, int implicitPort, String passivePorts,
    String passiveAddress, boolean allowPlainFtp, Path certificate, Path privateKey,
    int idleTimeoutSeconds, int maxLogins, boolean modeZ, Duration passiveTimeout) {

  /** The {@code ftps:} section of {@code config}, with files relative to the config file's directory. */
  public static FtpsSettings of(FerryConfig config) {
    return parse(config.ftpsSection(), config.file().directory());
  }

  /** @throws ConfigException naming the key of a wrong or unknown setting */
  public static FtpsSettings parse(ConfigNode ftps, Path base) {
    ftps.allowOnly("bindAddress", "port", "implicitPort", "passivePorts", "passiveAddress", "allowPlainFtp",
        "certificate", "privateKey", "idleTimeout", "maxLogins", "modeZ", "passiveTimeout");
    String passivePorts = passivePorts(ftps);
    String certificate = ftps.string("certificate", null);
    String privateKey = ftps.string("privateKey", null);
    if ((certificate == null) != (privateKey == null)) {
      throw new ConfigException(ftps.keyOf(certificate == null ? "certificate" : "privateKey"),
          "certificate and privateKey must be given together");
    }
    // Clients connect right after the transfer command that follows PASV: half a minute covers a
    // slow S3 check before the 150, and gives a port nobody uses back well before the idle timeout.
    Duration passiveTimeout = ftps.duration("passiveTimeout", Duration.ofSeconds(30));
    if (passiveTimeout.toMillis() < 1000) {
      throw new ConfigException(ftps.keyOf("passiveTimeout"), "must be at least 1s, got " + passiveTimeout.toMillis() + "ms");
    }
    return new FtpsSettings(ftps.string("bindAddress", "0.0.0.0"), ftps.integer("port", 2121, 0, 65535),
        ftps.integer("implicitPort", 2990, -1, 65535), passivePorts, ftps.string("passiveAddress", null),
        ftps.bool("allowPlainFtp", false), certificate == null ? null : base.resolve(certificate),
        privateKey == null ? null : base.resolve(privateKey),
        (int) ftps.duration("idleTimeout", Duration.ofMinutes(5)).toSeconds(), ftps.integer("maxLogins", 200, 1, 10000),
        ftps.bool("modeZ", false), passiveTimeout);
  }

  /** {@code ftps.passivePorts}: ports and ranges, comma-separated ("30000-30099,30200"; 0 = any free port). */
  private static String passivePorts(ConfigNode ftps) {
    String passivePorts = ftps.string("passivePorts", "30000-30099");
    if (!passivePorts.matches("\\d{1,5}(-\\d{1,5})?(,\\d{1,5}(-\\d{1,5})?)*")) {
      throw new ConfigException(ftps.keyOf("passivePorts"), "must be a port range such as 30000-30099, got '" + passivePorts + "'");
    }
    for (String range : passivePorts.split(",")) {
      String[] ends = range.split("-");
      int low = Integer.parseInt(ends[0]);
      int high = ends.length > 1 ? Integer.parseInt(ends[1]) : low;
      if (high > 65535 || low > high) {
        throw new ConfigException(ftps.keyOf("passivePorts"), "range '" + range
            + "' must go from a lower to a higher port, both at most 65535 (0 = any free port)");
      }
    }
    return passivePorts;
  }
}
