package dev.ferry.ftps;

import dev.ferry.core.FerryConfig;
import dev.ferry.core.Gateway;
import dev.ferry.core.testing.S3TestServer;
import dev.ferry.core.testing.TrustAll;
import dev.ferry.core.user.PasswordHasher;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import javax.net.ssl.TrustManager;
import org.apache.commons.net.ftp.FTP;
import org.apache.commons.net.ftp.FTPReply;
import org.apache.commons.net.ftp.FTPSClient;

/**
 * A real Ferry FTPS front-end on loopback over a real S3-API server, with three users: alice (all
 * permissions), reader (list and read) and writer (everything but overwrite).
 */
final class FtpsTestGateway implements AutoCloseable {

  static final String PASSWORD = "s3cret-Pa55";
  private static final String HASH = PasswordHasher.hash(PASSWORD.toCharArray());

  final String bucket;
  final Gateway gateway;
  final FtpsServer server;

  /** Files above one part are multipart uploads, so tests see the part boundaries they aim at. */
  FtpsTestGateway(S3TestServer s3, Path dir, long partSize) throws IOException {
    this(s3, dir, partSize, partSize);
  }

  FtpsTestGateway(S3TestServer s3, Path dir, long partSize, long singlePutLimit) throws IOException {
    this(s3, s3.endpoint(), dir, partSize, singlePutLimit);
  }

  /** Ferry talks to S3 at {@code endpoint}: {@code s3} itself, or a proxy in front of it. */
  FtpsTestGateway(S3TestServer s3, URI endpoint, Path dir, long partSize, long singlePutLimit) throws IOException {
    this(s3, endpoint, dir, partSize, singlePutLimit, "127.0.0.1");
  }

  /** FTPS listens on {@code bindAddress} ("::" for both address families). */
  FtpsTestGateway(S3TestServer s3, URI endpoint, Path dir, long partSize, long singlePutLimit, String bindAddress)
      throws IOException {
    this(s3, endpoint, dir, partSize, singlePutLimit, bindAddress, "");
  }

  /** With {@code moreYaml}, top-level sections of ferry.yaml besides the test's own. */
  FtpsTestGateway(S3TestServer s3, URI endpoint, Path dir, long partSize, long singlePutLimit, String bindAddress,
      String moreYaml) throws IOException {
    bucket = s3.createBucket();
    String yaml = """
        dataDir: %s
        s3:
          endpoint: %s
          accessKey: %s
          secretKey: %s
        ftps:
          bindAddress: "%s"
          port: 0
          implicitPort: 0
          passivePorts: "0"
        uploads:
          partSize: %d
          singlePutLimit: %d
          partsInFlight: 3
          memoryBudget: 64MiB
          orphanAge: 0s
        login:
          failureDelay: 10ms
          maxFailures: 50
        shutdown:
          grace: 5s
        users:
          - name: alice
            passwordHash: "%s"
            home: s3://%s/home/alice/
            permissions: [all]
          - name: reader
            passwordHash: "%s"
            home: s3://%s/home/alice/
            permissions: [list, read]
          - name: writer
            passwordHash: "%s"
            home: s3://%s/home/alice/
            permissions: [list, read, write, delete, rename, mkdir]
        """.formatted(dir.resolve("data"), endpoint, s3.accessKey(), s3.secretKey(), bindAddress, partSize,
        singlePutLimit, HASH, bucket, HASH, bucket, HASH, bucket) + moreYaml;
    Path file = dir.resolve("ferry.yaml");
    Files.writeString(file, yaml);
    FerryConfig config = FerryConfig.load(file, Map.of());
    gateway = new Gateway(config, Clock.systemUTC());
    server = new FtpsServer(gateway, FtpsSettings.of(config), Clock.systemUTC());
    server.start();
  }

  /** The key of a path under alice's home. */
  String key(String path) {
    return "home/alice/" + path;
  }

  /** A client logged in over explicit FTPS with PROT P, passive and binary. */
  KillableFtpsClient login(String user) throws IOException {
    return login("127.0.0.1", user);
  }

  /** The same, connecting to {@code host} ("::1" for IPv6). */
  KillableFtpsClient login(String host, String user) throws IOException {
    KillableFtpsClient client = connect(host, false);
    if (!client.login(user, PASSWORD)) {
      throw new IOException("login as " + user + " failed: " + client.getReplyString());
    }
    prepare(client);
    return client;
  }

  KillableFtpsClient connect(boolean implicit) throws IOException {
    return connect("127.0.0.1", implicit);
  }

  KillableFtpsClient connect(String host, boolean implicit) throws IOException {
    KillableFtpsClient client = new KillableFtpsClient(implicit);
    client.setTrustManager(TRUST_ALL);
    client.setConnectTimeout(10_000);
    client.setDefaultTimeout(60_000);
    client.setControlEncoding("UTF-8");
    client.connect(host, implicit ? server.implicitPort() : server.port());
    if (!FTPReply.isPositiveCompletion(client.getReplyCode())) {
      throw new IOException("connect failed: " + client.getReplyString());
    }
    return client;
  }

  static void prepare(FTPSClient client) throws IOException {
    client.execPBSZ(0);
    client.execPROT("P");
    client.enterLocalPassiveMode();
    client.setFileType(FTP.BINARY_FILE_TYPE);
  }

  @Override
  public void close() {
    server.stop();
    gateway.close();
  }

  static final TrustManager TRUST_ALL = TrustAll.MANAGER;
}
