package dev.ferry.jobs.remote;

import java.nio.file.Path;
import java.util.List;

/**
 * A configured destination for transfers. {@code hostKey} is mandatory (a known_hosts line or a
 * SHA256 fingerprint): Ferry never trusts a remote it has not been told about. Transfers may only
 * write under {@code roots}.
 */
public record RemoteHost(String name, String address, int port, String user, Path privateKey, String passphrase,
    String hostKey, List<String> roots) {

  /** Whether an absolute, normalized remote path lies under one of the allowed roots. */
  public boolean allows(String path) {
    for (String root : roots) {
      String withSlash = root.endsWith("/") ? root : root + "/";
      if (path.startsWith(withSlash)) {
        return true;
      }
    }
    return false;
  }

  @Override
  public String toString() {
    return name + " (" + user + "@" + address + ":" + port + ")";
  }
}
