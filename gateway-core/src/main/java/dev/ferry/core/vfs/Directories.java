package dev.ferry.core.vfs;

import dev.ferry.core.catalog.ObjectCatalog;
import dev.ferry.core.event.EventBus;
import dev.ferry.core.event.FileEvent;
import dev.ferry.core.lock.PathLock;
import dev.ferry.core.object.ObjectBusyException;
import dev.ferry.core.object.ObjectChange;
import dev.ferry.core.object.ObjectOperations;
import dev.ferry.core.path.VirtualPath;
import dev.ferry.core.s3.ListPage;
import dev.ferry.core.s3.S3Location;
import dev.ferry.core.s3.StoreException;
import dev.ferry.core.store.ListingCache;
import dev.ferry.core.store.ObjectStore;
import dev.ferry.core.user.Permission;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/** A session's directory operations: list, mkdir, rmdir. */
final class Directories {

  /**
   * How long a mkdir waits for the directory's marker held by another change of it (most often
   * another session's mkdir of the same directory, done in milliseconds); "busy" after that.
   */
  private static final Duration MKDIR_PATIENCE = Duration.ofSeconds(10);

  private final SessionUser user;
  private final ClientErrors errors;
  private final SessionLocks locks;
  private final PathLookup lookup;
  private final ObjectStore store;
  private final ObjectOperations objects;
  /** The catalog of client times, when listings show them; null lists S3's times. */
  private final ObjectCatalog clientTimes;
  private final ListingCache listings;
  private final EventBus events;
  private final Clock clock;

  Directories(SessionUser user, ClientErrors errors, SessionLocks locks, PathLookup lookup, ObjectStore store,
      ObjectOperations objects, ObjectCatalog clientTimes, ListingCache listings, EventBus events, Clock clock) {
    this.user = user;
    this.errors = errors;
    this.locks = locks;
    this.lookup = lookup;
    this.store = store;
    this.objects = objects;
    this.clientTimes = clientTimes;
    this.listings = listings;
    this.events = events;
    this.clock = clock;
  }

  Iterator<FileStat> list(VirtualPath directory) throws IOException {
    Iterator<FileStat> listed = listStored(directory);
    return directory.isRoot() && !user.folderNames().isEmpty() ? withFolders(listed) : listed;
  }

  /**
   * The root's listing with the user's virtual folders as directories: a name of the home that a
   * folder's path covers is the folder's, so it shows once, as the folder.
   */
  private Iterator<FileStat> withFolders(Iterator<FileStat> listed) {
    List<String> folders = user.folderNames();
    Stream<FileStat> stored = StreamSupport.stream(Spliterators.spliteratorUnknownSize(listed, Spliterator.ORDERED),
        false).filter(stat -> !folders.contains(stat.path().name()));
    Stream<FileStat> mounted = folders.stream().map(name -> new FileStat(VirtualPath.ROOT.child(name), true, 0,
        Instant.EPOCH));
    return Stream.concat(stored, mounted).iterator();
  }

  private Iterator<FileStat> listStored(VirtualPath directory) throws IOException {
    errors.require(Permission.LIST, directory, "list");
    S3Location prefix = user.prefixOf(directory);
    Optional<ListPage> seen = listings.page(prefix);
    if (seen.isPresent()) {
      return new DirectoryListing(store, clientTimes, prefix, directory, seen.get(), pages -> {});
    }
    Instant begun = clock.instant();
    long mark = listings.mark();
    ListPage first = errors.call(store.listPage(prefix, "/", null, DirectoryListing.PAGE_SIZE), directory, "list");
    if (!user.isMountRoot(directory) && DirectoryListing.isAbsent(first)) {
      if (errors.call(store.head(user.keyOf(directory)), directory, "list").isPresent()) {
        throw new NotADirectoryException(directory.toString(), "list by " + user.name() + ": not a directory");
      }
      if (lookup.emptiedHere(directory).isPresent()) {
        return Collections.emptyIterator();
      }
      throw new NoSuchFileException(directory.toString(), null, "list by " + user.name() + ": no such directory");
    }
    return new DirectoryListing(store, clientTimes, prefix, directory, first,
        pages -> listings.listed(prefix, pages, begun, mark));
  }

