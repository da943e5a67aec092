package dev.ferry.sftp;

import dev.ferry.core.FerryConfig;
import dev.ferry.core.Gateway;
import dev.ferry.core.testing.Await;
import dev.ferry.core.testing.S3TestServer;
import dev.ferry.core.user.PasswordHasher;
import dev.ferry.ftps.FtpsServer;
import dev.ferry.ftps.FtpsSettings;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import org.apache.commons.net.ftp.FTP;
import org.apache.commons.net.ftp.FTPReply;
import org.apache.commons.net.ftp.FTPSClient;
import org.apache.commons.net.util.TrustManagerUtils;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.SftpClientFactory;

/**
 * A real Ferry with its SFTP and FTPS front-ends on loopback over a real S3-API server. Users:
 * alice (all permissions, password and an Ed25519 key), reader (list and read) and writer
 * (everything but overwrite). Clients check the server's host key against Ferry's own.
 */
final class SftpTestGateway implements AutoCloseable {

  static final String PASSWORD = "s3cret-Pa55";
  /** Long enough to tell from a bcrypt check alone (a few hundred milliseconds in a cold JVM). */
  static final Duration LOGIN_FAILURE_DELAY = Duration.ofSeconds(1);
  private static final Duration LOGIN_TIMEOUT = Duration.ofSeconds(30);
  private static final String HASH = PasswordHasher.hash(PASSWORD.toCharArray());

  final String bucket;
  final Gateway gateway;
  final SftpServer sftp;
  final FtpsServer ftps;
  final KeyPair aliceKey;
  final SshClient client;

  SftpTestGateway(S3TestServer s3, Path dir, long partSize, String extraUploads) throws IOException {
    this(s3, s3.endpoint(), dir, partSize, extraUploads);
  }

  /** Ferry talks to S3 at {@code endpoint}: {@code s3} itself, or a proxy in front of it. */
  SftpTestGateway(S3TestServer s3, URI endpoint, Path dir, long partSize, String extraUploads) throws IOException {
    this(s3, endpoint, dir, """
        uploads:
          partSize: %d
          singlePutLimit: %d
          partsInFlight: 3
          memoryBudget: 64MiB
          orphanAge: 0s
        %s
        """.formatted(partSize, partSize, extraUploads));
  }

  /**
   * Ferry with the default upload, download and session limits, which attacks on those limits must
   * meet as a real installation has them (the budgets then follow this JVM's heap, as Ferry's do).
   */
  static SftpTestGateway atDefaultLimits(S3TestServer s3, Path dir) throws IOException {
    return new SftpTestGateway(s3, s3.endpoint(), dir, "");
  }

  private SftpTestGateway(S3TestServer s3, URI endpoint, Path dir, String uploads) throws IOException {
    bucket = s3.createBucket();
    try {
      aliceKey = KeyUtils.generateKeyPair(KeyPairProvider.SSH_ED25519, 256);
    } catch (GeneralSecurityException e) {
      throw new IOException(e);
    }
    String yaml = """
        dataDir: %s
        s3:
          endpoint: %s
          accessKey: %s
          secretKey: %s
        ftps:
          bindAddress: 127.0.0.1
          port: 0
          implicitPort: -1
          passivePorts: "0"
        sftp:
          bindAddress: 127.0.0.1
          port: 0
        %s
        login:
          failureDelay: %dms
          maxFailures: 50
        shutdown:
          grace: 5s
        users:
          - name: alice
            passwordHash: "%s"
            home: s3://%s/home/alice/
            permissions: [all]
            publicKeys:
              - "%s alice@test"
          - name: reader
            passwordHash: "%s"
            home: s3://%s/home/alice/
            permissions: [list, read]
          - name: writer
            passwordHash: "%s"
            home: s3://%s/home/alice/
            permissions: [list, read, write, delete, rename, mkdir]
        """.formatted(dir.resolve("data"), endpoint, s3.accessKey(), s3.secretKey(), uploads,
        LOGIN_FAILURE_DELAY.toMillis(), HASH, bucket, PublicKeyEntry.toString(aliceKey.getPublic()), HASH, bucket, HASH, bucket);
    Path file = dir.resolve("ferry.yaml");
    Files.writeString(file, yaml);
    FerryConfig config = FerryConfig.load(file, Map.of());
    gateway = new Gateway(config, Clock.systemUTC());
    sftp = new SftpServer(gateway, SftpSettings.of(config));
    sftp.start();
    ftps = new FtpsServer(gateway, FtpsSettings.of(config), Clock.systemUTC());
    ftps.start();
    client = SshClient.setUpDefaultClient();
    client.setServerKeyVerifier((session, address, key) -> isHostKey(key));
    client.start();
  }

