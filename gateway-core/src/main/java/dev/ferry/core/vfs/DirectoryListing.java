package dev.ferry.core.vfs;

import dev.ferry.core.catalog.ObjectCatalog;
import dev.ferry.core.path.VirtualPath;
import dev.ferry.core.s3.ListPage;
import dev.ferry.core.s3.ObjectFacts;
import dev.ferry.core.s3.ObjectInfo;
import dev.ferry.core.s3.S3Location;
import dev.ferry.core.store.ObjectStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The entries of one directory, fetched one S3 page at a time, with the next page requested while
 * the current one is consumed. At most two pages are held, however many keys the prefix has.
 * Iteration throws {@link UncheckedIOException} when S3 or the state store fails mid-listing.
 *
 * <p>With client times, each file's time is the one a client set, looked up in the
 * {@link ObjectCatalog} for a whole page at once (S3 listings carry every key's ETag, which the
 * catalog is keyed by). A file the catalog has no entry for was written by another S3 client, or by
 * Ferry before it had a catalog: it is asked about with a HEAD, {@link #HEADS_AHEAD} in flight ahead
 * of the reader, for a time its metadata may carry, and what the HEAD found is recorded so the next
 * listing needs none. A file whose HEAD fails or finds it gone is shown as the listing saw it.
 *
 * <p>A directory of a few pages is handed whole, as S3 listed it, to whoever keeps listings
 * ({@link dev.ferry.core.store.ListingCache}).
 */
final class DirectoryListing implements Iterator<FileStat> {

  private static final Logger log = LoggerFactory.getLogger(DirectoryListing.class);

  static final int PAGE_SIZE = 1000;
  /** A directory of at most this many pages is handed whole to {@link #whole} once listed. */
  static final int KEPT_PAGES = 10;
  /** Enough to hide S3's latency behind the reader, few enough to leave connections to transfers. */
  static final int HEADS_AHEAD = 16;

  private final ObjectStore store;
  /** Null lists S3's times. */
  private final ObjectCatalog catalog;
  private final S3Location prefix;
  private final VirtualPath directory;
  private final Deque<Entry> current = new ArrayDeque<>();
  /** What HEADs of files without an entry found, recorded when the page is consumed. */
  private final List<ObjectCatalog.Entry> learned = new ArrayList<>();
  private CompletableFuture<ListPage> next;
  /** The pages so far, while there are at most {@link #KEPT_PAGES}; null past that. */
  private List<ListPage> pages = new ArrayList<>();
  private final Consumer<List<ListPage>> whole;

  /** A listed entry and, for a file the catalog does not know, the HEAD that gives its time. */
  private static final class Entry {
    final FileStat listed;
    final S3Location key;
    CompletableFuture<Optional<ObjectInfo>> head;

    Entry(FileStat listed, S3Location key) {
      this.listed = listed;
      this.key = key;
    }
  }

  DirectoryListing(ObjectStore store, ObjectCatalog catalog, S3Location prefix, VirtualPath directory,
      ListPage first, Consumer<List<ListPage>> whole) {
    this.whole = whole;
    this.store = store;
    this.catalog = catalog;
    this.prefix = prefix;
    this.directory = directory;
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
    FileStat stat = entry.head == null ? entry.listed : headed(entry);
    if (current.isEmpty()) {
      recordLearned();
    }
    return stat;
  }

  private FileStat headed(Entry entry) {
    Optional<ObjectInfo> head;
    try {
      head = ObjectStore.await(entry.head);
    } catch (IOException e) {
      return entry.listed;
    }
    if (head.isEmpty()) {
      return entry.listed;
    }
    ObjectFacts facts = ObjectFacts.fromMetadata(head.get().metadata());
    learned.add(new ObjectCatalog.Entry(entry.key.key(), head.get().etag(), facts));
    return new FileStat(entry.listed.path(), false, entry.listed.size(), facts.timeOr(head.get().lastModified()));
  }

  /** The catalog is only spared HEADs by this: when it cannot take it, the next listing asks again. */
  private void recordLearned() {
    if (learned.isEmpty()) {
      return;
    }
    try {
      catalog.recordAll(prefix.bucket(), List.copyOf(learned));
    } catch (IOException e) {
      log.warn("listing {}: the times of {} files stay unrecorded: {}", directory, learned.size(), e.getMessage());
    }
    learned.clear();
  }

  private void askAhead() {
    int asked = 0;
    for (Entry entry : current) {
      if (asked++ == HEADS_AHEAD) {
        return;
      }
      if (entry.head == null && entry.key != null) {
        entry.head = store.head(entry.key);
      }
    }
  }

  private void accept(ListPage page) {
    next = page.hasNext() ? store.listPage(prefix, "/", page.nextToken(), PAGE_SIZE) : null;
    if (pages != null) {
      pages.add(page);
      if (pages.size() > KEPT_PAGES) {
        pages = null;
      } else if (next == null) {
        whole.accept(pages);
      }
    }
    for (String common : page.commonPrefixes()) {
      String name = common.substring(prefix.key().length(), common.length() - 1);
      if (!name.isEmpty()) {
        current.add(new Entry(new FileStat(directory.child(name), true, 0, Instant.EPOCH), null));
      }
    }
    Map<String, ObjectFacts> known = catalog == null ? Map.of() : knownFacts(page);
    for (ObjectInfo object : page.objects()) {
      String name = object.key().substring(prefix.key().length());
      if (name.isEmpty() || name.endsWith("/")) {
        continue;
      }
      ObjectFacts facts = known.get(object.key());
      FileStat listed = new FileStat(directory.child(name), false, object.size(),
          facts == null ? object.lastModified() : facts.timeOr(object.lastModified()));
      boolean ask = catalog != null && facts == null;
      current.add(new Entry(listed, ask ? new S3Location(prefix.bucket(), object.key()) : null));
    }
  }

  private Map<String, ObjectFacts> knownFacts(ListPage page) {
    try {
      return catalog.findListed(prefix.bucket(), page.objects());
    } catch (IOException e) {
      next = null;
      throw new UncheckedIOException("listing " + directory + " failed: " + e.getMessage(), e);
    }
  }

  /** True when the first page shows nothing at all under the prefix, not even its marker. */
  static boolean isAbsent(ListPage first) {
    return first.objects().isEmpty() && first.commonPrefixes().isEmpty();
  }
}
