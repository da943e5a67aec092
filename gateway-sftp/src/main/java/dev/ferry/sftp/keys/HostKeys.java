package dev.ferry.sftp.keys;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.digest.BuiltinDigests;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.common.util.security.SecurityUtils;
import org.apache.sshd.server.keyprovider.SimpleGeneratorHostKeyProvider;

/**
 * The server's host keys, Ed25519 and RSA 3072, generated once into the host key directory (private
 * keys as files only the owner reads, public keys beside them as {@code *.pub} lines for
 * known_hosts) and loaded from there on every later start, so clients see the same host.
 */
public final class HostKeys {

  private final List<KeyPair> pairs;
  private final Path directory;

  private HostKeys(Path directory, List<KeyPair> pairs) {
    this.directory = directory;
    this.pairs = pairs;
  }

  public static HostKeys loadOrGenerate(Path directory) throws IOException {
    Files.createDirectories(directory);
    if (!SecurityUtils.isEDDSACurveSupported()) {
      throw new IOException("Ed25519 is not available: BouncyCastle is missing from the class path");
    }
    List<KeyPair> pairs = new ArrayList<>();
    pairs.add(load(directory.resolve("ssh_host_ed25519_key"), SecurityUtils.EDDSA, 256));
    pairs.add(load(directory.resolve("ssh_host_rsa_key"), KeyUtils.RSA_ALGORITHM, 3072));
    return new HostKeys(directory, List.copyOf(pairs));
  }

  private static KeyPair load(Path file, String algorithm, int size) throws IOException {
    SimpleGeneratorHostKeyProvider provider = new SimpleGeneratorHostKeyProvider(file);
    provider.setAlgorithm(algorithm);
    if (size > 0) {
      provider.setKeySize(size);
    }
    provider.setStrictFilePermissions(true);
    KeyPair pair;
    try {
      pair = provider.loadKeys(null).iterator().next();
    } catch (RuntimeException e) {
      throw new IOException("cannot load or create the host key " + file + ": " + e.getMessage(), e);
    }
    Path publicFile = file.resolveSibling(file.getFileName() + ".pub");
    String line = PublicKeyEntry.toString(pair.getPublic()) + " ferry\n";
    if (!Files.exists(publicFile) || !Files.readString(publicFile, StandardCharsets.UTF_8).equals(line)) {
      Files.writeString(publicFile, line, StandardCharsets.UTF_8);
    }
    return pair;
  }

  public KeyPairProvider provider() {
    return KeyPairProvider.wrap(pairs);
  }

  public Path directory() {
    return directory;
  }

  /** "ssh-ed25519 SHA256:..." per key, what {@code ssh} shows on first connection. */
  public List<String> fingerprints() {
    return pairs.stream().map(p -> KeyUtils.getKeyType(p) + " "
        + KeyUtils.getFingerPrint(BuiltinDigests.sha256, p.getPublic())).toList();
  }
}
