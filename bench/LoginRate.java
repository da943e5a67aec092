import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.keyverifier.AcceptAllServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;

/**
 * SFTP password logins per second against one Ferry (a load generator, not a test): IN_FLIGHT
 * clients in a loop connect from one of several loopback source addresses, log in with the
 * password, and close, for SECONDS; prints "LOGINS n FAILED f SECONDS s PER_SECOND r" and the
 * median login time. Each login is a whole SSH connection (key exchange included), as a client
 * that connects per file pays it.
 *
 * <pre>java -cp ferry.jar bench/LoginRate.java PORT USER PASSWORD SOURCES(127.0.0.20-127.0.0.39) SECONDS IN_FLIGHT</pre>
 *
 * Everything stays on loopback and stops by itself.
 */
public final class LoginRate {

  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    String user = args[1];
    String password = args[2];
    List<String> sources = sources(args[3]);
    long seconds = Long.parseLong(args[4]);
    int inFlight = Integer.parseInt(args[5]);
    SshClient client = SshClient.setUpDefaultClient();
    client.setServerKeyVerifier(AcceptAllServerKeyVerifier.INSTANCE);
    client.start();
    AtomicLong logins = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    List<Long> times = java.util.Collections.synchronizedList(new ArrayList<>());
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    ExecutorService pool = Executors.newFixedThreadPool(inFlight);
    List<Future<?>> workers = new ArrayList<>();
    long started = System.nanoTime();
    for (int w = 0; w < inFlight; w++) {
      String source = sources.get(w % sources.size());
      workers.add(pool.submit(() -> {
        while (System.nanoTime() < end) {
          long t0 = System.nanoTime();
          try (ClientSession session = client.connect(user, new java.net.InetSocketAddress("127.0.0.1", port),
              new java.net.InetSocketAddress(source, 0)).verify(Duration.ofSeconds(30)).getSession()) {
            session.addPasswordIdentity(password);
            session.auth().verify(Duration.ofSeconds(30));
            logins.incrementAndGet();
            times.add(System.nanoTime() - t0);
          } catch (Exception e) {
            failed.incrementAndGet();
          }
        }
        return null;
      }));
    }
    for (Future<?> worker : workers) {
      worker.get();
    }
    double elapsed = (System.nanoTime() - started) / 1e9;
    pool.shutdown();
    client.stop();
    List<Long> sorted = new ArrayList<>(times);
    sorted.sort(null);
    double median = sorted.isEmpty() ? 0 : sorted.get(sorted.size() / 2) / 1e6;
    System.out.printf("LOGINS %d FAILED %d SECONDS %.1f PER_SECOND %.1f MEDIAN_MS %.1f%n", logins.get(), failed.get(),
        elapsed, logins.get() / elapsed, median);
  }

  private static List<String> sources(String range) {
    String[] ends = range.split("-");
    String prefix = ends[0].substring(0, ends[0].lastIndexOf('.') + 1);
    int from = Integer.parseInt(ends[0].substring(ends[0].lastIndexOf('.') + 1));
    int to = Integer.parseInt(ends[1].substring(ends[1].lastIndexOf('.') + 1));
    List<String> sources = new ArrayList<>();
    for (int i = from; i <= to; i++) {
      sources.add(prefix + i);
    }
    return sources;
  }
}
