import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.apache.commons.net.ftp.FTP;
import org.apache.commons.net.ftp.FTPFile;
import org.apache.commons.net.ftp.FTPReply;
import org.apache.commons.net.ftp.FTPSClient;
import org.apache.commons.net.util.TrustManagerUtils;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.SftpClientFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;

/**
 * The legitimate half of the soak: SESSIONS sessions of USERS users (half SFTP, half FTPS), from
 * several loopback source addresses, each uploading files of 16 KiB to 24 MiB under three names of
 * its own, downloading them back and checking every byte, listing its directory, deleting now and
 * then, and logging out and in again every few dozen operations, until the deadline. Any error is a
 * failure: these users stay within every limit. {@link #checkS3} then reads every name straight
 * from S3.
 */
final class LegitLoad {

  private static final int KIB = 1024;
  private static final int MIB = 1024 * KIB;
  private static final byte[] DATA = new byte[48 * MIB];
  private static final int NAMES_PER_SESSION = 3;
  /**
   * A user's pause between two operations. 200 sessions with no pause saturate this 2-core
   * machine's S3Proxy, and every latency then grows past the clients' timeouts whatever Ferry does.
   */
  private static final Duration THINK_MIN = Duration.ofSeconds(2);
  private static final Duration THINK_MAX = Duration.ofSeconds(6);
  /** Sessions start spread over this, as users arrive, not all in the same millisecond. */
  static final Duration RAMP_UP = Duration.ofSeconds(30);

  final AtomicLong uploads = new AtomicLong();
  final AtomicLong downloads = new AtomicLong();
  final AtomicLong listings = new AtomicLong();
  final AtomicLong deletes = new AtomicLong();
  final AtomicLong logins = new AtomicLong();
  final AtomicLong bytes = new AtomicLong();
  final AtomicLong failures = new AtomicLong();

  /** What S3 must hold at the end, by key: the last upload that was answered OK; a deleted name is absent. */
  private final Map<String, Expected> expected = new ConcurrentHashMap<>();
  private final List<Thread> threads = new ArrayList<>();
  private final SshClient ssh = SshClient.setUpDefaultClient();

  record Expected(String name, int size, String sha256) {}

  LegitLoad() {
    new SecureRandom().nextBytes(DATA);
    ssh.setServerKeyVerifier((session, address, key) -> true);
  }

  /** Starts the sessions; {@code addresses}: the loopback addresses they connect from, in turn. */
  void start(String host, int sftpPort, int ftpsPort, String password, int users, int sessions, String[] addresses,
      long deadline) throws IOException {
    ssh.start();
    for (int i = 0; i < sessions; i++) {
      String user = "soak" + (i % users);
      InetAddress from = InetAddress.getByName(addresses[i % addresses.length]);
      String prefix = "s" + i + "-";
      boolean sftp = i % 2 == 0;
      Session session = sftp
          ? new SftpSession(ssh, new Login(host, sftpPort, from, user, password))
          : new FtpsSession(new Login(host, ftpsPort, from, user, password));
      long startAt = System.nanoTime() + RAMP_UP.toNanos() * i / sessions;
      Thread thread = new Thread(() -> {
        pauseUntil(startAt);
        run(session, user, prefix, deadline);
      }, (sftp ? "sftp-" : "ftps-") + i);
      threads.add(thread);
      thread.start();
    }
  }

  /**
   * Waits up to {@code limit} for every session to finish its last operation and log out; one still
   * busy then counts as a failure.
   */
  void join(Duration limit) throws InterruptedException, IOException {
    long end = System.nanoTime() + limit.toNanos();
    for (Thread thread : threads) {
      thread.join(Math.max(1, (end - System.nanoTime()) / 1_000_000));
      if (thread.isAlive()) {
        failures.incrementAndGet();
        System.out.println("legit session " + thread.getName() + " still busy " + limit.toSeconds()
            + " s after the end: " + thread.getStackTrace()[0]);
      }
    }
    ssh.stop();
  }

  /** One protocol's way of doing what a session does. */
  interface Session {
    void logIn() throws IOException;

    void upload(String name, int offset, int size) throws IOException;

    byte[] download(String name) throws IOException;

    List<String> list() throws IOException;

    void delete(String name) throws IOException;

    void logOut();
  }

