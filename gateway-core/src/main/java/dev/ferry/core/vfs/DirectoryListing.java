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
import java.util.concurrent.CompletableFuture;

/**
 * The entries of one directory, fetched one S3 page at a time, with the next page requested while
 * the current one is consumed. At most two pages are held, however many keys the prefix has.
 * Iteration throws {@link UncheckedIOException} when S3 fails mid-listing.
 */
final class DirectoryListing implements Iterator<FileStat> {

  static final int PAGE_SIZE = 1000;

  private final ObjectStore store;
  private final S3Location prefix;
  private final VirtualPath directory;
  private final Deque<FileStat> current = new ArrayDeque<>();
  private CompletableFuture<ListPage> next;

  DirectoryListing(ObjectStore store, S3Location prefix, VirtualPath directory, ListPage first) {
    this.store = store;
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
    return current.poll();
  }

  private void accept(ListPage page) {
    next = page.hasNext() ? store.listPage(prefix, "/", page.nextToken(), PAGE_SIZE) : null;
    for (String common : page.commonPrefixes()) {
      String name = common.substring(prefix.key().length(), common.length() - 1);
      if (!name.isEmpty()) {
        current.add(new FileStat(directory.child(name), true, 0, Instant.EPOCH));
      }
    }
    for (ObjectInfo object : page.objects()) {
      String name = object.key().substring(prefix.key().length());
      if (!name.isEmpty() && !name.endsWith("/")) {
        current.add(new FileStat(directory.child(name), false, object.size(), object.lastModified()));
      }
    }
  }

  /** True when the first page shows nothing at all under the prefix, not even its marker. */
  static boolean isAbsent(ListPage first) {
    return first.objects().isEmpty() && first.commonPrefixes().isEmpty();
  }
}
