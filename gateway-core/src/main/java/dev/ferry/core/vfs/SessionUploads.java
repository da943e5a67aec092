package dev.ferry.core.vfs;

import dev.ferry.core.bandwidth.Throttle;
import dev.ferry.core.lock.PathLock;
import dev.ferry.core.path.VirtualPath;
import dev.ferry.core.quota.UploadQuota;
import dev.ferry.core.s3.ObjectInfo;
import dev.ferry.core.s3.S3Location;
import dev.ferry.core.s3.StoreException;
import dev.ferry.core.session.LiveTransfers;
import dev.ferry.core.store.ObjectStore;
import dev.ferry.core.upload.OffsetWriter;
import dev.ferry.core.upload.ReorderMemory;
import dev.ferry.core.upload.SpillShare;
import dev.ferry.core.upload.StreamingUpload;
import dev.ferry.core.upload.Uploads;
import dev.ferry.core.user.Permission;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Opens a session's uploads: checks what is at the path (or leaves that to the commit where the
 * session already knows enough), takes the path's lock for the upload, and hands both to
 * {@link Uploads}.
 */
final class SessionUploads {

  private final SessionUser user;
  private final ClientErrors errors;
  private final SessionLocks locks;
  private final PathLookup lookup;
  private final SessionTransfers transfers;
  private final ObjectStore store;
  private final Uploads uploads;
  /** What this session's files written at offsets may hold in memory out of order, together. */
  private final ReorderMemory reorderMemory;
  private final SpillShare spillShare;
  /** Paces this session's uploads: its user's and the node's upload limits. */
  private final Throttle pace;
  private final SessionQuota quota;

  SessionUploads(SessionUser user, ClientErrors errors, SessionLocks locks, PathLookup lookup,
      SessionTransfers transfers, ObjectStore store, Uploads uploads, Throttle pace, SessionQuota quota) {
    this.user = user;
    this.errors = errors;
    this.locks = locks;
    this.lookup = lookup;
    this.transfers = transfers;
    this.store = store;
    this.uploads = uploads;
    this.reorderMemory = uploads.newReorderMemory();
    this.spillShare = uploads.newSpillShare(user.name());
    this.pace = pace;
    this.quota = quota;
  }

