package dev.ferry.core.vfs;

import dev.ferry.core.bandwidth.NodeBandwidth;
import dev.ferry.core.bandwidth.Throttle;
import dev.ferry.core.catalog.ObjectCatalog;
import dev.ferry.core.download.DownloadShare;
import dev.ferry.core.download.Downloads;
import dev.ferry.core.event.EventBus;
import dev.ferry.core.event.FileEvent;
import dev.ferry.core.lock.PathLock;
import dev.ferry.core.lock.PathLockTable;
import dev.ferry.core.object.ObjectBusyException;
import dev.ferry.core.object.ObjectChange;
import dev.ferry.core.object.ObjectOperations;
import dev.ferry.core.path.BadPathException;
import dev.ferry.core.path.VirtualPath;
import dev.ferry.core.quota.QuotaUsage;
import dev.ferry.core.quota.Quotas;
import dev.ferry.core.s3.ObjectInfo;
import dev.ferry.core.s3.S3Location;
import dev.ferry.core.s3.StoreException;
import dev.ferry.core.session.LiveTransfers;
import dev.ferry.core.session.SessionSlots;
import dev.ferry.core.store.ListingCache;
import dev.ferry.core.store.ObjectStore;
import dev.ferry.core.upload.OffsetWriter;
import dev.ferry.core.upload.StreamingUpload;
import dev.ferry.core.upload.Uploads;
import dev.ferry.core.user.Permission;
import dev.ferry.core.user.User;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.time.Clock;
import java.time.Instant;
import java.util.Iterator;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One session's view of S3 as a filesystem: the user's home (a bucket and prefix) is "/",
 * directories are key prefixes (and zero-byte "dir/" markers for empty ones). Every operation
 * checks the user's permissions and the path locks here, so both front-ends behave the same.
 * Errors are {@link FileSystemException}s naming the client's path, the operation and the user.
 *
 * <p>These are the session's entry points; the work is done by this package's classes, one job
 * each: {@link PathLookup} (what a path is), {@link Directories}, {@link SessionUploads},
 * {@link Renames}, with {@link SessionLocks}, {@link SessionTransfers} (open files and their
 * events) and {@link ClientErrors} (the errors a client is told, and their events) under them all.
 */
public final class GatewayFileSystem implements AutoCloseable {

  private final SessionUser user;
  private final ClientErrors errors;
  private final SessionLocks locks;
  private final PathLookup lookup;
  private final Directories directories;
  private final SessionUploads uploads;
  private final Renames renames;
  private final SessionTransfers transfers;
  private final ObjectOperations objects;
  private final Downloads downloads;
  /** What this session's downloads may hold of the read-ahead memory all sessions share. */
  private final DownloadShare downloadShare;
  /** How this session's downloads are paced. */
  private final Throttle downloadPace;
  /** What this session's changes count against its user's quota. */
  private final SessionQuota quota;
  private final ObjectCatalog catalog;
  private final FileChecksums checksums;
  /** What this node saw of S3's folders a moment ago: see {@link ListingCache}. */
  private final ListingCache listings;
  private final EventBus events;

  /**
   * {@code listingClientTimes}: listings show the modification time a client set (kept in the
   * {@link ObjectCatalog}) rather than the time S3 wrote the object; {@code bandwidth}: how this
   * session's uploads and downloads are paced (its user's limit and the node's).
   */
  public GatewayFileSystem(User user, ObjectStore store, PathLockTable locks, ObjectOperations objects,
      Uploads uploads, Downloads downloads, ObjectCatalog catalog, int renameParallelism, boolean listingClientTimes,
      Clock clock, EventBus events, SessionSlots.Slot session, LiveTransfers transfers,
      NodeBandwidth.Throttles bandwidth, Quotas quotas, long quotaChunk) {
    this.user = new SessionUser(user, session);
    this.errors = new ClientErrors(this.user, events);
    this.locks = new SessionLocks(this.user, errors, locks);
    this.objects = objects;
    this.downloads = downloads;
    this.downloadShare = downloads.newShare();
    this.catalog = catalog;
    this.listings = store.listings();
    this.events = events;
    this.lookup = new PathLookup(this.user, errors, store, catalog, listings, clock);
    // This filesystem is what the node's registry knows the session's open files by.
    this.transfers = new SessionTransfers(this, this.user, transfers, events, clock);
    this.quota = new SessionQuota(this.user, errors, lookup, quotas, quotaChunk);
    this.uploads = new SessionUploads(this.user, errors, this.locks, lookup, this.transfers, store, uploads,
        bandwidth.upload(), quota);
    this.downloadPace = bandwidth.download();
    this.directories = new Directories(this.user, errors, this.locks, lookup, store, objects,
        listingClientTimes ? catalog : null, listings, events, clock);
    this.checksums = new FileChecksums(this.user, errors, lookup, catalog, this::openReadable);
    this.renames = new Renames(this.user, errors, this.locks, lookup, objects,
        new TreeRename(store, catalog, renameParallelism), listings, events, quota);
  }

