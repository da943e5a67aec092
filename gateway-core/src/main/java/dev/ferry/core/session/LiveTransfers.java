package dev.ferry.core.session;

import dev.ferry.core.event.SessionInfo;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The files client sessions have open on this node, uploads and downloads, whatever the front-end:
 * the one place that knows which file a session is writing or reading and how far it got. The
 * session's filesystem registers each file it opens and aborts what is left through here; the
 * {@code sessions} admin command, the dashboard's uploads in flight and its throughput read it.
 *
 * <p>Bytes are read from the counters the files keep anyway (an upload's size, a read's bytes
 * sent), never counted again per write. A file's bytes go into its protocol's total when it ends, so
 * {@link #totals} only grows and a rate is the difference of two readings.
 */
public final class LiveTransfers {

  public enum Direction { UPLOAD, DOWNLOAD }

  /** What the registry asks of an open file; {@code bytes} must not block on the file's writer. */
  public interface Counted {
    long bytes();

    boolean isOpen();

    void abort(String reason);
  }

  /** One open file as the console and the API show it: {@code bytes} so far (a resumed upload's include what it kept). */
  public record Transfer(String session, String protocol, String user, String path, Direction direction, long bytes,
      Instant since) {}

  /** One registered file; {@code owner} is the session filesystem that opened it, {@code file} the writer or reader. */
  private record Entry(Object owner, Object file, Counted counted, SessionInfo session, String user, String path,
      Direction direction, long startBytes, Instant since) {

    /** Bytes moved since the open (a resume's kept bytes do not count as throughput). */
    long moved() {
      return Math.max(0, counted.bytes() - startBytes);
    }
  }

  private final Clock clock;
  private final Map<Object, Entry> open = new ConcurrentHashMap<>();
  /** By protocol and direction: the bytes moved by files that have ended. */
  private final Map<String, AtomicLong> ended = new ConcurrentHashMap<>();

  public LiveTransfers(Clock clock) {
    this.clock = clock;
  }

  /**
   * Registers {@code file} (a writer or reader, the key it is found and removed by) opened by
   * {@code owner} for {@code session} (null before a login is named: counted under protocol "none").
   */
  public void opened(Object owner, Object file, Counted counted, SessionInfo session, String user, String path,
      Direction direction) {
    open.put(file, new Entry(owner, file, counted, session, user, path, direction, counted.bytes(), clock.instant()));
  }

  /** The open file of {@code owner} at {@code path} written through an instance of {@code type}, or null. */
  public <T> T writing(Object owner, String path, Class<T> type) {
    for (Entry entry : open.values()) {
      if (entry.owner == owner && entry.direction == Direction.UPLOAD && entry.path.equals(path)
          && type.isInstance(entry.file) && entry.counted.isOpen()) {
        return type.cast(entry.file);
      }
    }
    return null;
  }

  /** Aborts every file {@code owner} still has open (its session closed: never a commit). */
  public void abortAll(Object owner, String reason) {
    for (Entry entry : List.copyOf(open.values())) {
      if (entry.owner == owner) {
        entry.counted.abort(reason);
        end(entry);
      }
    }
  }

  /** The files open now, oldest first. */
  public List<Transfer> now() {
    List<Transfer> transfers = new ArrayList<>();
    for (Entry entry : prune()) {
      transfers.add(new Transfer(entry.session == null ? null : entry.session.id(), protocolOf(entry), entry.user,
          entry.path, entry.direction, entry.counted.bytes(), entry.since));
    }
    transfers.sort(java.util.Comparator.comparing(Transfer::since));
    return transfers;
  }

  /** Bytes moved on this node since it started, by "PROTOCOL DIRECTION" (e.g. "SFTP UPLOAD"): ended files and open ones so far. */
  public Map<String, Long> totals() {
    Map<String, Long> totals = new java.util.TreeMap<>();
    for (Entry entry : prune()) {
      totals.merge(key(entry), entry.moved(), Long::sum);
    }
    ended.forEach((key, bytes) -> totals.merge(key, bytes.get(), Long::sum));
    return totals;
  }

  /** The open entries, after moving the ended ones' bytes into {@link #ended}. */
  private List<Entry> prune() {
    List<Entry> live = new ArrayList<>();
    for (Entry entry : open.values()) {
      if (entry.counted.isOpen()) {
        live.add(entry);
      } else {
        end(entry);
      }
    }
    return live;
  }

  private void end(Entry entry) {
    if (open.remove(entry.file, entry)) { // once, however many readers prune at the same time
      ended.computeIfAbsent(key(entry), k -> new AtomicLong()).addAndGet(entry.moved());
    }
  }

  private static String key(Entry entry) {
    return protocolOf(entry) + " " + entry.direction;
  }

  private static String protocolOf(Entry entry) {
    return entry.session == null ? "none" : entry.session.protocol();
  }
}
