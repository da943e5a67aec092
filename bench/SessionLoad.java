import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.commons.net.ftp.FTP;
import org.apache.commons.net.ftp.FTPReply;
import org.apache.commons.net.ftp.FTPSClient;
import org.apache.commons.net.util.TrustManagerUtils;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.config.keys.FilePasswordProvider;
import org.apache.sshd.common.util.security.SecurityUtils;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.SftpClientFactory;

/**
 * Idle sessions for a benchmark (a load generator, not a test): opens logged-in sessions of one
 * user on one Ferry, step by step up to each count given, spread over several loopback source
 * addresses, and holds them; then makes one in ten transfer (a 1 MiB upload and download in a
 * loop). Prints "READY n" when n sessions are open and idle, "TRANSFERRING n" when one in ten of
 * them moves bytes, and waits HOLD seconds at each so the caller can measure Ferry; "DONE" at the
 * end, after closing everything. SFTP logs in with a key (a bcrypt check per login would be the
 * run's whole cost), FTPS with the password (explicit TLS, PROT P).
 *
 * <pre>java -Xmx3g -cp ferry.jar:commons-net.jar bench/SessionLoad.java sftp|ftps PORT USER KEY_OR_PASSWORD
 *     SOURCES(127.0.0.20-127.0.0.39) COUNTS(1000,5000,10000) HOLD_SECONDS</pre>
 *
 * Everything stays on loopback and stops by itself.
 */
public final class SessionLoad {

  private static final int IN_FLIGHT = 32;
  private static final byte[] FILE = new byte[1 << 20];

  public static void main(String[] args) throws Exception {
    String protocol = args[0];
    int port = Integer.parseInt(args[1]);
    String user = args[2];
    String secret = args[3];
    List<String> sources = sources(args[4]);
    long hold = Long.parseLong(args[6]);
    Opener opener = protocol.equals("sftp") ? new SftpOpener(port, user, Path.of(secret)) : new FtpsOpener(port, user, secret);
    List<AutoCloseable> open = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(IN_FLIGHT);
    try {
      for (String step : args[5].split(",")) {
        int target = Integer.parseInt(step);
        long started = System.nanoTime();
        List<Future<AutoCloseable>> opening = new ArrayList<>();
        for (int i = open.size(); i < target; i++) {
          String source = sources.get(i % sources.size());
          opening.add(pool.submit(() -> opener.open(source)));
        }
        int failed = 0;
        for (Future<AutoCloseable> session : opening) {
          try {
            open.add(session.get());
          } catch (Exception e) {
            if (failed++ < 3) {
              System.out.println("# a session failed to open: " + e.getCause());
            }
          }
        }
        System.out.printf("# %d sessions opened in %.1f s, %d failed%n", opening.size() - failed,
            (System.nanoTime() - started) / 1e9, failed);
        System.out.println("READY " + open.size());
        Thread.sleep(hold * 1000); // the caller measures Ferry meanwhile
      }
      AtomicBoolean stop = new AtomicBoolean();
      AtomicLong moved = new AtomicLong();
      AtomicLong errors = new AtomicLong();
      List<AutoCloseable> movers = new ArrayList<>();
      for (int i = 0; i < open.size(); i += 10) {
        movers.add(open.get(i));
      }
      ExecutorService transfers = Executors.newFixedThreadPool(movers.size());
      for (int i = 0; i < movers.size(); i++) {
        AutoCloseable session = movers.get(i);
        String name = "moving-" + i + ".bin";
        transfers.submit(() -> {
          while (!stop.get()) {
            try {
              moved.addAndGet(opener.roundTrip(session, name));
            } catch (Exception e) {
              if (errors.incrementAndGet() <= 3) {
                System.out.println("# a transfer failed: " + e);
              }
              return;
            }
          }
        });
      }
      System.out.println("TRANSFERRING " + movers.size());
      Thread.sleep(hold * 1000);
      stop.set(true);
      transfers.shutdown();
      transfers.awaitTermination(60, java.util.concurrent.TimeUnit.SECONDS);
      System.out.printf("# %d sessions moved %.0f MB in %d s, %d failed%n", movers.size(), moved.get() / 1e6, hold,
          errors.get());
    } finally {
      pool.shutdownNow();
      for (AutoCloseable session : open) {
        try {
          session.close();
        } catch (Exception e) {
          // the run is over: a session that fails to close is dropped with the process
        }
      }
      opener.close();
      System.out.println("DONE");
    }
  }