  StreamingUpload openWrite(VirtualPath path, WriteMode mode, long offset) throws IOException {
    String operation = mode == WriteMode.APPEND ? "append" : "upload";
    errors.require(Permission.WRITE, path, operation);
    if (user.isMountRoot(path)) {
      throw errors.isADirectory(path, operation);
    }
    S3Location key = user.keyOf(path);
    PathLock lock = locks.lock(path, key, operation);
    try {
      boolean leftToS3 = newFileLeftToS3(path, key, mode, operation);
      Optional<ObjectInfo> existing = leftToS3 || replacesWhateverIsThere(path, mode, operation) ? Optional.empty()
          : writeTarget(path, operation);
      if (existing.isPresent() && !(mode == WriteMode.RESUME && offset == existing.get().size())
          && !(mode == WriteMode.APPEND && existing.get().size() == 0)) {
        errors.require(Permission.OVERWRITE, path, operation + " over an existing file");
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
      Optional<UploadQuota> share = quota.openUpload(path, keep > 0);
      StreamingUpload upload;
      try {
        upload = uploads.open(key, lock, operation + " of " + path + " by " + user.name(),
            user.origin().asWriterOf(path.toString()), keep);
      } catch (IOException | RuntimeException e) {
        share.ifPresent(UploadQuota::cancel);
        throw e;
      }
      if (leftToS3) {
        // An upload opened here is never a copy inside S3, so the write itself carries the condition.
        upload.commitOnlyIfAbsent(() -> errors.require(Permission.OVERWRITE, path, operation
            + " over an existing file (another S3 client wrote it since the folder was listed)"));
      }
      upload.pacedBy(quota.gate(share, pace));
      share.ifPresent(q -> upload.whenEnded(q::ended));
      upload.whenEnded(transfers.uploadEnd(path, key));
      transfers.track(upload, path, LiveTransfers.Direction.UPLOAD, upload::sizeNow, upload::isOpenNow, upload::abort);
      return upload;
    } catch (StoreException e) {
      lock.close();
      throw errors.storageFailure(path, operation, e);
    } catch (IOException | RuntimeException e) {
      lock.close();
      throw e;
    }
  }

  OffsetWriter openReadWrite(VirtualPath path, ExistingFile existingFile, boolean truncate)
      throws IOException {
    errors.require(Permission.READ, path, "open for reading and writing");
    OffsetWriter writer = openAtOffsets(path, existingFile, truncate, true);
    writer.openForReading();
    return writer;
  }

  OffsetWriter openAtOffsets(VirtualPath path, ExistingFile existingFile, boolean truncate, boolean readBack)
      throws IOException {
    errors.require(Permission.WRITE, path, "upload");
    if (user.isMountRoot(path)) {
      throw errors.isADirectory(path, "upload");
    }
    S3Location key = user.keyOf(path);
    PathLock lock = locks.lock(path, key, "upload");
    Optional<UploadQuota> share = Optional.empty();
    try {
      share = quota.openUpload(path, !truncate);
      OffsetWriter writer = existingFile == ExistingFile.ALLOWED && truncate && user.may(Permission.OVERWRITE, path)
          ? openReplacing(path, key, lock) : openAfterLookup(path, key, lock, existingFile, truncate, readBack);
      writer.pacedBy(quota.gate(share, pace));
      share.ifPresent(q -> writer.whenEnded(q::ended));
      writer.whenEnded(transfers.uploadEnd(path, key));
      transfers.track(writer, path, LiveTransfers.Direction.UPLOAD, writer::sizeNow, writer::isOpenNow, writer::abort);
      return writer;
    } catch (IOException | RuntimeException e) {
      share.ifPresent(UploadQuota::cancel);
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
    lookup.requireParentDirectory(path, "upload");
    String description = "upload of " + path + " by " + user.name();
    if (lookup.knownNotADirectory(path, "upload")) {
      return uploads.openAtOffsets(key, lock, description, user.origin().asWriterOf(path.toString()), 0, keep -> {},
          Uploads.CommitCheck.NONE, reorderMemory, spillShare);
    }
    CompletableFuture<NameProbe.Found> target = lookup.probeAsync(path);
    return uploads.openAtOffsets(key, lock, description, user.origin().asWriterOf(path.toString()), 0, keep -> {},
        () -> fileThere(target, path, "upload"),
        reorderMemory, spillShare);
  }

  /** A file whose open depends on what is there: exclusive, existing only, or kept where not written. */
  private OffsetWriter openAfterLookup(VirtualPath path, S3Location key, PathLock lock, ExistingFile existingFile,
      boolean truncate, boolean readBack) throws IOException {
    // An exclusive create keeps nothing of what is there whether or not it truncates (cp's O_EXCL
    // does not): where the name is known to be new it is opened as any new file.
    if ((truncate || existingFile == ExistingFile.REFUSED) && existingFile != ExistingFile.REQUIRED
        && lookup.knownMissing(path)) {
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
      errors.require(Permission.OVERWRITE, path, "upload over an existing file");
    }
    long existingSize = truncate ? 0 : existing.map(ObjectInfo::size).orElse(0L);
    if (readBack && existingSize > uploads.spillLimit()) {
      throw errors.refused(new FileSystemException(path.toString(), null, "open for reading and writing by "
          + user.name() + ": the file has " + existingSize + " bytes, more than uploads.spillLimit ("
          + uploads.spillLimit() + " bytes), the largest file that can be read back while it is written; open it"
          + " for reading or for writing"));
    }
    return uploads.openAtOffsets(key, lock, "upload of " + path + " by " + user.name(),
        user.origin().asWriterOf(path.toString()), existingSize, keep -> {
      if (existing.isPresent() && !truncate && !(keep > 0 && keep == existingSize)) {
        errors.require(Permission.OVERWRITE, path, "upload over an existing file");
      }
    }, Uploads.CommitCheck.NONE, reorderMemory, spillShare);
  }

  /**
   * A new file (exclusive, or by a user who may not overwrite) where the folder seen a moment ago
   * has no such name: the client is not kept waiting for S3. A file that S3 has there at the commit
   * (another S3 client wrote it within directoryCacheTime) refuses the commit as the open would
   * have been refused: nothing is overwritten, the client's close fails. S3 refuses the write
   * itself where it can ({@code If-None-Match: *}, s3.conditionalWrites): the file is one PUT;
   * else the name is asked about meanwhile, one listing more.
   */
  private OffsetWriter openWhereKnownMissing(VirtualPath path, S3Location key, PathLock lock,
      ExistingFile existingFile) throws IOException {
    lookup.requireParentDirectory(path, "upload");
    Uploads.WhenPresent refuse = () -> {
      if (existingFile == ExistingFile.REFUSED) {
        throw errors.refused(new FileAlreadyExistsException(path.toString(), null, "upload by " + user.name()
            + ": file exists (exclusive create; another S3 client wrote it since the folder was listed)"));
      }
      errors.require(Permission.OVERWRITE, path, "upload over an existing file");
    };
    // Where S3 cannot refuse the write, the name is asked about at once, so the answer is in by the
    // commit; where it can, only a file made as a copy inside S3 asks, at its commit.
    CompletableFuture<NameProbe.Found> askedAtOpen = store.writesOnlyIfAbsent(key) ? null : NameProbe.probe(store, key);
    Uploads.CommitCheck probe = () -> {
      if (fileThere(askedAtOpen != null ? askedAtOpen : NameProbe.probe(store, key), path, "upload").isPresent()) {
        refuse.refuse();
      }
    };
    return uploads.openAtOffsets(key, lock, "upload of " + path + " by " + user.name(),
        user.origin().asWriterOf(path.toString()), 0, keep -> {}, Uploads.CommitCheck.onlyIfAbsent(probe, refuse),
        reorderMemory, spillShare);
  }

  /**
   * Whether a new upload of {@code path} by a user who may not overwrite (an FTP drop box) goes
   * ahead where the folder seen a moment ago has no such name, S3 refusing the write at its commit
   * ({@code If-None-Match: *}) where another S3 client put the name since: the client is not kept
   * waiting for a listing of the name at the open. Where S3 takes no conditional writes, or the
   * folder is not known, the name is asked about at the open.
   */
  private boolean newFileLeftToS3(VirtualPath path, S3Location key, WriteMode mode, String operation)
      throws IOException {
    if (mode != WriteMode.TRUNCATE || user.may(Permission.OVERWRITE, path) || !store.writesOnlyIfAbsent(key)
        || !lookup.knownMissing(path)) {
      return false;
    }
    lookup.requireParentDirectory(path, operation);
    return true;
  }

  /**
   * Whether a new upload of {@code path} (not a resume or append, by a user who may overwrite)
   * needs nothing of what is there, which this session then knows not to be a directory: S3 is not
   * asked.
   */
  private boolean replacesWhateverIsThere(VirtualPath path, WriteMode mode, String operation) throws IOException {
    if (mode != WriteMode.TRUNCATE || !user.may(Permission.OVERWRITE, path)) {
      return false;
    }
    lookup.requireParentDirectory(path, operation);
    return lookup.knownNotADirectory(path, operation);
  }

  /**
   * What a write to {@code path} finds there: the file, if there is one. A directory of that name,
   * or no parent directory, refuses the write. The name is asked about with one listing
   * ({@link NameProbe}: file, directory or nothing, where a HEAD and a listing under it took two
   * requests), at once with the parent's check: one round trip, which a client uploading many small
   * files waits for at each open.
   */
  private Optional<ObjectInfo> writeTarget(VirtualPath path, String operation) throws IOException {
    CompletableFuture<NameProbe.Found> target = NameProbe.probe(store, user.keyOf(path));
    lookup.requireParentDirectory(path, operation);
    return fileThere(target, path, operation);
  }

  /** The file {@code target} found at {@code path}, if any; a directory found there refuses the write. */
  private Optional<ObjectInfo> fileThere(CompletableFuture<NameProbe.Found> target, VirtualPath path, String operation)
      throws IOException {
    NameProbe.Found found = errors.call(target, path, operation);
    if (found.kind() == NameProbe.Kind.DIRECTORY) {
      throw errors.isADirectory(path, operation);
    }
    return found.file();
  }

  void truncate(VirtualPath path, long size) throws IOException {
    errors.require(Permission.WRITE, path, "truncate");
    FileStat stat = lookup.existingFile(path, "truncate");
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
}