  void mkdir(VirtualPath path) throws IOException {
    errors.require(Permission.MKDIR, path, "mkdir");
    if (user.isMountRoot(path)) {
      throw alreadyExists(path);
    }
    lookup.requireParentDirectory(path, "mkdir");
    Instant begun = clock.instant();
    long mark = listings.mark();
    ObjectChange change = ObjectChange.by(user.origin(), "mkdir of " + path + " by " + user.name())
        .atPaths(path.toString(), null)
        .waitingUpTo(MKDIR_PATIENCE)
        .checking(() -> {
          // Looked at under the lock: a mkdir that ended just before it took the lock made it already.
          if (errors.call(lookup.probeAsync(path), path, "mkdir").exists()) {
            throw alreadyExists(path);
          }
        });
    try {
      objects.createDirectory(user.prefixOf(path), change);
    } catch (ObjectBusyException e) {
      throw errors.busy(path, "mkdir");
    } catch (StoreException e) {
      throw errors.storageFailure(path, "mkdir", e);
    }
    listings.madeEmpty(user.prefixOf(path), begun, mark);
  }

  private FileAlreadyExistsException alreadyExists(VirtualPath path) {
    return new FileAlreadyExistsException(path.toString(), null, "mkdir by " + user.name() + ": already exists");
  }

  /**
   * Under the directory's lock, a folder the listing cache shows empty (a client's {@code rm -rf}
   * lists a folder, removes what it holds, then removes it) is removed without asking S3. Any
   * other answer is S3's: one listing says all of it, and only a path with nothing under it is
   * asked about once more, to tell a file ("not a directory") from nothing. What the cache can miss
   * is a file another S3 client wrote into the folder within the window: its marker goes, that file
   * stays, and the folder with it, as the prefix of its key.
   *
   * <p>A folder without a marker ends with its last file in S3; when this node removed it lately,
   * the folder is still an empty folder here ({@link PathLookup#emptiedHere}), and its rmdir
   * sends no DELETE (its LIST and HEAD find nothing): lftp's {@code rm -r} and GUI clients' folder deletes remove a tree name
   * by name, and would otherwise report a failure for every such folder.
   */
  void rmdir(VirtualPath path) throws IOException {
    errors.require(Permission.DELETE, path, "rmdir");
    if (user.isMountRoot(path)) {
      throw new AccessDeniedException(path.toString(), null, "rmdir by " + user.name() + ": cannot remove "
          + (path.isRoot() ? "the home directory" : "a virtual folder"));
    }
    S3Location prefix = user.prefixOf(path);
    try (PathLock lock = locks.lockPrefix(path, prefix, "rmdir")) {
      if (listings.knownEmpty(prefix) || onlyMarkerLeft(path, prefix)) {
        errors.call(store.delete(prefix), path, "rmdir");
      } else {
        listings.emptiedFolderRemoved(prefix);
      }
    }
    events.file(FileEvent.Type.DIRECTORY_DELETED, user.origin(), path.toString(), prefix);
  }

  /**
   * True when S3 holds the folder's marker and nothing else under it; false when it holds nothing
   * at all under it and the folder was emptied here lately (it has no marker to remove). Anything
   * else is refused: a folder with names in it, a file, a name that is nothing.
   */
  private boolean onlyMarkerLeft(VirtualPath path, S3Location prefix) throws IOException {
    ListPage page = errors.call(store.listPage(prefix, null, null, 2), path, "rmdir");
    if (DirectoryListing.isAbsent(page)) {
      if (errors.call(store.head(user.keyOf(path)), path, "rmdir").isPresent()) {
        throw new NotADirectoryException(path.toString(), "rmdir by " + user.name() + ": not a directory");
      }
      if (listings.emptiedLately(prefix).isPresent()) {
        return false;
      }
      throw new NoSuchFileException(path.toString(), null, "rmdir by " + user.name() + ": no such file or directory");
    }
    boolean onlyMarker = page.commonPrefixes().isEmpty()
        && page.objects().stream().allMatch(o -> o.key().equals(prefix.key()));
    if (!onlyMarker) {
      throw new DirectoryNotEmptyException(path + ": rmdir by " + user.name() + ": directory is not empty");
    }
    return true;
  }
}
