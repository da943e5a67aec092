import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.commons.net.ftp.FTPSClient;
import org.apache.commons.net.util.TrustManagerUtils;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.SftpClientFactory;

/**
 * The hostile half of the soak: one party running issue 15's items 1 to 4 against Ferry at once,
 * from loopback addresses of its own, until the deadline:
 *
 * <ol>
 *   <li>Connections that never log in: 10 from each of 20 addresses, spread over the SFTP, FTPS,
 *       implicit FTPS and admin HTTP ports, each opened again a second after Ferry closes it; and one
 *       connection per port that sends a byte every 20 s.
 *   <li>One SFTP session of user mallory that opens read handles on a large file up to its handle
 *       limit, reads one byte from each and then nothing, for a minute, over and over.
 *   <li>One SFTP session of mallory writing 8 MiB ahead of a gap in each of 60 files, for a minute,
 *       over and over.
 *   <li>More FTPS sessions of user trudy than Ferry lets in, each that gets in taking a passive port
 *       with PASV, never connecting to it, and keeping the session alive with NOOP.
 * </ol>
 *
 * Ferry refusing, closing or failing any of this is the point: it is counted, not a failure.
 */
final class HostileLoad {

  /** The attacker's two accounts: handle attacks over SFTP, and passive-port hoarding over FTPS. */
  static final String SFTP_USER = "mallory";
  static final String FTPS_USER = "trudy";
  private static final int SILENT_ADDRESSES = 20;
  private static final int SILENT_PER_ADDRESS = 10;
  private static final int HOARDING_SESSIONS = 40;
  private static final int WRITE_AHEAD_FILES = 60;
  private static final int WRITE_AHEAD_BYTES = 8 * 1024 * 1024;

  final AtomicLong silentOpened = new AtomicLong();
  final AtomicLong silentClosedByFerry = new AtomicLong();
  final AtomicLong readHandles = new AtomicLong();
  final AtomicLong writeAheadBytes = new AtomicLong();
  final AtomicLong refusedByFerry = new AtomicLong();
  final AtomicLong hoardingLogins = new AtomicLong();
  final AtomicLong hoardingRefused = new AtomicLong();
  final AtomicLong portsTaken = new AtomicLong();

  private final SshClient ssh = SshClient.setUpDefaultClient();
  private final List<Thread> threads = new ArrayList<>();

  HostileLoad() {
    ssh.setServerKeyVerifier((session, address, key) -> true);
  }

  /** {@code ports}: SFTP, explicit FTPS, implicit FTPS, admin HTTP; {@code bigFile}: 32 MiB or more in mallory's home. */
  void start(String host, int[] ports, String password, String bigFile, long deadline) {
    ssh.start();
    int sftp = ports[0];
    int ftps = ports[1];
    start("silent", () -> silentConnections(host, ports, deadline));
    start("read-handles", () -> repeat(deadline, () -> holdReadHandles(host, sftp, password, bigFile)));
    start("write-ahead", () -> repeat(deadline, () -> writeAhead(host, sftp, password)));
    for (int i = 0; i < HOARDING_SESSIONS; i++) {
      start("hoard-" + i, () -> repeat(deadline, () -> hoardPassivePort(host, ftps, password, deadline)));
    }
  }

  /** Waits up to {@code limit} for the attacks to stop (their threads are daemons: one Ferry left hanging does not hold the run). */
  void join(Duration limit) throws InterruptedException, IOException {
    long end = System.nanoTime() + limit.toNanos();
    for (Thread thread : threads) {
      thread.join(Math.max(1, (end - System.nanoTime()) / 1_000_000));
      if (thread.isAlive()) {
        System.out.println("attacker thread " + thread.getName() + " still waiting for Ferry " + limit.toSeconds()
            + " s after the end: " + thread.getStackTrace()[0]);
      }
    }
    ssh.stop();
  }

  interface Attack {
    void run() throws Exception;
  }

  private void start(String name, Runnable body) {
    Thread thread = new Thread(body, name);
    thread.setDaemon(true);
    thread.start();
    threads.add(thread);
  }

