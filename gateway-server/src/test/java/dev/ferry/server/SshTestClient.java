package dev.ferry.server;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.security.KeyPair;
import java.time.Duration;
import java.util.function.Consumer;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.session.ClientSession;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A MINA SSH client for a test class ({@code @RegisterExtension static}): started before its tests,
 * stopped after. It trusts any host key: Ferry's is generated per test run.
 */
public final class SshTestClient implements BeforeAllCallback, AfterAllCallback {

  private SshClient client;

  @Override
  public void beforeAll(ExtensionContext context) {
    client = SshClient.setUpDefaultClient();
    client.setServerKeyVerifier((session, address, key) -> true);
    client.start();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    client.stop();
  }

  /** A session of {@code user}'s on 127.0.0.1:{@code port}, signed in with {@code key}. */
  public ClientSession login(String user, int port, KeyPair key) throws IOException {
    return login(user, port, session -> session.addPublicKeyIdentity(key));
  }

  /** A session of {@code user}'s on 127.0.0.1:{@code port}, signed in with {@code password}. */
  public ClientSession login(String user, int port, String password) throws IOException {
    return login(user, port, "127.0.0.1", session -> session.addPasswordIdentity(password));
  }

  /**
   * As {@link #login(String, int, String)}, from {@code fromAddress}: any 127.x address reaches
   * loopback, so a test can be several clients to Ferry's per-address rules.
   */
  public ClientSession loginFrom(String fromAddress, String user, int port, String password) throws IOException {
    return login(user, port, fromAddress, session -> session.addPasswordIdentity(password));
  }

  private ClientSession login(String user, int port, Consumer<ClientSession> identity) throws IOException {
    return login(user, port, "127.0.0.1", identity);
  }

  private ClientSession login(String user, int port, String fromAddress, Consumer<ClientSession> identity)
      throws IOException {
    ClientSession session = client.connect(user, new InetSocketAddress("127.0.0.1", port),
        new InetSocketAddress(fromAddress, 0)).verify(Duration.ofSeconds(10)).getSession();
    try {
      identity.accept(session);
      // Generous: under a loaded CI run, two nodes and a store, an SSH login has taken over 10 s.
      session.auth().verify(Duration.ofSeconds(30));
      return session;
    } catch (IOException | RuntimeException e) {
      session.close(true);
      throw e;
    }
  }
}
