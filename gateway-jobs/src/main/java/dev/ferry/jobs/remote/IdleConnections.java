package dev.ferry.jobs.remote;

import dev.ferry.core.thread.DaemonThreads;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.sftp.client.SftpClient;

/**
 * SSH connections to remotes that a session gave back in one piece, kept for the next job to the
 * same remote: at most {@link ConnectionPool#idlePerRemote()} per remote, each closed after
 * {@link ConnectionPool#idleTime()} unused. A connection is lent to one session at a time; its host
 * key was checked when it was opened, and MINA's heartbeat keeps it from looking dead to firewalls.
 */
final class IdleConnections implements AutoCloseable {

  /**
   * A logged-in connection, its SFTP client (null until a session used SFTP) and an SFTP channel a
   * writer finished with (null when none): the next job's writer takes it instead of opening a
   * channel, which costs the remote a subsystem start (12.8-18.3 ms a file here, against 1.3-1.8 ms
   * on a kept channel).
   */
  record Connection(ClientSession session, SftpClient sftp, SftpClient spareWriter) {

    Connection(ClientSession session, SftpClient sftp) {
      this(session, sftp, null);
    }

    boolean open() {
      return session.isOpen() && !session.isClosing() && (sftp == null || sftp.isOpen());
    }

    void close() {
      for (SftpClient client : new SftpClient[] {spareWriter, sftp}) {
        try {
          if (client != null) {
            client.close();
          }
        } catch (IOException e) {
          // the connection goes anyway
        }
      }
      session.close(true);
    }
  }

  private record Idle(Connection connection, long sinceNanos) {}

  private final ConnectionPool settings;
  /** By remote name, the most recently given back first. Guarded by this. */
  private final Map<String, Deque<Idle>> idle = new HashMap<>();
  private final ScheduledExecutorService sweeper;
  private boolean closed;

  IdleConnections(ConnectionPool settings) {
    this.settings = settings;
    this.sweeper = settings.idlePerRemote() == 0 ? null
        : Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("ferry-remote-idle"));
    if (sweeper != null) {
      long every = Math.max(1000, settings.idleTime().toMillis() / 2);
      sweeper.scheduleWithFixedDelay(this::closeExpired, every, every, TimeUnit.MILLISECONDS);
    }
  }

  /** An open idle connection to {@code remote}, or null: the most recent one, so the others can expire. */
  Connection take(String remote) {
    while (true) {
      Idle next;
      synchronized (this) {
        Deque<Idle> waiting = idle.get(remote);
        next = waiting == null ? null : waiting.pollFirst();
      }
      if (next == null) {
        return null;
      }
      if (next.connection().open() && !expired(next)) {
        return next.connection();
      }
      next.connection().close();
    }
  }

  /** Keeps {@code connection} for the next session to {@code remote}; false when it is not kept (the caller closes it). */
  boolean giveBack(String remote, Connection connection) {
    if (!connection.open()) {
      return false;
    }
    synchronized (this) {
      Deque<Idle> waiting = idle.computeIfAbsent(remote, name -> new ArrayDeque<>());
      if (closed || waiting.size() >= settings.idlePerRemote()) {
        return false;
      }
      waiting.addFirst(new Idle(connection, System.nanoTime()));
      return true;
    }
  }

  private boolean expired(Idle waiting) {
    return System.nanoTime() - waiting.sinceNanos() >= settings.idleTime().toNanos();
  }

  private void closeExpired() {
    Deque<Connection> expired = new ArrayDeque<>();
    synchronized (this) {
      for (Deque<Idle> waiting : idle.values()) {
        for (Iterator<Idle> it = waiting.iterator(); it.hasNext(); ) {
          Idle next = it.next();
          if (expired(next) || !next.connection().open()) {
            it.remove();
            expired.add(next.connection());
          }
        }
      }
    }
    expired.forEach(Connection::close);
  }

  /** How many connections wait now, over all remotes. */
  synchronized int size() {
    return idle.values().stream().mapToInt(Deque::size).sum();
  }

  @Override
  public void close() {
    Deque<Connection> all = new ArrayDeque<>();
    synchronized (this) {
      closed = true;
      idle.values().forEach(waiting -> waiting.forEach(i -> all.add(i.connection())));
      idle.clear();
    }
    if (sweeper != null) {
      sweeper.shutdownNow();
    }
    all.forEach(Connection::close);
  }
}