  /** Runs an attack again and again until the deadline; Ferry ending one is what is expected. */
  private void repeat(long deadline, Attack attack) {
    while (System.nanoTime() < deadline) {
      try {
        attack.run();
      } catch (Exception e) {
        refusedByFerry.incrementAndGet();
        pause(1000);
      }
    }
  }

  /** Item 1: silent connections (and one dribbler per port), each reopened a second after Ferry closes it. */
  private void silentConnections(String host, int[] ports, long deadline) {
    try (Selector selector = Selector.open()) {
      Map<SocketChannel, InetSocketAddress[]> ends = new HashMap<>();
      List<SocketChannel> dribblers = new ArrayList<>();
      for (int a = 0; a < SILENT_ADDRESSES; a++) {
        InetAddress from = InetAddress.getByName("127.0.0." + (100 + a));
        for (int c = 0; c < SILENT_PER_ADDRESS; c++) {
          InetSocketAddress to = new InetSocketAddress(host, ports[c % ports.length]);
          open(selector, ends, new InetSocketAddress[] {new InetSocketAddress(from, 0), to});
        }
      }
      for (int p = 0; p < ports.length; p++) {
        InetSocketAddress[] end = {new InetSocketAddress(InetAddress.getByName("127.0.0." + (120 + p)), 0),
            new InetSocketAddress(host, ports[p])};
        dribblers.add(open(selector, ends, end));
      }
      ByteBuffer sink = ByteBuffer.allocate(4096);
      long nextDribble = System.nanoTime();
      // What Ferry closed, reopened a second later: a steady siege of the budget, not a flood.
      Map<InetSocketAddress[], Long> reopenAt = new HashMap<>();
      Set<InetSocketAddress[]> dribblerEnds = new HashSet<>();
      for (SocketChannel dribbler : dribblers) {
        dribblerEnds.add(ends.get(dribbler));
      }
      while (System.nanoTime() < deadline) {
        selector.select(200);
        for (SelectionKey key : selector.selectedKeys()) {
          SocketChannel channel = (SocketChannel) key.channel();
          int read;
          try {
            sink.clear();
            read = channel.read(sink);
          } catch (IOException reset) {
            read = -1;
          }
          if (read < 0) {
            silentClosedByFerry.incrementAndGet();
            key.cancel();
            channel.close();
            dribblers.remove(channel);
            reopenAt.put(ends.remove(channel), System.nanoTime() + Duration.ofSeconds(1).toNanos());
          }
        }
        selector.selectedKeys().clear();
        if (System.nanoTime() >= nextDribble) {
          for (SocketChannel dribbler : dribblers) {
            try {
              dribbler.write(ByteBuffer.wrap(new byte[] {'x'}));
            } catch (IOException closed) {
              // seen as closed by the next select
            }
          }
          nextDribble = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        }
        long now = System.nanoTime();
        for (Iterator<Map.Entry<InetSocketAddress[], Long>> due = reopenAt.entrySet().iterator(); due.hasNext(); ) {
          Map.Entry<InetSocketAddress[], Long> end = due.next();
          if (end.getValue() > now) {
            continue;
          }
          due.remove();
          try {
            SocketChannel channel = open(selector, ends, end.getKey());
            if (dribblerEnds.contains(end.getKey())) {
              dribblers.add(channel);
            }
          } catch (IOException e) {
            refusedByFerry.incrementAndGet();
          }
        }
      }
      for (SocketChannel channel : ends.keySet()) {
        channel.close();
      }
    } catch (IOException e) {
      System.out.println("silent connections stopped: " + e);
    }
  }

  private SocketChannel open(Selector selector, Map<SocketChannel, InetSocketAddress[]> ends,
      InetSocketAddress[] end) throws IOException {
    SocketChannel channel = SocketChannel.open();
    channel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
    channel.bind(end[0]);
    channel.connect(end[1]);
    channel.configureBlocking(false);
    channel.register(selector, SelectionKey.OP_READ);
    ends.put(channel, end);
    silentOpened.incrementAndGet();
    return channel;
  }

