package dev.ferry.core.vfs;

import dev.ferry.core.s3.ListPage;
import dev.ferry.core.s3.ObjectInfo;
import dev.ferry.core.s3.S3Location;
import dev.ferry.core.store.ObjectStore;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * What a name is (a file, a directory, nothing) from one listing, where telling them apart took two
 * requests: a HEAD of {@code key} and a listing under {@code key/}. The listing is of the prefix
 * {@code key} itself, split at "/": the file comes back as the object {@code key}, the directory
 * as the common prefix {@code key/} (its marker and whatever is under it are rolled into it), and
 * S3's order puts both before any other name that starts with {@code key} but for names like
 * {@code key.txt} or {@code key-1} (the characters below "/"). Only when a page holds nothing but
 * such names is the next one asked for.
 *
 * <p>For checks that expect a name to be missing or a directory (mkdir, a rename's target, an
 * upload's parent); a stat, which mostly finds files and wants their metadata, asks with a HEAD.
 */
final class NameProbe {

  enum Kind { FILE, DIRECTORY, MISSING }

  /** What the name is; {@code file} is the listed object when it is a file. */
  record Found(Kind kind, Optional<ObjectInfo> file) {

    boolean exists() {
      return kind != Kind.MISSING;
    }
  }

  /**
   * The first page is small: the answer is nearly always in its first entries, and a name that
   * starts many others ({@code f1} among {@code f1} to {@code f1999}) would otherwise bring a
   * thousand of them back. Pages after it, needed only when a page holds nothing but names like
   * {@code key.txt}, are S3's largest.
   */
  private static final int FIRST_PAGE_SIZE = 16;
  private static final int PAGE_SIZE = 1000;

  private NameProbe() {}

  static CompletableFuture<Found> probe(ObjectStore store, S3Location key) {
    return probeFrom(store, key, null);
  }

  private static CompletableFuture<Found> probeFrom(ObjectStore store, S3Location key, String token) {
    return store.listPage(key, "/", token, token == null ? FIRST_PAGE_SIZE : PAGE_SIZE).thenCompose(page -> {
      Found found = read(page, key.key());
      if (found != null || !page.hasNext()) {
        return CompletableFuture.completedFuture(found != null ? found : new Found(Kind.MISSING, Optional.empty()));
      }
      return probeFrom(store, key, page.nextToken());
    });
  }

  /** The answer this page gives, or null when it holds only names that sort before {@code key/}. */
  static Found read(ListPage page, String key) {
    boolean passed = false;
    for (ObjectInfo object : page.objects()) {
      if (object.key().equals(key)) {
        return new Found(Kind.FILE, Optional.of(object));
      }
      passed |= object.key().length() > key.length() && object.key().charAt(key.length()) > '/';
    }
    for (String prefix : page.commonPrefixes()) {
      if (prefix.length() == key.length() + 1 && prefix.charAt(key.length()) == '/') {
        return new Found(Kind.DIRECTORY, Optional.empty());
      }
      passed |= prefix.length() > key.length() && prefix.charAt(key.length()) > '/';
    }
    return passed ? new Found(Kind.MISSING, Optional.empty()) : null;
  }
}