  private boolean isHostKey(java.security.PublicKey key) {
    try {
      for (KeyPair pair : sftp.hostKeys().provider().loadKeys(null)) {
        if (KeyUtils.compareKeys(pair.getPublic(), key)) {
          return true;
        }
      }
      return false;
    } catch (IOException | GeneralSecurityException e) {
      return false;
    }
  }

  /** The key of a path under alice's home. */
  String key(String path) {
    return "home/alice/" + path;
  }

  ClientSession session(String user) throws IOException {
    ClientSession session = client.connect(user, "127.0.0.1", sftp.port()).verify(Duration.ofSeconds(10)).getSession();
    session.addPasswordIdentity(PASSWORD);
    return loggedIn(session, user);
  }

  ClientSession sessionWithKey(String user, KeyPair key) throws IOException {
    ClientSession session = client.connect(user, "127.0.0.1", sftp.port()).verify(Duration.ofSeconds(10)).getSession();
    session.addPublicKeyIdentity(key);
    return loggedIn(session, user);
  }

  /** Waits for the login; one that got no answer at all prints the threads, as a stuck server would show. */
  private static ClientSession loggedIn(ClientSession session, String user) throws IOException {
    long started = System.nanoTime();
    try {
      session.auth().verify(LOGIN_TIMEOUT);
    } catch (IOException e) {
      if (System.nanoTime() - started >= LOGIN_TIMEOUT.toNanos()) {
        Await.printThreads("the SFTP login of " + user);
      }
      throw e;
    }
    return session;
  }

  /** An SFTP client logged in with the password; closing it closes its session. */
  SftpClient login(String user) throws IOException {
    ClientSession session = session(user);
    return SftpClientFactory.instance().createSftpClient(session).singleSessionInstance();
  }

  /** An FTPS client of {@code user} on the same Ferry: explicit TLS, protected passive data, binary. */
  FTPSClient ftpsLogin(String user) throws IOException {
    FTPSClient ftp = new FTPSClient(false);
    ftp.setTrustManager(TrustManagerUtils.getAcceptAllTrustManager());
    ftp.setConnectTimeout(10_000);
    ftp.setDefaultTimeout(60_000);
    ftp.connect("127.0.0.1", ftps.port());
    if (!FTPReply.isPositiveCompletion(ftp.getReplyCode()) || !ftp.login(user, PASSWORD)) {
      String reply = ftp.getReplyString();
      ftp.disconnect();
      throw new IOException("FTPS login of " + user + " refused: " + reply);
    }
    ftp.execPBSZ(0);
    ftp.execPROT("P");
    ftp.enterLocalPassiveMode();
    ftp.setFileType(FTP.BINARY_FILE_TYPE);
    return ftp;
  }

  /** Reads {@code length} bytes at {@code offset}, or up to the end of the file, in as many READs as it takes. */
  static byte[] readFully(SftpClient sftp, SftpClient.Handle handle, long offset, int length) throws IOException {
    byte[] into = new byte[length];
    int done = 0;
    while (done < length) {
      int n = sftp.read(handle, offset + done, into, done, length - done);
      if (n < 0) {
        break;
      }
      done += n;
    }
    return Arrays.copyOf(into, done);
  }

  /** {@code size} bytes of a seeded random sequence. */
  static byte[] random(int size, long seed) {
    byte[] data = new byte[size];
    new Random(seed).nextBytes(data);
    return data;
  }

  @Override
  public void close() throws IOException {
    client.stop();
    sftp.stop();
    ftps.stop();
    gateway.close();
  }

}
