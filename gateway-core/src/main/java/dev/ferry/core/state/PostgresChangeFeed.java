package dev.ferry.core.state;

import dev.ferry.core.s3.S3Location;
import dev.ferry.core.store.ListingCache;
import dev.ferry.core.thread.DaemonThreads;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The nodes sharing a PostgreSQL store tell each other which S3 keys they changed, with
 * PostgreSQL's own {@code NOTIFY}: a node's {@link ListingCache} forgets a folder another node
 * changed within milliseconds, with no table written and nothing polled. The words go out from a
 * thread of their own (a change never waits for the database), on one connection kept for it; the
 * words in arrive on another that only listens. If either connection breaks, the cache is told
 * (it answers nothing from memory until the feed is back) and the connection is made again.
 */
public final class PostgresChangeFeed implements ListingCache.ChangeFeed, AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(PostgresChangeFeed.class);

  static final String CHANNEL = "ferry_object_changes";
  /** How long a sender or listener whose connection broke waits before connecting again. */
  private static final long RECONNECT_MILLIS = 1_000;
  /** How long a listen waits for words before it checks that it should go on. */
  private static final int LISTEN_WAIT_MILLIS = 500;
  /** How long {@link #listen} waits for the first LISTEN, so a node starts with a cache it can use. */
  private static final long FIRST_LISTEN_WAIT_SECONDS = 10;
  /** Words sent per statement at most, when many changes come at once (a folder renamed). */
  private static final int BATCH = 100;

  private final StateStoreSettings settings;
  /** Tells this node's own words from the others': PostgreSQL sends a node what it sent too. */
  private final String self = UUID.randomUUID().toString();
  private final BlockingQueue<S3Location> outgoing = new LinkedBlockingQueue<>();
  private volatile boolean closed;
  private Thread sender;
  private Thread listener;
  /** Open once the listener has listened, or failed to, for the first time. */
  private final CountDownLatch firstTry = new CountDownLatch(1);

  PostgresChangeFeed(StateStoreSettings settings) {
    this.settings = settings;
  }

  @Override
  public void publish(S3Location key) {
    if (!closed) {
      outgoing.add(key);
    }
  }

  @Override
  public synchronized void listen(Consumer<S3Location> changed, Runnable lost, Runnable restored) {
    if (listener != null) {
      throw new IllegalStateException("the change feed has a listener already");
    }
    listener = DaemonThreads.named("ferry-change-feed-in").newThread(() -> listenLoop(changed, lost, restored));
    sender = DaemonThreads.named("ferry-change-feed-out").newThread(this::sendLoop);
    listener.start();
    sender.start();
    try {
      if (!firstTry.await(FIRST_LISTEN_WAIT_SECONDS, TimeUnit.SECONDS)) {
        log.warn("change feed on {} is not listening after {} s: listings are asked of S3 until it is",
            settings.describe(), FIRST_LISTEN_WAIT_SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void listenLoop(Consumer<S3Location> changed, Runnable lost, Runnable restored) {
    boolean first = true;
    while (!closed) {
      try (Connection connection = connect(); Statement listen = connection.createStatement()) {
        listen.execute("LISTEN " + CHANNEL);
        if (!first) {
          log.info("change feed on {} is back: this node's listing cache starts afresh", settings.describe());
        }
        restored.run();
        firstTry.countDown();
        first = false;
        PGConnection pg = connection.unwrap(PGConnection.class);
        while (!closed) {
          PGNotification[] notes = pg.getNotifications(LISTEN_WAIT_MILLIS);
          if (notes != null) {
            for (PGNotification note : notes) {
              heard(note.getParameter(), changed);
            }
          }
        }
      } catch (SQLException | RuntimeException e) {
        if (closed) {
          return;
        }
        log.warn("change feed on {} broke ({}): listings are asked of S3 until it is back", settings.describe(),
            e.getMessage());
        lost.run();
        firstTry.countDown();
        pause();
      }
    }
  }

  private void heard(String payload, Consumer<S3Location> changed) {
    ChangeWords.keysOf(self, payload).forEach(changed);
  }

  private void sendLoop() {
    List<S3Location> keys = new ArrayList<>();
    while (!closed) {
      try (Connection connection = connect();
          PreparedStatement notify = connection.prepareStatement("SELECT pg_notify('" + CHANNEL + "', ?)")) {
        while (!closed) {
          if (keys.isEmpty()) {
            S3Location first = outgoing.poll(LISTEN_WAIT_MILLIS, TimeUnit.MILLISECONDS);
            if (first == null) {
              continue;
            }
            keys.add(first);
            outgoing.drainTo(keys, BATCH - 1);
          }
          for (String payload : ChangeWords.payloads(self, keys)) {
            notify.setString(1, payload);
            notify.execute();
          }
          keys.clear();
        }
      } catch (InterruptedException e) {
        return;
      } catch (SQLException | RuntimeException e) {
        if (closed) {
          return;
        }
        // Kept and sent once the connection is back; meanwhile the other nodes may answer from what
        // they saw before these changes, for at most their directoryCacheTime.
        log.warn("change feed on {} could not send {} changes ({}); trying again", settings.describe(), keys.size(),
            e.getMessage());
        pause();
      }
    }
  }

  private Connection connect() throws SQLException {
    return DriverManager.getConnection(settings.url(), settings.user(), settings.password());
  }

  private void pause() {
    try {
      // PostgreSQL is down or refused us: nothing announces its return, so the feed's own thread
      // tries again after a pause rather than in a tight loop (the cache trusts nothing meanwhile).
      Thread.sleep(RECONNECT_MILLIS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      closed = true;
    }
  }

  @Override
  public void close() {
    closed = true;
    if (sender != null) {
      sender.interrupt();
    }
  }
}
