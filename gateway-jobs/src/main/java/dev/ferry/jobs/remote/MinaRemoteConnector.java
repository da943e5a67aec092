package dev.ferry.jobs.remote;

import dev.ferry.ssh.ModernAlgorithms;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.sshd.client.ClientBuilder;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.NamedResource;
import org.apache.sshd.common.config.keys.FilePasswordProvider;
import org.apache.sshd.common.util.security.SecurityUtils;
import org.apache.sshd.core.CoreModuleProperties;

/**
 * Outbound SSH for transfer jobs: one MINA {@link SshClient} per configured remote, so each checks
 * that remote's host key and nothing else, logging in with the remote's private key. A session
 * that ends in one piece ({@link RemoteSession#markReusable()}) leaves its connection to the next
 * session to the same remote ({@link IdleConnections}): a job of a few bytes then costs no key
 * exchange, login or SFTP start.
 */
public final class MinaRemoteConnector implements RemoteConnector {

  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(30);

  private final Map<String, SshClient> clients = new ConcurrentHashMap<>();
  private final Map<String, HostKeyCheck> hostKeyChecks = new ConcurrentHashMap<>();
  private final Map<String, List<KeyPair>> identities = new ConcurrentHashMap<>();
  private final IdleConnections idle;

  /** With the default pool: four idle connections per remote, closed after a minute unused. */
  public MinaRemoteConnector() {
    this(ConnectionPool.DEFAULT);
  }

  public MinaRemoteConnector(ConnectionPool pool) {
    this.idle = new IdleConnections(pool);
  }

  /** How many connections wait idle now, over all remotes. */
  public int idleConnections() {
    return idle.size();
  }

  @Override
  public RemoteSession connect(RemoteHost host) throws IOException {
    IdleConnections.Connection reused = idle.take(host.name());
    if (reused != null) {
      return new MinaRemoteSession(host, reused, idle);
    }
    SshClient client = client(host);
    List<KeyPair> keys = identity(host);
    ClientSession session = null;
    try {
      session = client.connect(host.user(), host.address(), host.port()).verify(CONNECT_TIMEOUT).getSession();
      for (KeyPair key : keys) {
        session.addPublicKeyIdentity(key);
      }
      session.auth().verify(CONNECT_TIMEOUT);
      return new MinaRemoteSession(host, new IdleConnections.Connection(session, null), idle);
    } catch (IOException | RuntimeException e) {
      HostKeyCheck check = hostKeyChecks.get(host.name());
      String rejected = check == null ? null : check.rejected();
      if (session != null) {
        session.close(true);
      }
      if (rejected != null) {
        throw new RemoteException(RemoteException.Kind.HOST_KEY_MISMATCH, "host key of remote '" + host.name()
            + "' (" + host.address() + ":" + host.port() + ") is " + rejected + ", which does not match the configured"
            + " hostKey: refused", e);
      }
      boolean authFailed = session != null && session.isOpen() || String.valueOf(e.getMessage()).contains("No more authentication methods");
      if (authFailed) {
        throw new RemoteException(RemoteException.Kind.AUTHENTICATION, "login as '" + host.user() + "' on remote '"
            + host.name() + "' failed: " + e.getMessage(), e);
      }
      throw new RemoteException(RemoteException.Kind.CONNECTION, "cannot connect to remote '" + host.name() + "' ("
          + host.address() + ":" + host.port() + "): " + e.getMessage(), e);
    }
  }

  private SshClient client(RemoteHost host) throws IOException {
    SshClient existing = clients.get(host.name());
    if (existing != null) {
      return existing;
    }
    synchronized (clients) {
      existing = clients.get(host.name());
      if (existing != null) {
        return existing;
      }
      SshClient client = SshClient.setUpDefaultClient();
      ModernAlgorithms.applyToClient(client, ClientBuilder.DH2KEX);
      HostKeyCheck check = new HostKeyCheck(host);
      client.setServerKeyVerifier(check);
      hostKeyChecks.put(host.name(), check);
      // No ~/.ssh defaults: the configured key is the only identity, the configured host key the only trust.
      client.setKeyIdentityProvider(session -> List.of());
      CoreModuleProperties.HEARTBEAT_INTERVAL.set(client, Duration.ofSeconds(30));
      // Commands and SFTP requests wait for replies: no Nagle delay on them (see SftpServer).
      CoreModuleProperties.TCP_NODELAY.set(client, true);
      client.start();
      clients.put(host.name(), client);
      return client;
    }
  }

  private List<KeyPair> identity(RemoteHost host) throws IOException {
    List<KeyPair> cached = identities.get(host.name());
    if (cached != null) {
      return cached;
    }
    try (InputStream in = Files.newInputStream(host.privateKey())) {
      Iterable<KeyPair> loaded = SecurityUtils.loadKeyPairIdentities(null, NamedResource.ofName(host.privateKey()
          .toString()), in, host.passphrase() == null ? FilePasswordProvider.EMPTY
              : FilePasswordProvider.of(host.passphrase()));
      List<KeyPair> keys = new ArrayList<>();
      if (loaded != null) {
        loaded.forEach(keys::add);
      }
      if (keys.isEmpty()) {
        throw new IOException("no key in the file");
      }
      identities.put(host.name(), keys);
      return keys;
    } catch (IOException | GeneralSecurityException | RuntimeException e) {
      throw new RemoteException(RemoteException.Kind.AUTHENTICATION, "cannot read private key " + host.privateKey()
          + " of remote '" + host.name() + "': " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    idle.close();
    clients.values().forEach(SshClient::stop);
    clients.clear();
  }
}
