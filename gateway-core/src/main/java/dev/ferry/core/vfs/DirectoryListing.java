package dev.ferry.core.vfs;

import dev.ferry.core.path.VirtualPath;
import dev.ferry.core.store.ListPage;
import dev.ferry.core.store.ObjectInfo;
import dev.ferry.core.store.ObjectStore;
import dev.ferry.core.store.S3Location;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The entries of one directory, fetched one S3 page at a time, with the next page requested while
 * the current one is consumed. At most two pages are held, however many keys the prefix has.
 * Iteration throws {@link UncheckedIOException} when S3 fails mid-listing.
 *
 * <p>With client times, each file's time is the one a client set: S3 listings carry no metadata,
 * so each file is asked about with a HEAD, {@link #HEADS_AHEAD} of them in flight ahead of the
 * reader. A file whose HEAD fails or finds it gone is shown as the listing saw it.
 */
final class DirectoryListing implements Iterator<FileStat> {

  static final int PAGE_SIZE = 1000;
  /** Enough to hide S3's latency behind the reader, few enough to leave connections to transfers. */
  static final int HEADS_AHEAD = 16;

  private final ObjectStore store;
  private final S3Location prefix;
  private final VirtualPath directory;
  /** With client times: the time of a file from its HEAD; null lists S3's times. */
  private final ClientTime clientTimes;
  private final Deque<Entry> current = new ArrayDeque<>();
  private CompletableFuture<ListPage> next;

  /** A listed entry and, for a file with client times, the HEAD that gives its time. */
  private static final class Entry {
    final FileStat listed;
    final S3Location key;
    CompletableFuture<Optional<ObjectInfo>> head;
    long headSentAt;

    Entry(FileStat listed, S3Location key) {
      this.listed = listed;
      this.key = key;
    }
  }

  /** The time to show for a file, from a HEAD of it sent at {@code headSentAt} (System.nanoTime). */
  interface ClientTime {
    Instant of(S3Location key, ObjectInfo info, long headSentAt);
  }

  DirectoryListing(ObjectStore store, S3Location prefix, VirtualPath directory, ListPage first,
      ClientTime clientTimes) {
    this.store = store;
    this.prefix = prefix;
    this.directory = directory;
    this.clientTimes = clientTimes;
    accept(first);
  }

  @Override
  public boolean hasNext() {
    while (current.isEmpty() && next != null) {
      try {
        accept(ObjectStore.await(next));
      } catch (IOException e) {
        next = null;
        throw new UncheckedIOException("listing " + directory + " failed: " + e.getMessage(), e);
      }
    }
    return !current.isEmpty();
  }

  @Override
  public FileStat next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    askAhead();
    Entry entry = current.poll();
    if (entry.head == null) {
      return entry.listed;
    }
    try {
      return ObjectStore.await(entry.head)
          .map(info -> new FileStat(entry.listed.path(), false, entry.listed.size(), clientTimes.of(entry.key, info, entry.headSentAt)))
          .orElse(entry.listed);
    } catch (IOException e) {
      return entry.listed;
    }
  }

  private void askAhead() {
    int asked = 0;
    for (Entry entry : current) {
      if (asked++ == HEADS_AHEAD) {
        return;
      }
      if (entry.head == null && entry.key != null) {
        entry.headSentAt = System.nanoTime();
        entry.head = store.head(entry.key);
      }
    }
  }

  private void accept(ListPage page) {
    next = page.hasNext() ? store.listPage(prefix, "/", page.nextToken(), PAGE_SIZE) : null;
    for (String common : page.commonPrefixes()) {
      String name = common.substring(prefix.key().length(), common.length() - 1);
      if (!name.isEmpty()) {
        current.add(new Entry(new FileStat(directory.child(name), true, 0, Instant.EPOCH), null));
      }
    }
    for (ObjectInfo object : page.objects()) {
      String name = object.key().substring(prefix.key().length());
      if (!name.isEmpty() && !name.endsWith("/")) {
        current.add(new Entry(new FileStat(directory.child(name), false, object.size(), object.lastModified()),
            clientTimes != null ? new S3Location(prefix.bucket(), object.key()) : null));
      }
    }
  }

  /** True when the first page shows nothing at all under the prefix, not even its marker. */
  static boolean isAbsent(ListPage first) {
    return first.objects().isEmpty() && first.commonPrefixes().isEmpty();
  }
}
