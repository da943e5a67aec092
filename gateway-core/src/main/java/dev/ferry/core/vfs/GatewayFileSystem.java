package dev.ferry.core.vfs;

import dev.ferry.core.catalog.ObjectCatalog;
import dev.ferry.core.download.DownloadShare;
import dev.ferry.core.download.Downloads;
import dev.ferry.core.event.EventBus;
import dev.ferry.core.event.FileEvent;
import dev.ferry.core.event.Origin;
import dev.ferry.core.lock.PathBusyException;
import dev.ferry.core.lock.PathLock;
import dev.ferry.core.lock.PathLockTable;
import dev.ferry.core.object.ObjectBusyException;
import dev.ferry.core.object.ObjectChange;
import dev.ferry.core.object.ObjectOperations;
import dev.ferry.core.path.BadPathException;
import dev.ferry.core.path.VirtualPath;
import dev.ferry.core.s3.ListPage;
import dev.ferry.core.s3.ObjectFacts;
import dev.ferry.core.s3.ObjectInfo;
import dev.ferry.core.s3.S3Location;
import dev.ferry.core.s3.StoreException;
import dev.ferry.core.session.LiveTransfers;
import dev.ferry.core.session.SessionSlots;
import dev.ferry.core.state.StateStoreException;
import dev.ferry.core.store.ListingCache;
import dev.ferry.core.store.ObjectStore;
import dev.ferry.core.upload.OffsetWriter;
import dev.ferry.core.upload.ReorderMemory;
import dev.ferry.core.upload.SpillShare;
import dev.ferry.core.upload.StreamingUpload;
import dev.ferry.core.upload.UploadOutcome;
import dev.ferry.core.upload.Uploads;
import dev.ferry.core.user.Permission;
import dev.ferry.core.user.User;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * One session's view of S3 as a filesystem: the user's home (a bucket and prefix) is "/",
 * directories are key prefixes (and zero-byte "dir/" markers for empty ones). Every operation
 * checks the user's permissions and the path locks here, so both front-ends behave the same.
 * Errors are {@link FileSystemException}s naming the client's path, the operation and the user.
 */
public final class GatewayFileSystem implements AutoCloseable {

  /** At most this many listing pages (of 1,000 names) are kept of a directory listed in the background. */
  private static final int LEARNED_PAGES = DirectoryListing.KEPT_PAGES;
  /**
   * How long a mkdir waits for the directory's marker held by another change of it (most often
   * another session's mkdir of the same directory, done in milliseconds); "busy" after that.
   */
  private static final Duration MKDIR_PATIENCE = Duration.ofSeconds(10);

  private final User user;
  private final ObjectStore store;
  private final PathLockTable locks;
  private final ObjectOperations objects;
  private final Uploads uploads;
  private final Downloads downloads;
  /** What this session's downloads may hold of the read-ahead memory all sessions share. */
  private final DownloadShare downloadShare;
  private final ObjectCatalog catalog;
  private final TreeRename treeRename;
  private final boolean listingClientTimes;
  /** What this node saw of S3's folders a moment ago: see {@link ListingCache}. */
  private final ListingCache listings;
  /** Directories being listed in the background for {@link #listings}: one listing each at a time. */
  private final Set<VirtualPath> learning = new HashSet<>();
  /** Where this session's open files are kept, with every other session's of this node. */
  private final LiveTransfers transfers;
  /** What this session's files written at offsets may hold in memory out of order, together. */
  private final ReorderMemory reorderMemory;
  private final SpillShare spillShare;
  private final EventBus events;
  private final Clock clock;
  /** The connection whose changes these are, for events; null until {@link #joinSession} for FTPS. */
  private volatile SessionSlots.Slot session;

  /**
   * {@code listingClientTimes}: listings show the modification time a client set (kept in the
   * {@link ObjectCatalog}) rather than the time S3 wrote the object.
   */
  public GatewayFileSystem(User user, ObjectStore store, PathLockTable locks, ObjectOperations objects,
      Uploads uploads, Downloads downloads,
      ObjectCatalog catalog, int renameParallelism, boolean listingClientTimes, Clock clock, EventBus events, SessionSlots.Slot session, LiveTransfers transfers) {
    this.user = user;
    this.transfers = transfers;
    this.events = events;
    this.session = session;
    this.store = store;
    this.locks = locks;
    this.objects = objects;
    this.uploads = uploads;
    this.downloads = downloads;
    this.downloadShare = downloads.newShare();
    this.reorderMemory = uploads.newReorderMemory();
    this.spillShare = uploads.newSpillShare(user.name());
    this.catalog = catalog;
    this.treeRename = new TreeRename(store, catalog, renameParallelism);
    this.listingClientTimes = listingClientTimes;
    this.listings = store.listings();
    this.clock = clock;
  }

  public User user() {
    return user;
  }

  /**
   * Names the connection this filesystem belongs to, when it was made before the login finished
   * (FTPS makes it during PASS): its changes are published as that session's from now on.
   */
  public void joinSession(SessionSlots.Slot session) {
    this.session = session;
  }