  public User user() {
    return user.account();
  }

  /**
   * Names the connection this filesystem belongs to, when it was made before the login finished
   * (FTPS makes it during PASS): its changes are published as that session's from now on.
   */
  public void joinSession(SessionSlots.Slot session) {
    user.join(session);
  }

  /**
   * A client's path argument resolved against {@code cwd} by core's rules ({@link VirtualPath#parse}),
   * for both front-ends: a bad one is refused here, with a REFUSED event naming the rule it broke.
   */
  public VirtualPath resolve(VirtualPath cwd, String argument) throws BadPathException {
    try {
      return VirtualPath.parse(cwd, argument);
    } catch (BadPathException e) {
      events.file(FileEvent.Type.REFUSED, user.origin(), e.getFile(), null, "path of " + user.name() + " refused: "
          + e.getReason());
      throw e;
    }
  }

  /**
   * The owner and group every entry is listed with, on both protocols: S3 has no owners, and a
   * user expects to see the account the files belong to, which is their own.
   */
  public String ownerName() {
    return user.name();
  }

  public FileStat stat(VirtualPath path) throws IOException {
    errors.require(Permission.LIST, path, "stat");
    return lookup.find(path, "stat").orElseThrow(() -> new NoSuchFileException(path.toString(), null,
        "stat by " + user.name() + ": no such file or directory"));
  }

  public boolean exists(VirtualPath path) throws IOException {
    return lookup.find(path, "stat").isPresent();
  }

  /**
   * The entries of a directory, streamed page by page from S3. Iterating may throw
   * {@link java.io.UncheckedIOException} if S3 fails part-way.
   */
  public Iterator<FileStat> list(VirtualPath directory) throws IOException {
    return directories.list(directory);
  }

  /**
   * Opens a file for reads at any offsets (SFTP), pinned to the version it has now: see
   * {@link ReadableFile}.
   */
  public ReadableFile openReadable(VirtualPath path) throws IOException {
    errors.require(Permission.READ, path, "download");
    S3Location key = user.keyOf(path);
    // A file its folder's listing (or this node's write) showed a moment ago is read without a
    // HEAD first: its first range is pinned to that ETag, and asks again if S3 has another now.
    Optional<ObjectInfo> listed = user.isMountRoot(path) ? Optional.empty() : lookup.cachedFile(path);
    // Not known there: asked of S3 even where the cache says "no such name", so a file another S3
    // client just put is read at once (a stat may not show it until the window ends).
    Optional<ObjectInfo> file = user.isMountRoot(path) || listed.isPresent() ? listed : lookup.head(path, "download");
    if (file.isEmpty()) {
      lookup.existingFile(path, "download");
      throw new NoSuchFileException(path.toString(), null, "download by " + user.name() + ": no such file");
    }
    ReadableFile.Recheck recheck = listed.isEmpty() ? null : () -> lookup.head(path, "download").orElseThrow(
        () -> new NoSuchFileException(path.toString(), null, "download by " + user.name() + ": no such file"));
    Instant opened = transfers.opened(path, key, "READ");
    long size = file.get().size();
    ReadableFile readable = new ReadableFile(path, user.name(), key, file.get(), recheck, downloads, downloadShare,
        downloadPace, sent -> events.downloadEnded(user.origin(), path.toString(), key, sent, size, opened));
    // Not closed with the session: its reader's close reports the download; the registry just forgets it.
    transfers.track(readable, path, LiveTransfers.Direction.DOWNLOAD, readable::sent, readable::isOpen, why -> { });
    return readable;
  }

  /**
   * The digest of a file's bytes (FTP HASH, SFTP check-file, exec sha256sum): a SHA-256 recorded
   * when Ferry wrote the file is answered without a read; anything else reads the file as a
   * download of this session (see {@link FileChecksums}).
   */
  public FileChecksum checksum(VirtualPath path, ChecksumAlgorithm algorithm) throws IOException {
    return checksums.of(path, algorithm);
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
    return uploads.openWrite(path, mode, offset);
  }

  /**
   * Opens a file for writes at offsets (SFTP). With {@code truncate} false an existing file's bytes
   * are kept where the client does not write, and writing on at its end resumes it server-side; the
   * overwrite permission is needed unless the writes only resume it. {@code existingFile} is checked
   * under the path's lock, which is held until the writer commits or aborts.
   */
  public OffsetWriter openAtOffsets(VirtualPath path, ExistingFile existingFile, boolean truncate)
      throws IOException {
    return uploads.openAtOffsets(path, existingFile, truncate, false);
  }

