import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.commons.net.ftp.FTP;
import org.apache.commons.net.ftp.FTPReply;
import org.apache.commons.net.ftp.FTPSClient;
import org.apache.commons.net.util.TrustManagerUtils;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.SftpClientFactory;

/**
 * Background load for a benchmark (a load generator, not a test): SFTP and FTPS sessions of one
 * user on one Ferry, each uploading a file of 1 to 10 MB, then downloading it, in a loop, until a
 * deadline; a session that fails logs in again. Prints what was done every 10 s and at the end.
 * Run with ferry.jar (MINA's SSH client) and commons-net on the class path:
 *
 * <pre>java -cp ferry.jar:commons-net.jar bench/TransferLoad.java HOST SFTP_PORT FTPS_PORT USER PASSWORD
 *     SFTP_SESSIONS FTPS_SESSIONS SECONDS</pre>
 *
 * Everything stays on the address given (loopback in the benchmark) and stops by itself.
 */
public final class TransferLoad {

  private static final int MB = 1_000_000;
  private static final byte[] DATA = new byte[10 * MB];
  private static final AtomicLong uploads = new AtomicLong();
  private static final AtomicLong downloads = new AtomicLong();
  private static final AtomicLong bytes = new AtomicLong();
  private static final AtomicLong failures = new AtomicLong();

  public static void main(String[] args) throws Exception {
    String host = args[0];
    int sftpPort = Integer.parseInt(args[1]);
    int ftpsPort = Integer.parseInt(args[2]);
    String user = args[3];
    String password = args[4];
    int sftpSessions = Integer.parseInt(args[5]);
    int ftpsSessions = Integer.parseInt(args[6]);
    long deadline = System.nanoTime() + Duration.ofSeconds(Long.parseLong(args[7])).toNanos();
    new SecureRandom().nextBytes(DATA);
    SshClient ssh = SshClient.setUpDefaultClient();
    ssh.setServerKeyVerifier((session, address, key) -> true);
    ssh.start();
    List<Thread> sessions = new ArrayList<>();
    for (int i = 0; i < sftpSessions; i++) {
      String name = "sftp-" + i + ".bin";
      sessions.add(start("sftp-" + i, () -> sftpLoop(ssh, host, sftpPort, user, password, name, deadline)));
    }
    for (int i = 0; i < ftpsSessions; i++) {
      String name = "ftps-" + i + ".bin";
      sessions.add(start("ftps-" + i, () -> ftpsLoop(host, ftpsPort, user, password, name, deadline)));
    }
    long started = System.nanoTime();
    while (System.nanoTime() < deadline) {
      // The main thread only reports: every 10 s, and once more at the deadline.
      Thread.sleep(Math.min(10_000, Math.max(1, (deadline - System.nanoTime()) / 1_000_000)));
      report(started);
    }
    for (Thread session : sessions) {
      session.join(120_000);
    }
    ssh.stop();
    System.out.print("load done: ");
    report(started);
  }

  private static Thread start(String name, Runnable session) {
    Thread thread = new Thread(session, name);
    thread.start();
    return thread;
  }

  private static void report(long started) {
    long seconds = Math.max(1, (System.nanoTime() - started) / 1_000_000_000L);
    System.out.printf("%d s: %d uploads, %d downloads, %.1f MB/s, %d failures%n", seconds, uploads.get(),
        downloads.get(), bytes.get() / 1e6 / seconds, failures.get());
    System.out.flush();
  }

  private static int size() {
    return ThreadLocalRandom.current().nextInt(MB, 10 * MB + 1);
  }

  private static void sftpLoop(SshClient ssh, String host, int port, String user, String password, String name,
      long deadline) {
    byte[] buffer = new byte[64 * 1024];
    while (System.nanoTime() < deadline) {
      try (ClientSession session = ssh.connect(user, host, port).verify(Duration.ofSeconds(60)).getSession()) {
        session.addPasswordIdentity(password);
        session.auth().verify(Duration.ofSeconds(60));
        try (SftpClient sftp = SftpClientFactory.instance().createSftpClient(session)) {
          while (System.nanoTime() < deadline) {
            int size = size();
            try (OutputStream out = sftp.write(name)) {
              out.write(DATA, 0, size);
            }
            uploads.incrementAndGet();
            bytes.addAndGet(size);
            try (InputStream in = sftp.read(name)) {
              bytes.addAndGet(drain(in, buffer));
            }
            downloads.incrementAndGet();
          }
        }
      } catch (IOException | RuntimeException e) {
        failed(e);
      }
    }
  }

  private static void ftpsLoop(String host, int port, String user, String password, String name, long deadline) {
    byte[] buffer = new byte[64 * 1024];
    while (System.nanoTime() < deadline) {
      FTPSClient ftp = new FTPSClient("TLS", false);
      // The benchmark's Ferry has a certificate made at its first start; trusted as lftp's ssl:verify-certificate no does.
      ftp.setTrustManager(TrustManagerUtils.getAcceptAllTrustManager());
      ftp.setConnectTimeout(60_000);
      ftp.setDefaultTimeout(120_000);
      try {
        ftp.connect(host, port);
        if (!ftp.login(user, password)) {
          throw new IOException("login refused: " + ftp.getReplyString().strip());
        }
        ftp.execPBSZ(0);
        ftp.execPROT("P");
        ftp.enterLocalPassiveMode();
        ftp.setFileType(FTP.BINARY_FILE_TYPE);
        while (System.nanoTime() < deadline) {
          int size = size();
          try (OutputStream out = ftp.storeFileStream(name)) {
            if (out == null) {
              throw new IOException("STOR refused: " + ftp.getReplyString().strip());
            }
            out.write(DATA, 0, size);
          }
          if (!ftp.completePendingCommand()) {
            throw new IOException("STOR failed: " + ftp.getReplyString().strip());
          }
          uploads.incrementAndGet();
          bytes.addAndGet(size);
          try (InputStream in = ftp.retrieveFileStream(name)) {
            if (in == null) {
              throw new IOException("RETR refused: " + ftp.getReplyString().strip());
            }
            bytes.addAndGet(drain(in, buffer));
          }
          if (!FTPReply.isPositiveCompletion(ftp.getReply())) {
            throw new IOException("RETR failed: " + ftp.getReplyString().strip());
          }
          downloads.incrementAndGet();
        }
        ftp.logout();
      } catch (IOException | RuntimeException e) {
        failed(e);
      } finally {
        try {
          ftp.disconnect();
        } catch (IOException ignored) {
          // the session is over either way
        }
      }
    }
  }

  private static long drain(InputStream in, byte[] buffer) throws IOException {
    long total = 0;
    for (int n; (n = in.read(buffer)) > 0; ) {
      total += n;
    }
    return total;
  }

  /** Counts the failure and waits a second before the session logs in again, so a refusing server is not hammered. */
  private static void failed(Exception e) {
    if (failures.incrementAndGet() <= 10) {
      System.out.println("load session failed (" + Thread.currentThread().getName() + "): " + e);
    }
    try {
      // A pause before logging in again: a server refusing sessions is not to be hammered.
      Thread.sleep(1000);
    } catch (InterruptedException interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