  /**
   * A client's path argument resolved against {@code cwd} by core's rules ({@link VirtualPath#parse}),
   * for both front-ends: a bad one is refused here, with a REFUSED event naming the rule it broke.
   */
  public VirtualPath resolve(VirtualPath cwd, String argument) throws BadPathException {
    try {
      return VirtualPath.parse(cwd, argument);
    } catch (BadPathException e) {
      events.file(FileEvent.Type.REFUSED, origin(), e.getFile(), null, "path of " + user.name() + " refused: "
          + e.getReason());
      throw e;
    }
  }

  private Origin origin() {
    SessionSlots.Slot slot = session;
    return slot == null ? new Origin(Origin.Kind.CLIENT, user.name(), null) : Origin.client(slot.info());
  }


  /**
   * The owner and group every entry is listed with, on both protocols: S3 has no owners, and a
   * user expects to see the account the files belong to, which is their own.
   */
  public String ownerName() {
    return user.name();
  }

  /** The object key of a file path. */
  S3Location keyOf(VirtualPath path) {
    return user.home().resolve(path.relative());
  }

  /** The key prefix of a directory path: "" under the home for the root, else "dir/". */
  S3Location prefixOf(VirtualPath path) {
    return path.isRoot() ? user.home() : user.home().resolve(path.relative() + "/");
  }

  public FileStat stat(VirtualPath path) throws IOException {
    require(Permission.LIST, path, "stat");
    return find(path, "stat").orElseThrow(() -> new NoSuchFileException(path.toString(), null,
        "stat by " + user.name() + ": no such file or directory"));
  }

  public boolean exists(VirtualPath path) throws IOException {
    return find(path, "stat").isPresent();
  }

