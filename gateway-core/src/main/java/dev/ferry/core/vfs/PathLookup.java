package dev.ferry.core.vfs;

import dev.ferry.core.catalog.ObjectCatalog;
import dev.ferry.core.path.VirtualPath;
import dev.ferry.core.s3.ListPage;
import dev.ferry.core.s3.ObjectFacts;
import dev.ferry.core.s3.ObjectInfo;
import dev.ferry.core.s3.S3Location;
import dev.ferry.core.store.ListingCache;
import dev.ferry.core.store.ObjectStore;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * What a path of one session is (a file, a directory, nothing): from the node's {@link ListingCache}
 * where its folder was seen a moment ago, else asked of S3, whose folders are listed meanwhile in
 * the background for the names that follow.
 */
final class PathLookup {

  /** At most this many listing pages (of 1,000 names) are kept of a directory listed in the background. */
  private static final int LEARNED_PAGES = DirectoryListing.KEPT_PAGES;

  private final SessionUser user;
  private final ClientErrors errors;
  private final ObjectStore store;
  private final ObjectCatalog catalog;
  /** What this node saw of S3's folders a moment ago: see {@link ListingCache}. */
  private final ListingCache listings;
  /** Directories being listed in the background for {@link #listings}: one listing each at a time. */
  private final Set<VirtualPath> learning = new HashSet<>();
  private final Clock clock;

  PathLookup(SessionUser user, ClientErrors errors, ObjectStore store, ObjectCatalog catalog, ListingCache listings,
      Clock clock) {
    this.user = user;
    this.errors = errors;
    this.store = store;
    this.catalog = catalog;
    this.listings = listings;
    this.clock = clock;
  }

  Optional<FileStat> find(VirtualPath path, String operation) throws IOException {
    if (user.isMountRoot(path)) {
      return Optional.of(new FileStat(path, true, 0, Instant.EPOCH));
    }
    Optional<FileStat> stored = findStored(path, operation);
    return stored.isPresent() ? stored : emptiedHere(path);
  }

  /**
   * {@code path}, which S3 has nothing at or under, as the empty folder it is for this node when
   * this node removed the last of what was under it lately (a folder without a marker ends with
   * its last file in S3; see {@link ListingCache#emptiedLately}), with the time of that removal.
   */
  Optional<FileStat> emptiedHere(VirtualPath path) {
    return listings.emptiedLately(user.prefixOf(path)).map(at -> new FileStat(path, true, 0, at));
  }

  private Optional<FileStat> findStored(VirtualPath path, String operation) throws IOException {
    Optional<ListingCache.Name> known = listings.lookup(user.keyOf(path));
    if (known.isPresent()) {
      Optional<FileStat> answer = fromListing(path, known.get(), operation);
      if (answer != null) {
        return answer;
      }
    }
    // Asked of S3 this once; a folder not seen is listed meanwhile for the names that follow (git
    // and rsync stat every file of a folder in turn).
    if (known.isEmpty()) {
      learnFolder(path.parent());
    }
    Optional<ObjectInfo> file = head(path, operation);
    if (file.isPresent()) {
      return Optional.of(fileStat(path, file.get(), operation));
    }
    return findDirectory(path, operation);
  }

  /**
   * What a folder seen a moment ago says of {@code path}, or null where S3 is to be asked: a file
   * written since whose facts are not known here, or whose time is not (no client time in the
   * catalog to show instead), or one whose time may be in its own metadata, which a listing does
   * not carry (no catalog entry: written by another S3 client).
   */
  private Optional<FileStat> fromListing(VirtualPath path, ListingCache.Name name, String operation)
      throws StorageFailureException {
    return switch (name.kind()) {
      case MISSING -> Optional.empty();
      case FOLDER -> Optional.of(new FileStat(path, true, 0, Instant.EPOCH));
      case FILE -> {
        if (name.file() == null) {
          yield null;
        }
        Optional<ObjectFacts> facts;
        try {
          facts = catalog.find(user.keyOf(path), name.file().etag());
        } catch (IOException e) {
          throw errors.storageFailure(path, operation, e);
        }
        // A HEAD's time has whole seconds; a listing's has milliseconds: shown as a HEAD would.
        Instant listed = name.file().lastModified().truncatedTo(ChronoUnit.SECONDS);
        boolean timeKnown = name.exactTime() || facts.map(f -> f.clientTime() != null).orElse(false);
        yield facts.isEmpty() || !timeKnown ? null
            : Optional.of(new FileStat(path, false, name.file().size(), facts.get().timeOr(listed)));
      }
    };
  }