  private void run(Session session, String user, String prefix, long deadline) {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    while (System.nanoTime() < deadline) {
      try {
        session.logIn();
        logins.incrementAndGet();
        for (int ops = random.nextInt(20, 60); ops > 0 && System.nanoTime() < deadline; ops--) {
          pauseUntil(System.nanoTime() + Duration.ofMillis(random.nextLong(THINK_MIN.toMillis(),
              THINK_MAX.toMillis())).toNanos());
          String name = prefix + random.nextInt(NAMES_PER_SESSION) + ".bin";
          String key = user + "/" + name;
          Expected there = expected.get(key);
          int roll = random.nextInt(100);
          if (there == null || roll < 40) {
            int size = size(random);
            int offset = random.nextInt(DATA.length - size + 1);
            session.upload(name, offset, size);
            expected.put(key, new Expected(name, size, sha256(DATA, offset, size)));
            uploads.incrementAndGet();
            bytes.addAndGet(size);
          } else if (roll < 85) {
            byte[] got = session.download(name);
            if (got.length != there.size() || !sha256(got, 0, got.length).equals(there.sha256())) {
              throw new IOException("download of " + key + " gave " + got.length + " bytes, not the "
                  + there.size() + " uploaded");
            }
            downloads.incrementAndGet();
            bytes.addAndGet(got.length);
          } else if (roll < 95) {
            List<String> names = session.list();
            for (Map.Entry<String, Expected> e : expected.entrySet()) {
              if (e.getKey().startsWith(user + "/" + prefix) && !names.contains(e.getValue().name())) {
                throw new IOException("listing of " + user + " lacks " + e.getValue().name());
              }
            }
            listings.incrementAndGet();
          } else {
            session.delete(name);
            expected.remove(key);
            deletes.incrementAndGet();
          }
        }
      } catch (IOException | RuntimeException e) {
        failed(e);
      } finally {
        session.logOut();
      }
    }
  }

  /** Mostly small files, some of several parts: 80 % up to 512 KiB, 18 % up to 8 MiB, 2 % up to 24 MiB. */
  private static int size(ThreadLocalRandom random) {
    int roll = random.nextInt(100);
    if (roll < 80) {
      return random.nextInt(16 * KIB, 512 * KIB + 1);
    }
    if (roll < 98) {
      return random.nextInt(512 * KIB, 8 * MIB + 1);
    }
    return random.nextInt(8 * MIB, 24 * MIB + 1);
  }

  /** Where and as whom a session logs in. */
  record Login(String host, int port, InetAddress from, String user, String password) {}

  private static final class SftpSession implements Session {
    private final SshClient ssh;
    private final Login login;
    private ClientSession session;
    private SftpClient sftp;

    SftpSession(SshClient ssh, Login login) {
      this.ssh = ssh;
      this.login = login;
    }

    @Override
    public void logIn() throws IOException {
      session = ssh.connect(login.user(), new InetSocketAddress(login.host(), login.port()),
          new InetSocketAddress(login.from(), 0)).verify(Duration.ofSeconds(60)).getSession();
      session.addPasswordIdentity(login.password());
      session.auth().verify(Duration.ofSeconds(60));
      sftp = SftpClientFactory.instance().createSftpClient(session);
    }

    @Override
    public void upload(String name, int offset, int size) throws IOException {
      try (OutputStream out = sftp.write(name)) {
        out.write(DATA, offset, size);
      }
    }

    @Override
    public byte[] download(String name) throws IOException {
      try (InputStream in = sftp.read(name)) {
        return in.readAllBytes();
      }
    }

    @Override
    public List<String> list() throws IOException {
      List<String> names = new ArrayList<>();
      for (SftpClient.DirEntry entry : sftp.readDir(".")) {
        names.add(entry.getFilename());
      }
      return names;
    }

    @Override
    public void delete(String name) throws IOException {
      sftp.remove(name);
    }

    @Override
    public void logOut() {
      try {
        if (sftp != null) {
          sftp.close();
        }
        if (session != null) {
          session.close();
        }
      } catch (IOException ignored) {
        // the session is over either way
      }
      sftp = null;
      session = null;
    }
  }

  private static final class FtpsSession implements Session {
    private final Login login;
    private FTPSClient ftp;

    FtpsSession(Login login) {
      this.login = login;
    }

    @Override
    public void logIn() throws IOException {
      ftp = new FTPSClient("TLS", false);
      // The benchmark's Ferry has a certificate made at its first start, trusted as lftp's ssl:verify-certificate no does.
      ftp.setTrustManager(TrustManagerUtils.getAcceptAllTrustManager());
      ftp.setConnectTimeout(60_000);
      ftp.setDefaultTimeout(120_000);
      ftp.connect(InetAddress.getByName(login.host()), login.port(), login.from(), 0);
      if (!FTPReply.isPositiveCompletion(ftp.getReplyCode())) {
        throw new IOException("greeting: " + ftp.getReplyString().strip());
      }
      if (!ftp.login(login.user(), login.password())) {
        throw new IOException("login refused: " + ftp.getReplyString().strip());
      }
      ftp.execPBSZ(0);
      ftp.execPROT("P");
      ftp.enterLocalPassiveMode();
      // Data connections from the control connection's address: Ferry checks that they match.
      ftp.setPassiveLocalIPAddress(login.from());
      ftp.setFileType(FTP.BINARY_FILE_TYPE);
    }