  private Optional<FileStat> find(VirtualPath path, String operation) throws IOException {
    if (path.isRoot()) {
      return Optional.of(new FileStat(path, true, 0, Instant.EPOCH));
    }
    Optional<ListingCache.Name> known = listings.lookup(keyOf(path));
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
          facts = catalog.find(keyOf(path), name.file().etag());
        } catch (IOException e) {
          throw storageFailure(path, operation, e);
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
  private Optional<ObjectInfo> fileInfo(VirtualPath path, String operation) throws FileSystemException {
    Optional<ListingCache.Name> known = listings.lookup(keyOf(path));
    if (known.isPresent() && known.get().kind() != ListingCache.Name.Kind.FILE) {
      return Optional.empty();
    }
    if (known.isPresent() && known.get().file() != null) {
      return Optional.of(known.get().file());
    }
    return head(path, operation);
  }

  /** The HEAD of {@code path}'s object; what it says is kept for the folder, if the cache holds it. */
  private Optional<ObjectInfo> head(VirtualPath path, String operation) throws FileSystemException {
    S3Location key = keyOf(path);
    long mark = listings.mark();
    Optional<ObjectInfo> file = call(store.head(key), path, operation);
    file.ifPresent(found -> listings.headed(key, found, mark));
    return file;
  }

  /** {@code path} as a directory (a prefix with anything under it, or its marker), if it is one. */
  private Optional<FileStat> findDirectory(VirtualPath path, String operation) throws IOException {
    Optional<ListingCache.Name> known = listings.lookup(keyOf(path));
    if (known.isPresent() && known.get().kind() != ListingCache.Name.Kind.FILE) {
      return known.get().kind() == ListingCache.Name.Kind.FOLDER
          ? Optional.of(new FileStat(path, true, 0, Instant.EPOCH)) : Optional.empty();
    }
    ListPage page = call(store.listPage(prefixOf(path), "/", null, 1), path, operation);
    if (DirectoryListing.isAbsent(page)) {
      return Optional.empty();
    }
    Instant modified = page.objects().isEmpty() ? Instant.EPOCH : page.objects().get(0).lastModified();
    return Optional.of(new FileStat(path, true, 0, modified));
  }

  /**
   * The entries of a directory, streamed page by page from S3. Iterating may throw
   * {@link java.io.UncheckedIOException} if S3 fails part-way.
   */
  public Iterator<FileStat> list(VirtualPath directory) throws IOException {
    require(Permission.LIST, directory, "list");
    S3Location prefix = prefixOf(directory);
    Optional<ListPage> seen = listings.page(prefix);
    if (seen.isPresent()) {
      return new DirectoryListing(store, listingClientTimes ? catalog : null, prefix, directory, seen.get(), pages -> {});
    }
    Instant begun = clock.instant();
    long mark = listings.mark();
    ListPage first = call(store.listPage(prefix, "/", null, DirectoryListing.PAGE_SIZE), directory, "list");
    if (!directory.isRoot() && DirectoryListing.isAbsent(first)) {
      if (call(store.head(keyOf(directory)), directory, "list").isPresent()) {
        throw new NotADirectoryException(directory.toString(), "list by " + user.name() + ": not a directory");
      }
      throw new NoSuchFileException(directory.toString(), null, "list by " + user.name() + ": no such directory");
    }
    return new DirectoryListing(store, listingClientTimes ? catalog : null, prefix, directory, first,
        pages -> listings.listed(prefix, pages, begun, mark));
  }

  /**
   * Opens a file for reads at any offsets (SFTP), pinned to the version it has now: see
   * {@link ReadableFile}.
   */
  public ReadableFile openReadable(VirtualPath path) throws IOException {
    require(Permission.READ, path, "download");
    S3Location key = keyOf(path);
    // A file its folder's listing (or this node's write) showed a moment ago is read without a
    // HEAD first: its first range is pinned to that ETag, and asks again if S3 has another now.
    Optional<ObjectInfo> listed = path.isRoot() ? Optional.empty() : listings.lookup(key)
        .filter(name -> name.kind() == ListingCache.Name.Kind.FILE).map(ListingCache.Name::file);
    Optional<ObjectInfo> file = path.isRoot() || listed.isPresent() ? listed : head(path, "download");
    if (file.isEmpty()) {
      existingFile(path, "download");
      throw new NoSuchFileException(path.toString(), null, "download by " + user.name() + ": no such file");
    }
    ReadableFile.Recheck recheck = listed.isEmpty() ? null : () -> head(path, "download").orElseThrow(
        () -> new NoSuchFileException(path.toString(), null, "download by " + user.name() + ": no such file"));
    Instant opened = opened(path, key, "READ");
    long size = file.get().size();
    ReadableFile readable = new ReadableFile(path, user.name(), key, file.get(), recheck, downloads, downloadShare,
        sent -> events.downloadEnded(origin(), path.toString(), key, sent, size, opened));
    // Not closed with the session: its reader's close reports the download; the registry just forgets it.
    track(readable, path, LiveTransfers.Direction.DOWNLOAD, readable::sent, readable::isOpen, why -> { });
    return readable;
  }

  /**
   * Streams a file from {@code offset} to its end, as it is now (a later overwrite fails the read),
   * for a reader that reads to the end (FTP RETR): read-ahead starts at once.
   */
  public InputStream openWholeRead(VirtualPath path, long offset) throws IOException {
    ReadableFile file = openReadable(path);
    return new FilterInputStream(file.wholeFrom(offset)) {
      @Override
      public void close() throws IOException {
        try {
          super.close();
        } finally {
          file.close();
        }
      }
    };
  }

  /**
   * Opens an upload to {@code path}. The path is locked for this session until the upload commits
   * or aborts; a second writer, delete or rename of it is refused as busy meanwhile.
   */
  public StreamingUpload openWrite(VirtualPath path, WriteMode mode, long offset) throws IOException {
    String operation = mode == WriteMode.APPEND ? "append" : "upload";
    require(Permission.WRITE, path, operation);
    if (path.isRoot()) {
      throw isADirectory(path, operation);
    }
    S3Location key = keyOf(path);
    PathLock lock = lock(path, key, operation);
    try {
      Optional<ObjectInfo> existing = replacesWhateverIsThere(path, mode, operation) ? Optional.empty()
          : writeTarget(path, operation);
      if (existing.isPresent() && !(mode == WriteMode.RESUME && offset == existing.get().size())
          && !(mode == WriteMode.APPEND && existing.get().size() == 0)) {
        require(Permission.OVERWRITE, path, operation + " over an existing file");
      }
      long keep = switch (mode) {
        case TRUNCATE -> 0;
        case APPEND -> existing.map(ObjectInfo::size).orElse(0L);
        case RESUME -> {
          long size = existing.map(ObjectInfo::size).orElse(0L);
          if (offset < 0 || offset > size) {
            throw new FileSystemException(path.toString(), null, "resume by " + user.name()
                + ": offset " + offset + " is beyond the end of the file (" + size + " bytes)");
          }
          yield offset;
        }
      };
      StreamingUpload upload = uploads.open(key, lock, operation + " of " + path + " by " + user.name(),
          origin().asObjectMetadata(), keep);
      upload.whenEnded(uploadEnd(path, key));
      track(upload, path, LiveTransfers.Direction.UPLOAD, upload::sizeNow, upload::isOpenNow, upload::abort);
      return upload;
    } catch (StoreException e) {
      lock.close();
      throw storageFailure(path, operation, e);
    } catch (IOException | RuntimeException e) {
      lock.close();
      throw e;
    }
  }

  /**
   * Opens a file for writes at offsets (SFTP). With {@code truncate} false an existing file's bytes
   * are kept where the client does not write, and writing on at its end resumes it server-side; the
   * overwrite permission is needed unless the writes only resume it. {@code existingFile} is checked
   * under the path's lock, which is held until the writer commits or aborts.
   */
  public OffsetWriter openAtOffsets(VirtualPath path, ExistingFile existingFile, boolean truncate)
      throws IOException {
    return openAtOffsets(path, existingFile, truncate, false);
  }

  /**
   * Opens {@code path} for reading and writing (SFTP's READ|WRITE, as sqlite and other programs on
   * an sshfs mount open their files): an upload as {@link #openAtOffsets}, whose handle also reads
   * what the file holds now ({@link OffsetWriter#read}). That needs the file's bytes at hand, so an
   * existing file larger than {@code uploads.spillLimit} is refused here, before anything changes.
   */
  public OffsetWriter openReadWrite(VirtualPath path, ExistingFile existingFile, boolean truncate)
      throws IOException {
    require(Permission.READ, path, "open for reading and writing");
    OffsetWriter writer = openAtOffsets(path, existingFile, truncate, true);
    writer.openForReading();
    return writer;
  }

  private OffsetWriter openAtOffsets(VirtualPath path, ExistingFile existingFile, boolean truncate, boolean readBack)
      throws IOException {
    require(Permission.WRITE, path, "upload");
    if (path.isRoot()) {
      throw isADirectory(path, "upload");
    }
    S3Location key = keyOf(path);
    PathLock lock = lock(path, key, "upload");
    try {
      OffsetWriter writer = existingFile == ExistingFile.ALLOWED && truncate && user.may(Permission.OVERWRITE)
          ? openReplacing(path, key, lock) : openAfterLookup(path, key, lock, existingFile, truncate, readBack);
      writer.whenEnded(uploadEnd(path, key));
      track(writer, path, LiveTransfers.Direction.UPLOAD, writer::sizeNow, writer::isOpenNow, writer::abort);
      return writer;
    } catch (IOException | RuntimeException e) {
      lock.close();
      throw e;
    }
  }

  /**
   * A file created or replaced whatever is there (the usual SFTP upload): only a directory of that
   * name refuses it. Where this session knows its directory's subdirectories (it made the directory,
   * or listed it a moment ago) S3 is not asked at all; otherwise the answer is awaited at the commit,
   * not here, and the directory is listed meanwhile for the files that follow. A client sending one
   * small file after another (sftp put -r, lftp mirror) then does not wait for S3 at each open.
   */
  private OffsetWriter openReplacing(VirtualPath path, S3Location key, PathLock lock) throws IOException {
    requireParentDirectory(path, "upload");
    String description = "upload of " + path + " by " + user.name();
    if (knownNotADirectory(path, "upload")) {
      return uploads.openAtOffsets(key, lock, description, origin().asObjectMetadata(), 0, keep -> {},
          Uploads.CommitCheck.NONE, reorderMemory, spillShare);
    }
    CompletableFuture<NameProbe.Found> target = probeAsync(path);
    return uploads.openAtOffsets(key, lock, description, origin().asObjectMetadata(), 0, keep -> {},
        () -> fileThere(target, path, "upload"),
        reorderMemory, spillShare);
  }

  /**
   * Whether this session knows that {@code path} is no directory, from its parent's subdirectories
   * (made or listed a moment ago); a known directory is refused. When they are not known, the
   * parent is listed in the background for the files that follow, and S3 is to be asked.
   */
  private boolean knownNotADirectory(VirtualPath path, String operation) throws FileSystemException {
    Optional<ListingCache.Name> known = listings.lookup(keyOf(path));
    if (known.isEmpty()) {
      learnFolder(path.parent());
      return false;
    }
    if (known.get().kind() == ListingCache.Name.Kind.FOLDER) {
      throw isADirectory(path, operation);
    }
    return true;
  }

  /**
   * Lists {@code directory} in the background, up to {@link #LEARNED_PAGES} pages, for
   * {@link #listings}: the files that follow into it are then checked without S3. A larger
   * directory stays unknown, and each upload into it asks S3 about its own name.
   */
  private void learnFolder(VirtualPath directory) {
    S3Location prefix = prefixOf(directory);
    if (!listings.enabled() || listings.recentlyNotKept(prefix)) {
      return;
    }
    synchronized (learning) {
      if (!learning.add(directory)) {
        return;
      }
    }
    Instant begun = clock.instant();
    long mark = listings.mark();
    List<ListPage> pages = new ArrayList<>();
    listPages(prefix, null, LEARNED_PAGES, pages).whenComplete((whole, error) -> {
      synchronized (learning) {
        learning.remove(directory);
      }
      if (error == null && !whole) {
        listings.notKept(prefix, begun);
      } else if (error == null && DirectoryListing.isAbsent(pages.get(0))) {
        listings.notKept(prefix, begun); // no such folder: a client asking about names in it asks S3
      } else if (error == null) {
        listings.listed(prefix, pages, begun, mark);
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

  /** A file whose open depends on what is there: exclusive, existing only, or kept where not written. */
  private OffsetWriter openAfterLookup(VirtualPath path, S3Location key, PathLock lock, ExistingFile existingFile,
      boolean truncate, boolean readBack) throws IOException {
    if (truncate && existingFile != ExistingFile.REQUIRED && knownMissing(path)) {
      return openWhereKnownMissing(path, key, lock, existingFile);
    }
    Optional<ObjectInfo> existing = writeTarget(path, "upload");
    if (existing.isPresent() && existingFile == ExistingFile.REFUSED) {
      throw new FileAlreadyExistsException(path.toString(), null, "upload by " + user.name()
          + ": file exists (exclusive create)");
    }
    if (existing.isEmpty() && existingFile == ExistingFile.REQUIRED) {
      throw new NoSuchFileException(path.toString(), null, "upload by " + user.name()
          + ": no such file (open without create)");
    }
    if (existing.isPresent() && truncate) {
      require(Permission.OVERWRITE, path, "upload over an existing file");
    }
    long existingSize = truncate ? 0 : existing.map(ObjectInfo::size).orElse(0L);
    if (readBack && existingSize > uploads.spillLimit()) {
      throw refused(new FileSystemException(path.toString(), null, "open for reading and writing by " + user.name()
          + ": the file has " + existingSize + " bytes, more than uploads.spillLimit (" + uploads.spillLimit()
          + " bytes), the largest file that can be read back while it is written; open it for reading or for writing"));
    }
    return uploads.openAtOffsets(key, lock, "upload of " + path + " by " + user.name(), origin().asObjectMetadata(),
        existingSize, keep -> {
      if (existing.isPresent() && !truncate && !(keep > 0 && keep == existingSize)) {
        require(Permission.OVERWRITE, path, "upload over an existing file");
      }
    }, Uploads.CommitCheck.NONE, reorderMemory, spillShare);
  }

  /**
   * A new file (exclusive, or by a user who may not overwrite) where the folder seen a moment ago
   * has no such name: the client is not kept waiting for S3, which is asked meanwhile. A file that
   * S3 shows there at the commit (another S3 client wrote it within directoryCacheTime) refuses the
   * commit as the open would have been refused: nothing is overwritten, the client's close fails.
   */
  private OffsetWriter openWhereKnownMissing(VirtualPath path, S3Location key, PathLock lock,
      ExistingFile existingFile) throws IOException {
    requireParentDirectory(path, "upload");
    CompletableFuture<NameProbe.Found> target = NameProbe.probe(store, key);
    return uploads.openAtOffsets(key, lock, "upload of " + path + " by " + user.name(), origin().asObjectMetadata(),
        0, keep -> {}, () -> {
      if (fileThere(target, path, "upload").isEmpty()) {
        return;
      }
      if (existingFile == ExistingFile.REFUSED) {
        throw refused(new FileAlreadyExistsException(path.toString(), null, "upload by " + user.name()
            + ": file exists (exclusive create; another S3 client wrote it since the folder was listed)"));
      }
      require(Permission.OVERWRITE, path, "upload over an existing file");
    }, reorderMemory, spillShare);
  }

  /** Whether the folder of {@code path}, seen a moment ago, has no such name. */
  private boolean knownMissing(VirtualPath path) {
    return listings.lookup(keyOf(path)).map(name -> name.kind() == ListingCache.Name.Kind.MISSING).orElse(false);
  }

  /**
   * Whether a new upload of {@code path} (not a resume or append, by a user who may overwrite)
   * needs nothing of what is there, which this session then knows not to be a directory: S3 is not
   * asked.
   */
  private boolean replacesWhateverIsThere(VirtualPath path, WriteMode mode, String operation) throws IOException {
    if (mode != WriteMode.TRUNCATE || !user.may(Permission.OVERWRITE)) {
      return false;
    }
    requireParentDirectory(path, operation);
    return knownNotADirectory(path, operation);
  }

  /**
   * What a write to {@code path} finds there: the file, if there is one. A directory of that name,
   * or no parent directory, refuses the write. The name is asked about with one listing
   * ({@link NameProbe}: file, directory or nothing, where a HEAD and a listing under it took two
   * requests), at once with the parent's check: one round trip, which a client uploading many small
   * files waits for at each open.
   */
  private Optional<ObjectInfo> writeTarget(VirtualPath path, String operation) throws IOException {
    CompletableFuture<NameProbe.Found> target = NameProbe.probe(store, keyOf(path));
    requireParentDirectory(path, operation);
    return fileThere(target, path, operation);
  }

  /** The file {@code target} found at {@code path}, if any; a directory found there refuses the write. */
  private Optional<ObjectInfo> fileThere(CompletableFuture<NameProbe.Found> target, VirtualPath path, String operation)
      throws IOException {
    NameProbe.Found found = call(target, path, operation);
    if (found.kind() == NameProbe.Kind.DIRECTORY) {
      throw isADirectory(path, operation);
    }
    return found.file();
  }

  private IsADirectoryException isADirectory(VirtualPath path, String operation) {
    return new IsADirectoryException(path.toString(), operation + " by " + user.name() + ": is a directory");
  }

  /**
   * Keeps a client-set modification time in the {@link ObjectCatalog}, for the version of the file
   * there is now: the object itself is not written again. Directories have no time of their own in
   * S3: setting one is accepted and changes nothing.
   */
  public void setModifiedTime(VirtualPath path, Instant modified) throws IOException {
    require(Permission.WRITE, path, "set time");
    if (path.isRoot()) {
      return;
    }
    S3Location key = keyOf(path);
    try (PathLock lock = lock(path, key, "set time")) {
      Optional<ObjectInfo> file = fileInfo(path, "set time");
      if (file.isEmpty()) {
        // Not a file: a directory (which has no time of its own in S3), or nothing.
        findDirectory(path, "set time").orElseThrow(() -> new NoSuchFileException(path.toString(), null,
            "set time by " + user.name() + ": no such file or directory"));
        return;
      }
      try {
        catalog.setClientTime(key, file.get().etag(), modified);
      } catch (IOException e) {
        throw storageFailure(path, "set time", e);
      }
      events.file(FileEvent.Type.TIMES_SET, origin(), path.toString(), key, "modified " + modified);
    }
  }

  /**
   * Sets a file's size where object storage allows it: to its current size (OpenSSH scp does that
   * after every upload) or to 0. Other sizes are refused: an object is only ever replaced whole.
   */
  public void truncate(VirtualPath path, long size) throws IOException {
    require(Permission.WRITE, path, "truncate");
    FileStat stat = existingFile(path, "truncate");
    if (size == stat.size()) {
      return;
    }
    if (size != 0) {
      throw new FileSystemException(path.toString(), null, "truncate by " + user.name() + ": cannot change the size "
          + "from " + stat.size() + " to " + size + " bytes; files in object storage are replaced whole (upload it again)");
    }
    try (StreamingUpload empty = openWrite(path, WriteMode.TRUNCATE, 0)) {
      empty.commit();
    }
  }

  /**
   * Creates a directory (its zero-byte marker). One that exists is "already exists", never "busy":
   * a mkdir of the same directory by another session is waited for (it takes milliseconds) and
   * then found, so a client told "exists" can at once put files into it. Clients that create
   * parent folders from parallel transfers (rclone) take "exists" as done and go on.
   */
  public void mkdir(VirtualPath path) throws IOException {
    require(Permission.MKDIR, path, "mkdir");
    if (path.isRoot()) {
      throw alreadyExists(path);
    }
    requireParentDirectory(path, "mkdir");
    Instant begun = clock.instant();
    long mark = listings.mark();
    ObjectChange change = ObjectChange.by(origin(), "mkdir of " + path + " by " + user.name())
        .atPaths(path.toString(), null)
        .waitingUpTo(MKDIR_PATIENCE)
        .checking(() -> {
          // Looked at under the lock: a mkdir that ended just before it took the lock made it already.
          if (call(probeAsync(path), path, "mkdir").exists()) {
            throw alreadyExists(path);
          }
        });
    try {
      objects.createDirectory(prefixOf(path), change);
    } catch (ObjectBusyException e) {
      throw busy(path, "mkdir");
    } catch (StoreException e) {
      throw storageFailure(path, "mkdir", e);
    }
    listings.madeEmpty(prefixOf(path), begun, mark);
  }

  private FileAlreadyExistsException alreadyExists(VirtualPath path) {
    return new FileAlreadyExistsException(path.toString(), null, "mkdir by " + user.name() + ": already exists");
  }

  /**
   * Removes an empty directory (its marker); refuses one that still holds anything. One listing
   * under the directory's lock says all of it; only a path with nothing under it is asked about
   * once more, to tell a file ("not a directory") from nothing.
   */
  public void rmdir(VirtualPath path) throws IOException {
    require(Permission.DELETE, path, "rmdir");
    if (path.isRoot()) {
      throw new AccessDeniedException(path.toString(), null, "rmdir by " + user.name() + ": cannot remove the home directory");
    }
    S3Location prefix = prefixOf(path);
    try (PathLock lock = lockPrefix(path, prefix, "rmdir")) {
      ListPage page = call(store.listPage(prefix, null, null, 2), path, "rmdir");
      if (DirectoryListing.isAbsent(page)) {
        if (call(store.head(keyOf(path)), path, "rmdir").isPresent()) {
          throw new NotADirectoryException(path.toString(), "rmdir by " + user.name() + ": not a directory");
        }
        throw new NoSuchFileException(path.toString(), null, "rmdir by " + user.name() + ": no such file or directory");
      }
      boolean onlyMarker = page.commonPrefixes().isEmpty()
          && page.objects().stream().allMatch(o -> o.key().equals(prefix.key()));
      if (!onlyMarker) {
        throw new DirectoryNotEmptyException(path + ": rmdir by " + user.name() + ": directory is not empty");
      }
      call(store.delete(prefix), path, "rmdir");
    }
    events.file(FileEvent.Type.DIRECTORY_DELETED, origin(), path.toString(), prefix);
  }

  public void delete(VirtualPath path) throws IOException {
    require(Permission.DELETE, path, "delete");
    S3Location key = keyOf(path);
    // Checked under the lock: a file still being uploaded is "busy", not "missing".
    ObjectChange change = ObjectChange.by(origin(), "delete of " + path + " by " + user.name())
        .atPaths(path.toString(), null)
        .checking(() -> requireFile(path, "delete"));
    try {
      objects.delete(key, change);
    } catch (ObjectBusyException e) {
      throw busy(path, "delete");
    } catch (StoreException e) {
      throw storageFailure(path, "delete", e);
    }
  }

  /**
   * Renames a file (server-side copy, then delete) or a directory (every key under it, with bounded
   * parallelism). Both the source and the target are locked for the duration, and the target is
   * looked at under those locks. An existing target file is replaced only with {@code replace} (and
   * the overwrite permission); a directory never replaces anything.
   */
  public void rename(VirtualPath from, VirtualPath to, boolean replace) throws IOException {
    require(Permission.RENAME, from, "rename");
    Optional<ObjectInfo> sourceFile = from.isRoot() ? Optional.empty() : fileInfo(from, "rename");
    if (sourceFile.isEmpty() && !from.isRoot() && findDirectory(from, "rename").isEmpty()) {
      throw new NoSuchFileException(from.toString(), null, "rename by " + user.name() + ": no such file or directory");
    }
    if (from.equals(to)) {
      return;
    }
    if (from.isRoot() || to.isRoot()) {
      throw new AccessDeniedException(from.toString(), to.toString(), "rename by " + user.name() + ": cannot rename the home directory");
    }
    if (!to.parent().equals(from.parent())) { // else the source just found shows the parent is there
      requireParentDirectory(to, "rename");
    }
    if (sourceFile.isEmpty()) {
      if (to.startsWith(from)) {
        throw new FileSystemException(from.toString(), to.toString(), "rename by " + user.name() + ": cannot move a directory into itself");
      }
      S3Location fromPrefix = prefixOf(from);
      S3Location toPrefix = prefixOf(to);
      try (PathLock a = lockPrefix(from, fromPrefix, "rename"); PathLock b = lockPrefix(to, toPrefix, "rename")) {
        if (probe(to, "rename").exists()) {
          throw new FileAlreadyExistsException(to.toString(), null, "rename by " + user.name() + ": target already exists");
        }
        requirePathsFit(from, to, treeRename.longestRelativeKeyBytes(fromPrefix));
        listings.forgetTree(fromPrefix);
        listings.forgetTree(toPrefix);
        treeRename.move(fromPrefix, toPrefix);
        listings.forgetTree(fromPrefix); // the keys moved one by one: what was listed meanwhile goes too
        listings.forgetTree(toPrefix);
      } catch (StoreException e) {
        throw storageFailure(from, "rename", e);
      }
      events.rename(origin(), from.toString(), fromPrefix, to.toString(), toPrefix);
      return;
    }
    S3Location fromKey = keyOf(from);
    S3Location toKey = keyOf(to);
    ObjectChange change = ObjectChange.by(origin(), "rename of " + from + " to " + to + " by " + user.name())
        .atPaths(from.toString(), to.toString())
        .checking(() -> {
          NameProbe.Found target = probe(to, "rename");
          if (target.exists()) {
            if (target.kind() == NameProbe.Kind.DIRECTORY) {
              throw new FileAlreadyExistsException(to.toString(), null, "rename by " + user.name() + ": target is a directory");
            }
            if (!replace) {
              throw new FileAlreadyExistsException(to.toString(), null, "rename by " + user.name()
                  + ": target exists and this rename does not replace files");
            }
            require(Permission.OVERWRITE, to, "rename over an existing file");
          }
        });
    try {
      objects.move(fromKey, sourceFile.get(), toKey, change);
    } catch (ObjectBusyException e) {
      throw busy(e.object().equals(toKey) ? to : from, "rename");
    } catch (StoreException e) {
      throw storageFailure(from, "rename", e);
    }
  }

  /**
   * Every path the moved tree would have must be one Ferry accepts: checked before anything moves,
   * or a rename could make files that no client, Ferry included, can then name.
   */
  private void requirePathsFit(VirtualPath from, VirtualPath to, int longestRelativeBytes) throws IOException {
    int longest = to.toString().getBytes(StandardCharsets.UTF_8).length + 1 + longestRelativeBytes;
    if (longestRelativeBytes > 0 && longest > VirtualPath.MAX_PATH_BYTES) {
      throw new FileSystemException(from.toString(), to.toString(), "rename by " + user.name() + ": the longest path"
          + " in the moved directory would be " + longest + " bytes, more than " + VirtualPath.MAX_PATH_BYTES);
    }
  }

  /** Aborts every upload this session left open (a disconnect, not a commit). */
  @Override
  public void close() {
    transfers.abortAll(this, "session of " + user.name() + " closed");
  }

  /** The file this session is writing at {@code path} at offsets (SFTP's SETSTAT of its size or time), or null. */
  public OffsetWriter writerAt(VirtualPath path) {
    return transfers.writing(this, path.toString(), OffsetWriter.class);
  }

  private void track(Object file, VirtualPath path, LiveTransfers.Direction direction, LongSupplier bytes,
      BooleanSupplier isOpen, Consumer<String> abort) {
    SessionSlots.Slot slot = session;
    transfers.opened(this, file, new LiveTransfers.Counted() {
      @Override
      public long bytes() {
        return bytes.getAsLong();
      }

      @Override
      public boolean isOpen() {
        return isOpen.getAsBoolean();
      }

      @Override
      public void abort(String reason) {
        abort.accept(reason);
      }
    }, slot == null ? null : slot.info(), user.name(), path.toString(), direction);
  }

  /** A file as its HEAD and its catalog entry describe it: the time shown is the client's, if one was set. */
  private FileStat fileStat(VirtualPath path, ObjectInfo head, String operation) throws StorageFailureException {
    try {
      return new FileStat(path, false, head.size(), catalog.factsOf(keyOf(path), head).timeOr(head.lastModified()));
    } catch (IOException e) {
      throw storageFailure(path, operation, e);
    }
  }

  /**
   * That {@code path} is a file, for a change that needs nothing else of it (a delete): a name its
   * folder's listing or this node's write showed a moment ago is one, whatever its facts.
   */
  private void requireFile(VirtualPath path, String operation) throws IOException {
    Optional<ListingCache.Name> known = path.isRoot() ? Optional.empty() : listings.lookup(keyOf(path));
    if (known.isEmpty() || known.get().kind() != ListingCache.Name.Kind.FILE) {
      existingFile(path, operation);
    }
  }

  private FileStat existingFile(VirtualPath path, String operation) throws IOException {
    FileStat stat = find(path, operation).orElseThrow(() -> new NoSuchFileException(path.toString(), null,
        operation + " by " + user.name() + ": no such file"));
    if (stat.directory()) {
      throw isADirectory(path, operation);
    }
    return stat;
  }

  /** What {@code path} is, asked with one listing: see {@link NameProbe}. */
  private NameProbe.Found probe(VirtualPath path, String operation) throws FileSystemException {
    return call(NameProbe.probe(store, keyOf(path)), path, operation);
  }

  /**
   * What {@code path} is: from {@link #listings} where its folder was seen a moment ago, else one
   * listing. Only for answers that cannot cost data when a file another S3 client just wrote is
   * missed (a mkdir, a new file's check for a folder of its name); a rename's target and a write
   * over what is there ask S3.
   */
  private CompletableFuture<NameProbe.Found> probeAsync(VirtualPath path) {
    S3Location key = keyOf(path);
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

  private void requireParentDirectory(VirtualPath path, String operation) throws IOException {
    VirtualPath parent = path.parent();
    if (parent.isRoot() || listings.folderExists(prefixOf(parent))) {
      return;
    }
    if (probe(parent, operation).kind() != NameProbe.Kind.DIRECTORY) {
      throw new NoSuchFileException(parent.toString(), null, operation + " of " + path + " by " + user.name()
          + ": parent directory does not exist");
    }
    learnFolder(parent);
  }

  /** Publishes the client's open of {@code path} for {@code mode} (READ, WRITE); returns when it was. */
  private Instant opened(VirtualPath path, S3Location key, String mode) {
    events.file(FileEvent.Type.OPENED, origin(), path.toString(), key, mode);
    return clock.instant();
  }

  /** An upload just opened: OPENED now, and its end (UPLOADED or PARTIAL_UPLOAD, with how long) when it comes. */
  private Consumer<UploadOutcome> uploadEnd(VirtualPath path, S3Location key) {
    Instant opened = opened(path, key, "WRITE");
    return outcome -> events.uploadEnded(origin(), path.toString(), key, outcome, opened);
  }

  private void require(Permission permission, VirtualPath path, String operation) throws AccessDeniedException {
    if (!user.may(permission)) {
      throw refused(new AccessDeniedException(path.toString(), null, operation + " by " + user.name()
          + ": permission '" + permission.label() + "' not granted"));
    }
  }

  /**
   * The one place a refusal the client is told of (a permission, a busy path, a bad path) becomes a
   * REFUSED event (the activity log's ERROR line), for both front-ends; returns it to be thrown.
   */
  private <E extends FileSystemException> E refused(E refusal) {
    events.file(FileEvent.Type.REFUSED, origin(), refusal.getFile(), null, refusal.getReason());
    return refusal;
  }

  /** As {@link #refused}, for a failure of S3 or of the state store's locks: a FAILED event. */
  private <E extends FileSystemException> E failed(E failure) {
    events.file(FileEvent.Type.FAILED, origin(), failure.getFile(), null, failure.getReason());
    return failure;
  }

  private PathLock lock(VirtualPath path, S3Location key, String operation) throws FileSystemException {
    try {
      return lockOrBusy(path, key, operation);
    } catch (PathBusyException e) {
      throw busy(path, operation);
    }
  }

  private PathLock lockOrBusy(VirtualPath path, S3Location key, String operation)
      throws PathBusyException, FileSystemException {
    try {
      return locks.lockKey(key, operation + " of " + path + " by " + user.name());
    } catch (StateStoreException e) {
      throw storageFailure(path, operation, e);
    }
  }

  private FileSystemException busy(VirtualPath path, String operation) {
    return refused(new FileBusyException(path.toString(), operation + " by " + user.name() + ": file is busy "
        + "(another transfer, delete or rename of it is in progress)"));
  }

  /** Locks everything under {@code prefix}. */
  private PathLock lockPrefix(VirtualPath path, S3Location prefix, String operation) throws FileSystemException {
    try {
      return locks.lockPrefix(prefix, operation + " of " + path + " by " + user.name());
    } catch (PathBusyException e) {
      throw refused(new FileBusyException(path.toString(), operation + " by " + user.name()
          + ": a file in this directory is busy (being written, deleted or renamed)"));
    } catch (StateStoreException e) {
      throw storageFailure(path, operation, e);
    }
  }

  private <T> T call(CompletableFuture<T> future, VirtualPath path, String operation)
      throws FileSystemException {
    try {
      return ObjectStore.await(future);
    } catch (StoreException e) {
      throw storageFailure(path, operation, e);
    } catch (IOException e) {
      throw storageFailure(path, operation, e);
    }
  }

  /** The catalog or the state store's locks failed: the client is told, and a FAILED event says so. */
  private StorageFailureException storageFailure(VirtualPath path, String operation, Exception e) {
    return failed(new StorageFailureException(path.toString(), operation + " by " + user.name() + ": "
        + e.getMessage(), e));
  }

  private FileSystemException storageFailure(VirtualPath path, String operation, StoreException e) {
    String reason = operation + " by " + user.name() + ": ";
    return switch (e.kind()) {
      case NOT_FOUND -> new NoSuchFileException(path.toString(), null, reason + "no such file");
      case ACCESS_DENIED -> failed(new AccessDeniedException(path.toString(), null, reason + "storage denied access"));
      default -> failed(new StorageFailureException(path.toString(), reason + "storage error: " + e.getMessage(), e));
    };
  }
}