  /**
   * The file at {@code path} as its folder's listing a moment ago or a HEAD shows it (size, time,
   * ETag); empty when there is none. For changes that name the version they saw (a rename copies
   * only if the source still has that ETag) or are keyed by it (a client's time).
   */
  Optional<ObjectInfo> fileInfo(VirtualPath path, String operation) throws FileSystemException {
    Optional<ListingCache.Name> known = listings.lookup(user.keyOf(path));
    if (known.isPresent() && known.get().kind() != ListingCache.Name.Kind.FILE) {
      return Optional.empty();
    }
    if (known.isPresent() && known.get().file() != null) {
      return Optional.of(known.get().file());
    }
    return head(path, operation);
  }

  /** The facts of the file at {@code path} as the listing cache holds them; empty where it does not. */
  Optional<ObjectInfo> cachedFile(VirtualPath path) {
    return listings.lookup(user.keyOf(path))
        .filter(name -> name.kind() == ListingCache.Name.Kind.FILE).map(ListingCache.Name::file);
  }

  /** The HEAD of {@code path}'s object; what it says is kept for the folder, if the cache holds it. */
  Optional<ObjectInfo> head(VirtualPath path, String operation) throws FileSystemException {
    S3Location key = user.keyOf(path);
    long mark = listings.mark();
    Optional<ObjectInfo> file = errors.call(store.head(key), path, operation);
    file.ifPresent(found -> listings.headed(key, found, mark));
    return file;
  }

  /** {@code path} as a directory (a prefix with anything under it, or its marker), if it is one. */
  Optional<FileStat> findDirectory(VirtualPath path, String operation) throws IOException {
    Optional<ListingCache.Name> known = listings.lookup(user.keyOf(path));
    if (known.isPresent() && known.get().kind() != ListingCache.Name.Kind.FILE) {
      return known.get().kind() == ListingCache.Name.Kind.FOLDER
          ? Optional.of(new FileStat(path, true, 0, Instant.EPOCH)) : Optional.empty();
    }
    ListPage page = errors.call(store.listPage(user.prefixOf(path), "/", null, 1), path, operation);
    if (DirectoryListing.isAbsent(page)) {
      return Optional.empty();
    }
    Instant modified = page.objects().isEmpty() ? Instant.EPOCH : page.objects().get(0).lastModified();
    return Optional.of(new FileStat(path, true, 0, modified));
  }

  /** A file as its HEAD and its catalog entry describe it: the time shown is the client's, if one was set. */
  private FileStat fileStat(VirtualPath path, ObjectInfo head, String operation) throws StorageFailureException {
    try {
      return new FileStat(path, false, head.size(),
          catalog.factsOf(user.keyOf(path), head).timeOr(head.lastModified()));
    } catch (IOException e) {
      throw errors.storageFailure(path, operation, e);
    }
  }

  /**
   * That {@code path} is a file, for a change that needs nothing else of it (a delete): a name its
   * folder's listing or this node's write showed a moment ago is one, whatever its facts.
   */
  void requireFile(VirtualPath path, String operation) throws IOException {
    Optional<ListingCache.Name> known = user.isMountRoot(path) ? Optional.empty() : listings.lookup(user.keyOf(path));
    if (known.isEmpty() || known.get().kind() != ListingCache.Name.Kind.FILE) {
      existingFile(path, operation);
    }
  }

  FileStat existingFile(VirtualPath path, String operation) throws IOException {
    FileStat stat = find(path, operation).orElseThrow(() -> new NoSuchFileException(path.toString(), null,
        operation + " by " + user.name() + ": no such file"));
    if (stat.directory()) {
      throw errors.isADirectory(path, operation);
    }
    return stat;
  }

  /** What {@code path} is, asked with one listing: see {@link NameProbe}. */
  NameProbe.Found probe(VirtualPath path, String operation) throws FileSystemException {
    return errors.call(NameProbe.probe(store, user.keyOf(path)), path, operation);
  }