  /** "127.0.0.20-127.0.0.39": the addresses from the first to the last, the last byte counting up. */
  private static List<String> sources(String range) {
    String[] ends = range.split("-");
    String prefix = ends[0].substring(0, ends[0].lastIndexOf('.') + 1);
    int first = Integer.parseInt(ends[0].substring(prefix.length()));
    int last = Integer.parseInt(ends[1].substring(prefix.length()));
    List<String> sources = new ArrayList<>();
    for (int i = first; i <= last; i++) {
      sources.add(prefix + i);
    }
    return sources;
  }

  interface Opener extends AutoCloseable {
    AutoCloseable open(String source) throws Exception;

    /** Uploads then downloads {@code name} on {@code session}; the bytes moved. */
    long roundTrip(AutoCloseable session, String name) throws Exception;
  }

  /** SFTP sessions: one SSH connection each with its SFTP channel open, as a client holds one. */
  static final class SftpOpener implements Opener {
    private final SshClient client = SshClient.setUpDefaultClient();
    private final int port;
    private final String user;
    private final KeyPair key;

    SftpOpener(int port, String user, Path keyFile) throws Exception {
      this.port = port;
      this.user = user;
      try (InputStream in = java.nio.file.Files.newInputStream(keyFile)) {
        this.key = SecurityUtils.loadKeyPairIdentities(null, null, in, FilePasswordProvider.EMPTY).iterator().next();
      }
      client.setServerKeyVerifier((session, remote, serverKey) -> true); // loopback, a run's own server
      client.start();
    }

    @Override
    public AutoCloseable open(String source) throws Exception {
      ClientSession session = client.connect(user, new InetSocketAddress("127.0.0.1", port),
          new InetSocketAddress(source, 0)).verify(Duration.ofSeconds(60)).getSession();
      session.addPublicKeyIdentity(key);
      session.auth().verify(Duration.ofSeconds(60));
      return new SftpSession(session, SftpClientFactory.instance().createSftpClient(session));
    }

    @Override
    public long roundTrip(AutoCloseable session, String name) throws Exception {
      SftpClient sftp = ((SftpSession) session).sftp();
      try (OutputStream out = sftp.write(name)) {
        out.write(FILE);
      }
      try (InputStream in = sftp.read(name)) {
        return FILE.length + in.readAllBytes().length;
      }
    }

    @Override
    public void close() {
      client.stop();
    }
  }

  /** FTPS sessions: explicit TLS, PROT P, logged in, idle on the control connection. */
  static final class FtpsOpener implements Opener {
    private final int port;
    private final String user;
    private final String password;

    FtpsOpener(int port, String user, String password) {
      this.port = port;
      this.user = user;
      this.password = password;
    }

    @Override
    public AutoCloseable open(String source) throws Exception {
      FTPSClient ftp = new FTPSClient("TLS", false);
      ftp.setTrustManager(TrustManagerUtils.getAcceptAllTrustManager());
      ftp.setConnectTimeout(60_000);
      ftp.connect(java.net.InetAddress.getByName("127.0.0.1"), port, java.net.InetAddress.getByName(source), 0);
      if (!FTPReply.isPositiveCompletion(ftp.getReplyCode()) || !ftp.login(user, password)) {
        String reply = ftp.getReplyString();
        ftp.disconnect();
        throw new IllegalStateException("FTPS login refused: " + reply);
      }
      ftp.execPBSZ(0);
      ftp.execPROT("P");
      ftp.setFileType(FTP.BINARY_FILE_TYPE);
      ftp.enterLocalPassiveMode();
      // Data connections from the control connection's address: Ferry takes them from that client only.
      ftp.setPassiveLocalIPAddress(java.net.InetAddress.getByName(source));
      return new FtpsSession(ftp);
    }

    @Override
    public long roundTrip(AutoCloseable session, String name) throws Exception {
      FTPSClient ftp = ((FtpsSession) session).ftp;
      if (!ftp.storeFile(name, new java.io.ByteArrayInputStream(FILE))) {
        throw new IllegalStateException("STOR: " + ftp.getReplyString());
      }
      java.io.ByteArrayOutputStream back = new java.io.ByteArrayOutputStream(FILE.length);
      if (!ftp.retrieveFile(name, back)) {
        throw new IllegalStateException("RETR: " + ftp.getReplyString());
      }
      return 2L * FILE.length;
    }

    @Override
    public void close() {}
  }

  record SftpSession(ClientSession session, SftpClient sftp) implements AutoCloseable {
    @Override
    public void close() throws Exception {
      sftp.close();
      session.close(true);
    }
  }

  record FtpsSession(FTPSClient ftp) implements AutoCloseable {
    @Override
    public void close() throws Exception {
      ftp.disconnect();
    }
  }
}