    @Override
    public void upload(String name, int offset, int size) throws IOException {
      try (OutputStream out = ftp.storeFileStream(name)) {
        if (out == null) {
          throw new IOException("STOR " + name + " refused: " + ftp.getReplyString().strip());
        }
        out.write(DATA, offset, size);
      }
      if (!ftp.completePendingCommand()) {
        throw new IOException("STOR " + name + " failed: " + ftp.getReplyString().strip());
      }
    }

    @Override
    public byte[] download(String name) throws IOException {
      byte[] got;
      try (InputStream in = ftp.retrieveFileStream(name)) {
        if (in == null) {
          throw new IOException("RETR " + name + " refused: " + ftp.getReplyString().strip());
        }
        got = in.readAllBytes();
      }
      if (!ftp.completePendingCommand()) {
        throw new IOException("RETR " + name + " failed: " + ftp.getReplyString().strip());
      }
      return got;
    }

    @Override
    public List<String> list() throws IOException {
      FTPFile[] files = ftp.mlistDir();
      if (!FTPReply.isPositiveCompletion(ftp.getReplyCode())) {
        throw new IOException("MLSD failed: " + ftp.getReplyString().strip());
      }
      List<String> names = new ArrayList<>();
      for (FTPFile file : files) {
        names.add(file.getName());
      }
      return names;
    }

    @Override
    public void delete(String name) throws IOException {
      if (!ftp.deleteFile(name)) {
        throw new IOException("DELE " + name + " failed: " + ftp.getReplyString().strip());
      }
    }

    @Override
    public void logOut() {
      if (ftp == null) {
        return;
      }
      try {
        if (ftp.isConnected()) {
          ftp.logout();
        }
      } catch (IOException ignored) {
        // disconnecting below either way
      }
      try {
        ftp.disconnect();
      } catch (IOException ignored) {
        // the session is over either way
      }
      ftp = null;
    }
  }

  /**
   * Reads every name from S3: the last upload a client was told succeeded must be there byte for
   * byte, a deleted name must be gone (keys under {@code ignoredPrefixes} are the attacker's),
   * and no multipart upload may be left. Returns how many things were not as the clients were told.
   */
  long checkS3(String endpoint, String key, String secret, String bucket, String... ignoredPrefixes) {
    long wrong = 0;
    try (S3AsyncClient s3 = S3AsyncClient.builder()
        .endpointOverride(URI.create(endpoint))
        .region(Region.US_EAST_1)
        .forcePathStyle(true)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(key, secret)))
        .build()) {
      int checked = 0;
      for (Map.Entry<String, Expected> entry : expected.entrySet()) {
        String objectKey = entry.getKey();
        Expected e = entry.getValue();
        byte[] got;
        try {
          got = s3.getObject(b -> b.bucket(bucket).key(objectKey), AsyncResponseTransformer.toBytes())
              .join().asByteArray();
        } catch (CompletionException missing) {
          wrong++;
          System.out.println("S3 has no " + objectKey + ", which a client was told was uploaded: " + missing.getCause());
          continue;
        }
        if (got.length != e.size() || !sha256(got, 0, got.length).equals(e.sha256())) {
          wrong++;
          System.out.println("S3 holds " + got.length + " bytes under " + objectKey + ", not the " + e.size()
              + " bytes of the last upload answered OK");
        }
        checked++;
      }
      int multipart = s3.listMultipartUploads(b -> b.bucket(bucket)).join().uploads().size();
      List<String> strays = new ArrayList<>();
      s3.listObjectsV2Paginator(b -> b.bucket(bucket)).contents().subscribe(o -> {
        if (!expected.containsKey(o.key()) && Stream.of(ignoredPrefixes).noneMatch(o.key()::startsWith)) {
          strays.add(o.key());
        }
      }).join();
      System.out.printf("S3: %d objects checked byte for byte, %d wrong; %d keys no client uploaded or that were"
          + " deleted%s; %d multipart uploads left%n", checked, wrong, strays.size(),
          strays.isEmpty() ? "" : " " + strays.subList(0, Math.min(5, strays.size())), multipart);
      wrong += strays.size() + multipart;
    } catch (RuntimeException e) {
      System.out.println("S3 check failed: " + e);
      wrong++;
    }
    return wrong;
  }

  private static String sha256(byte[] data, int offset, int length) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      digest.update(data, offset, length);
      return HexFormat.of().formatHex(digest.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void pauseUntil(long nanoTime) {
    try {
      // A user's pace (the ramp-up, the pause between operations): there is nothing to wait on.
      Thread.sleep(Math.max(0, (nanoTime - System.nanoTime()) / 1_000_000));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void failed(Exception e) {
    if (failures.incrementAndGet() <= 20) {
      System.out.println("legit session failed (" + Thread.currentThread().getName() + "): " + e);
    }
    try {
      // A pause before logging in again: a server refusing sessions is not to be hammered.
      Thread.sleep(1000);
    } catch (InterruptedException interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