  /**
   * What {@code path} is: from {@link #listings} where its folder was seen a moment ago, else one
   * listing. Only for answers that cannot cost data when a file another S3 client just wrote is
   * missed (a mkdir, a new file's check for a folder of its name, the target of a rename that
   * replaces it); the target of a rename that must not replace, and a write over what is there, ask S3.
   */
  CompletableFuture<NameProbe.Found> probeAsync(VirtualPath path) {
    S3Location key = user.keyOf(path);
    Optional<ListingCache.Name> known = listings.lookup(key);
    if (known.isPresent()) {
      ListingCache.Name name = known.get();
      NameProbe.Found found = switch (name.kind()) {
        case MISSING -> new NameProbe.Found(NameProbe.Kind.MISSING, Optional.empty());
        case FOLDER -> new NameProbe.Found(NameProbe.Kind.DIRECTORY, Optional.empty());
        case FILE -> name.file() == null ? null : new NameProbe.Found(NameProbe.Kind.FILE, Optional.of(name.file()));
      };
      if (found != null) {
        return CompletableFuture.completedFuture(found);
      }
    }
    return NameProbe.probe(store, key);
  }

  /** {@link #probeAsync}, awaited: what {@code path} is, from the folder seen a moment ago where it was. */
  NameProbe.Found probeKnown(VirtualPath path, String operation) throws FileSystemException {
    return errors.call(probeAsync(path), path, operation);
  }

  void requireParentDirectory(VirtualPath path, String operation) throws IOException {
    VirtualPath parent = path.parent();
    if (user.isMountRoot(parent) || listings.folderExists(user.prefixOf(parent))) {
      return;
    }
    NameProbe.Kind kind = probe(parent, operation).kind();
    if (kind == NameProbe.Kind.FILE || (kind == NameProbe.Kind.MISSING && emptiedHere(parent).isEmpty())) {
      throw new NoSuchFileException(parent.toString(), null, operation + " of " + path + " by " + user.name()
          + ": parent directory does not exist");
    }
    learnFolder(parent);
  }

  /** Whether the folder of {@code path}, seen a moment ago, has no such name. */
  boolean knownMissing(VirtualPath path) {
    return listings.lookup(user.keyOf(path)).map(name -> name.kind() == ListingCache.Name.Kind.MISSING).orElse(false);
  }

  /**
   * Whether this session knows that {@code path} is no directory, from its parent's subdirectories
   * (made or listed a moment ago); a known directory is refused. When they are not known, the
   * parent is listed in the background for the files that follow, and S3 is to be asked.
   */
  boolean knownNotADirectory(VirtualPath path, String operation) throws FileSystemException {
    Optional<ListingCache.Name> known = listings.lookup(user.keyOf(path));
    if (known.isEmpty()) {
      learnFolder(path.parent());
      return false;
    }
    if (known.get().kind() == ListingCache.Name.Kind.FOLDER) {
      throw errors.isADirectory(path, operation);
    }
    return true;
  }

  /**
   * Lists {@code directory} in the background, up to {@link #LEARNED_PAGES} pages, for
   * {@link #listings}: the files that follow into it are then checked without S3. A larger
   * directory stays unknown, and each upload into it asks S3 about its own name.
   */
  private void learnFolder(VirtualPath directory) {
    S3Location prefix = user.prefixOf(directory);
    if (!listings.enabled() || listings.recentlyNotKept(prefix)) {
      return;
    }
    synchronized (learning) {
      if (!learning.add(directory)) {
        return;
      }
    }
    Instant begun = clock.instant();
    ListingCache.Listing listing = listings.begin(prefix);
    List<ListPage> pages = new ArrayList<>();
    CompletableFuture<Boolean> listed;
    try {
      listed = listPages(prefix, null, LEARNED_PAGES, pages);
    } catch (RuntimeException e) {
      listed = CompletableFuture.failedFuture(e);
    }
    listed.whenComplete((whole, error) -> {
      synchronized (learning) {
        learning.remove(directory);
      }
      if (error == null && whole && !DirectoryListing.isAbsent(pages.get(0))) {
        listings.listed(listing, pages, begun);
        return;
      }
      listings.abandoned(listing);
      if (error == null) {
        // too large, or no such folder: a client asking about names in it asks S3
        listings.notKept(prefix, begun);
      }
    });
  }

  /** Adds up to {@code pages} pages of {@code prefix} to {@code into}; true when that was all of them. */
  private CompletableFuture<Boolean> listPages(S3Location prefix, String token, int pages, List<ListPage> into) {
    return store.listPage(prefix, "/", token, DirectoryListing.PAGE_SIZE).thenCompose(page -> {
      into.add(page);
      if (!page.hasNext()) {
        return CompletableFuture.completedFuture(true);
      }
      return pages > 1 ? listPages(prefix, page.nextToken(), pages - 1, into)
          : CompletableFuture.completedFuture(false);
    });
  }
}