  /**
   * Opens {@code path} for reading and writing (SFTP's READ|WRITE, as sqlite and other programs on
   * an sshfs mount open their files): an upload as {@link #openAtOffsets}, whose handle also reads
   * what the file holds now ({@link OffsetWriter#read}). That needs the file's bytes at hand, so an
   * existing file larger than {@code uploads.spillLimit} is refused here, before anything changes.
   */
  public OffsetWriter openReadWrite(VirtualPath path, ExistingFile existingFile, boolean truncate)
      throws IOException {
    return uploads.openReadWrite(path, existingFile, truncate);
  }

  /**
   * Keeps a client-set modification time in the {@link ObjectCatalog}, for the version of the file
   * there is now: the object itself is not written again. Directories have no time of their own in
   * S3: setting one is accepted and changes nothing.
   */
  public void setModifiedTime(VirtualPath path, Instant modified) throws IOException {
    errors.require(Permission.WRITE, path, "set time");
    if (user.isMountRoot(path)) {
      return;
    }
    S3Location key = user.keyOf(path);
    try (PathLock lock = locks.lock(path, key, "set time")) {
      Optional<ObjectInfo> file = lookup.fileInfo(path, "set time");
      if (file.isEmpty()) {
        // Not a file: a directory (which has no time of its own in S3; one emptied here counts), or nothing.
        lookup.findDirectory(path, "set time").or(() -> lookup.emptiedHere(path))
            .orElseThrow(() -> new NoSuchFileException(path.toString(), null,
                "set time by " + user.name() + ": no such file or directory"));
        return;
      }
      try {
        catalog.setClientTime(key, file.get().etag(), modified);
      } catch (IOException e) {
        throw errors.storageFailure(path, "set time", e);
      }
      events.file(FileEvent.Type.TIMES_SET, user.origin(), path.toString(), key, "modified " + modified);
    }
  }

  /**
   * Sets a file's size where object storage allows it: to its current size (OpenSSH scp does that
   * after every upload) or to 0. Other sizes are refused: an object is only ever replaced whole.
   */
  public void truncate(VirtualPath path, long size) throws IOException {
    uploads.truncate(path, size);
  }

  /**
   * What the user's home holds against its quota (for SFTP's statvfs and df); empty for a user
   * without one.
   */
  public Optional<QuotaUsage> quotaUsage() throws IOException {
    return quota.usage();
  }

  /**
   * Creates a directory (its zero-byte marker). One that exists is "already exists", never "busy":
   * a mkdir of the same directory by another session is waited for (it takes milliseconds) and
   * then found, so a client told "exists" can at once put files into it. Clients that create
   * parent folders from parallel transfers (rclone) take "exists" as done and go on.
   */
  public void mkdir(VirtualPath path) throws IOException {
    directories.mkdir(path);
  }

  /**
   * Removes an empty directory (its marker); refuses one that still holds anything. One without a
   * marker that this node emptied lately has nothing to remove in S3.
   */
  public void rmdir(VirtualPath path) throws IOException {
    directories.rmdir(path);
  }

  public void delete(VirtualPath path) throws IOException {
    errors.require(Permission.DELETE, path, "delete");
    S3Location key = user.keyOf(path);
    // Checked under the lock: a file still being uploaded is "busy", not "missing".
    AtomicReference<Optional<ObjectInfo>> removed = new AtomicReference<>(Optional.empty());
    ObjectChange change = ObjectChange.by(user.origin(), "delete of " + path + " by " + user.name())
        .atPaths(path.toString(), null)
        .checking(() -> {
          lookup.requireFile(path, "delete");
          removed.set(quota.beforeRemoving(path, "delete"));
        });
    try {
      objects.delete(key, change);
      quota.removed(path, removed.get());
    } catch (ObjectBusyException e) {
      throw errors.busy(path, "delete");
    } catch (StoreException e) {
      throw errors.storageFailure(path, "delete", e);
    }
  }

  /**
   * Renames a file (server-side copy, then delete) or a directory (every key under it, with bounded
   * parallelism). Both the source and the target are locked for the duration, and the target is
   * looked at under those locks. An existing target file is replaced only with {@code replace} (and
   * the overwrite permission); a directory never replaces anything.
   */
  public void rename(VirtualPath from, VirtualPath to, boolean replace) throws IOException {
    renames.rename(from, to, replace);
  }

  /** Aborts every upload this session left open (a disconnect, not a commit). */
  @Override
  public void close() {
    transfers.abortAll();
  }

  /** The file this session is writing at {@code path} at offsets (SFTP's SETSTAT of its size or time), or null. */
  public OffsetWriter writerAt(VirtualPath path) {
    return transfers.writerAt(path);
  }
}