  private ClientSession mallory(String host, int port, String password, String from)
      throws IOException {
    ClientSession session = ssh.connect(SFTP_USER, new InetSocketAddress(host, port),
        new InetSocketAddress(InetAddress.getByName(from), 0)).verify(Duration.ofSeconds(60)).getSession();
    session.addPasswordIdentity(password);
    session.auth().verify(Duration.ofSeconds(60));
    return session;
  }

  /** Item 2: read handles up to the session's limit, one byte read from each, then held for a minute. */
  private void holdReadHandles(String host, int port, String password, String bigFile)
      throws IOException {
    try (ClientSession session = mallory(host, port, password, "127.0.0.130");
        SftpClient sftp = SftpClientFactory.instance().createSftpClient(session)) {
      List<SftpClient.CloseableHandle> handles = new ArrayList<>();
      try {
        byte[] one = new byte[1];
        for (int i = 0; i < 100; i++) {
          SftpClient.CloseableHandle handle;
          try {
            handle = sftp.open(bigFile, SftpClient.OpenMode.Read);
          } catch (IOException refused) {
            refusedByFerry.incrementAndGet();
            break;
          }
          handles.add(handle);
          readHandles.incrementAndGet();
          sftp.read(handle, (long) i * 256 * 1024, one, 0, 1);
        }
        pause(60_000);
      } finally {
        for (SftpClient.CloseableHandle handle : handles) {
          handle.close();
        }
      }
    }
  }

  /** Item 3: 8 MiB written ahead of a 64 KiB gap in each of 60 files, held for a minute, then abandoned. */
  private void writeAhead(String host, int port, String password) throws IOException {
    try (ClientSession session = mallory(host, port, password, "127.0.0.131");
        SftpClient sftp = SftpClientFactory.instance().createSftpClient(session)) {
      byte[] chunk = new byte[32 * 1024];
      List<SftpClient.CloseableHandle> handles = new ArrayList<>();
      try {
        for (int f = 0; f < WRITE_AHEAD_FILES; f++) {
          handles.add(sftp.open("ahead-" + f + ".bin", SftpClient.OpenMode.Write, SftpClient.OpenMode.Create,
              SftpClient.OpenMode.Truncate));
        }
        for (long offset = 64 * 1024; offset < 64 * 1024 + WRITE_AHEAD_BYTES; offset += chunk.length) {
          for (SftpClient.CloseableHandle handle : handles) {
            sftp.write(handle, offset, chunk, 0, chunk.length);
            writeAheadBytes.addAndGet(chunk.length);
          }
        }
        pause(60_000);
      } finally {
        for (SftpClient.CloseableHandle handle : handles) {
          try {
            handle.close();
          } catch (IOException refused) {
            refusedByFerry.incrementAndGet(); // a file with a gap cannot be committed
          }
        }
      }
    }
  }

  /** Item 4: a session that takes a passive port and never connects to it, kept alive with NOOP. */
  private void hoardPassivePort(String host, int port, String password, long deadline) throws IOException {
    FTPSClient ftp = new FTPSClient("TLS", false);
    ftp.setTrustManager(TrustManagerUtils.getAcceptAllTrustManager());
    ftp.setDefaultTimeout(60_000);
    try {
      ftp.connect(InetAddress.getByName(host), port, InetAddress.getByName("127.0.0.132"), 0);
      if (!ftp.login(FTPS_USER, password)) {
        hoardingRefused.incrementAndGet();
        pause(5_000);
        return;
      }
      hoardingLogins.incrementAndGet();
      ftp.execPBSZ(0);
      ftp.execPROT("P");
      while (System.nanoTime() < deadline && ftp.isConnected()) {
        if (ftp.pasv() == 227) {
          portsTaken.incrementAndGet();
        }
        for (int i = 0; i < 4 && System.nanoTime() < deadline; i++) {
          pause(10_000);
          if (!ftp.sendNoOp() && ftp.getReplyCode() >= 400) {
            return;
          }
        }
      }
    } finally {
      try {
        ftp.disconnect();
      } catch (IOException ignored) {
        // over either way
      }
    }
  }

  private static void pause(long millis) {
    try {
      Thread.sleep(millis); // the attack's own pace
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
