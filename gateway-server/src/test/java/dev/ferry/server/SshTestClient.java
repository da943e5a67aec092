package dev.ferry.server;

import java.io.IOException;
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
    return login(user, port, session -> session.addPasswordIdentity(password));
  }

  private ClientSession login(String user, int port, Consumer<ClientSession> identity) throws IOException {
    ClientSession session = client.connect(user, "127.0.0.1", port).verify(Duration.ofSeconds(10)).getSession();
    try {
      identity.accept(session);
      session.auth().verify(Duration.ofSeconds(10));
      return session;
    } catch (IOException | RuntimeException e) {
      session.close(true);
      throw e;
    }
  }
}
