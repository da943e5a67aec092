package dev.ferry.core.upload;

import dev.ferry.core.catalog.ObjectCatalog;
import dev.ferry.core.lock.PathLock;
import dev.ferry.core.scan.ContentScanner;
import dev.ferry.core.scan.UploadScan;
import dev.ferry.core.s3.S3Location;
import dev.ferry.core.s3.StoreException;
import dev.ferry.core.store.MultipartUploadInfo;
import dev.ferry.core.store.ObjectStore;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens uploads and keeps track of every one that is open, so that shutdown can wait for them or
 * abort them and the orphan sweep knows which journaled uploads still have an owner.
 */
public final class Uploads {

  private static final Logger log = LoggerFactory.getLogger(Uploads.class);

  /** A check run just before an offset upload starts, e.g. that replacing the existing file is allowed. */
  public interface StartCheck {
    void beforeStart(long keepExisting) throws IOException;
  }

  /**
   * A check an offset upload must pass before it commits, whose answer may still be on its way
   * from S3 while the client writes: nothing is visible before the commit, so a refusal there
   * changes nothing.
   */
  public interface CommitCheck {
    CommitCheck NONE = () -> {};

    void beforeCommit() throws IOException;

    /**
     * A new file's check that nothing is at its key, left to S3 where it can make it: the write
     * then goes with {@code If-None-Match: *}, and S3's refusal is answered by {@code present}
     * (which throws the client's error). Where the write cannot carry it (a file made as a copy
     * inside S3, a store without conditional writes), {@code probe} runs before the commit instead.
     */
    static CommitCheck onlyIfAbsent(CommitCheck probe, WhenPresent present) {
      return new OnlyIfAbsent(probe, present);
    }
  }

  /** What refuses a write that S3 found an object in the way of: throws the client's error. */
  @FunctionalInterface
  public interface WhenPresent {
    void refuse() throws IOException;
  }

  /** See {@link CommitCheck#onlyIfAbsent}. */
  record OnlyIfAbsent(CommitCheck probe, WhenPresent present) implements CommitCheck {
    @Override
    public void beforeCommit() throws IOException {
      probe.beforeCommit();
    }
  }


  private final ObjectStore store;
  private final MemoryBudget budget;
  private final PartSizePolicy partSizes;
  private final int maxPartsInFlight;
  private final UploadJournal journal;
  private final OffsetWriter.Settings offsetWrites;
  private final Clock clock;
  private final Set<StreamingUpload> open = ConcurrentHashMap.newKeySet();
  private final ObjectCatalog catalog;
  private final CommitOrder commitOrder;
  private final SpillSpace spillSpace;
  private final ContentScanner scanner;

  /** {@code scanner}: which uploads stream to clamd before they commit. */
  public Uploads(ObjectStore store, ObjectCatalog catalog, MemoryBudget budget, PartSizePolicy partSizes,
      int maxPartsInFlight, UploadJournal journal, OffsetWriter.Settings offsetWrites, SpillSpace spillSpace,
      ContentScanner scanner, Clock clock) {
    this.store = store;
    this.scanner = scanner;
    this.spillSpace = spillSpace;
    this.offsetWrites = offsetWrites;
    this.budget = budget;
    this.partSizes = partSizes;
    this.maxPartsInFlight = maxPartsInFlight;
    this.journal = journal;
    this.clock = clock;
    this.catalog = catalog;
    this.commitOrder = new CommitOrder(catalog, store);
  }

  /**
   * Opens an upload to {@code target}, which the caller has locked; the upload owns the lock from
   * here on and releases it when it commits or aborts. {@code keepExisting} bytes of the object
   * already there become the start of the new one (resume and append). {@code metadata} is the
   * object's user metadata (who wrote it), sent with its PUT or CreateMultipartUpload.
   */
  public StreamingUpload open(S3Location target, PathLock lock, String description, UploadWriter writer,
      long keepExisting) throws IOException {
    StreamingUpload upload = new StreamingUpload(this, target, description, writer.metadata(), lock, maxPartsInFlight);
    open.add(upload);
    try {
      scanFor(writer).ifPresent(upload::scannedBy);
      upload.startWithExisting(keepExisting);
    } catch (IOException | RuntimeException e) {
      upload.abort("could not start from the existing object: " + e.getMessage());
      throw e;
    }
    return upload;
  }

  /**
   * Opens an upload to {@code target}, which the caller has locked, that is to be a copy of the
   * whole {@code source} made inside S3 (see {@link StreamingUpload#startAsCopyOf}).
   */
  StreamingUpload openAsCopyOf(S3Location target, PathLock lock, String description, UploadWriter writer,
      CopySource source, String sha256) {
    StreamingUpload upload = new StreamingUpload(this, target, description, writer.metadata(), lock, maxPartsInFlight);
    open.add(upload);
    // A copy into a scanned path is never read by the scan: the onUnavailable policy decides. If
    // the client then changes the copy, it is sent again through the scan from its first byte.
    scanFor(writer).ifPresent(scan -> {
      upload.scannedBy(scan);
      scan.notSeen("the bytes of " + source.name());
    });
    upload.startAsCopyOf(source, sha256);
    return upload;
  }

  private Optional<UploadScan> scanFor(UploadWriter writer) {
    return writer.scanSubject() == null ? Optional.empty() : scanner.begin(writer.scanSubject());
  }

  /** The SHA-256 of the version of the file {@code source} names, if Ferry knows it. */
  Optional<String> sha256Of(CopySource source) throws IOException {
    return Optional.ofNullable(catalog.factsOf(source.location(), source.version()).sha256());
  }

  /**
   * Opens a file written at offsets to {@code target}, which the caller has locked; the writer owns
   * the lock from here on. {@code existingSize} is the size of the object it replaces when that is
   * opened without truncation (0 otherwise): its bytes fill what the client does not write, and
   * writing on at its end resumes it server-side. {@code check} runs before the upload starts and
   * {@code commitCheck} before it commits; writes out of order wait in the session's {@code memory},
   * and the spill file counts against the session's {@code spillShare}; {@code metadata} as for
   * {@link #open}.
   */
  public OffsetWriter openAtOffsets(S3Location target, PathLock lock, String description, UploadWriter writer,
      long existingSize, StartCheck check, CommitCheck commitCheck, ReorderMemory memory, SpillShare spillShare) {
    UploadSink sink = new UploadSink(this, target, lock, description, writer, check, commitCheck);
    OffsetWriter.Existing existing = from -> ObjectStore.await(store.openFrom(target, from));
    return new OffsetWriter(sink, existing, existingSize, memory, spillShare, offsetWrites, description);
  }

  /** The largest file written at offsets whose bytes are kept for rewrites and reading back (uploads.spillLimit). */
  public long spillLimit() {
    return offsetWrites.spillLimit();
  }

  /** A new session's share of the node's spill space, for {@code user}'s files written at offsets. */
  public SpillShare newSpillShare(String user) {
    return spillSpace.share(user);
  }

  public SpillSpace spillSpace() {
    return spillSpace;
  }

  /** A new session's memory for writes held out of order, which all its files written at offsets share. */
  public ReorderMemory newReorderMemory() {
    return new ReorderMemory(budget, offsetWrites.window(), offsetWrites.memoryWait());
  }

  public Set<StreamingUpload> openUploads() {
    return Set.copyOf(open);
  }

  public MemoryBudget budget() {
    return budget;
  }

  /**
   * Waits up to {@code grace} for open uploads to finish, then aborts
   * whatever is left. Returns how many were aborted.
   */
  public int drain(Duration grace) {
    Instant deadline = clock.instant().plus(grace);
    synchronized (open) {
      while (!open.isEmpty() && clock.instant().isBefore(deadline)) {
        try {
          open.wait(Math.max(1, Math.min(250, Duration.between(clock.instant(), deadline).toMillis())));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
    }
    int aborted = 0;
    for (StreamingUpload upload : openUploads()) {
      upload.abort("gateway is shutting down");
      aborted++;
    }
    return aborted;
  }

  /**
   * Aborts the orphaned multipart uploads in the journal: those of a node that stopped heartbeating
   * (it may be paused and wake up; its writes then fail, as the client's upload should), and this
   * node's own that no open upload owns and that are older than {@code minAge}. Uploads of live
   * nodes are theirs. Returns how many were aborted.
   */
  public int sweepOrphans(Duration minAge) throws IOException {
    Instant cutoff = clock.instant().minus(minAge);
    int aborted = 0;
    for (UploadJournal.Entry entry : journal.entries()) {
      MultipartUploadInfo upload = entry.upload();
      boolean own = entry.nodeId().equals(journal.selfId());
      boolean orphan = own ? !upload.initiated().isAfter(cutoff) && !isOwned(upload) : !entry.nodeAlive();
      if (!orphan) {
        continue;
      }
      try {
        ObjectStore.await(store.abortMultipartUpload(upload.location(), upload.uploadId()));
        journal.finished(upload.uploadId());
        aborted++;
        log.info("aborted orphaned multipart upload {} of {} ({})", upload.uploadId(), upload.location(),
            own ? "this node's, no longer open" : "of node " + entry.nodeId() + ", which stopped heartbeating");
      } catch (StoreException e) {
        if (e.kind() == StoreException.Kind.NOT_FOUND) {
          journal.finished(upload.uploadId()); // completed or aborted in S3 already
        } else {
          log.warn("orphaned upload {} of {} could not be aborted yet: {}", upload.uploadId(), upload.location(),
              e.getMessage());
        }
      } catch (IOException e) {
        log.warn("orphaned upload {} of {} could not be aborted yet: {}", upload.uploadId(), upload.location(),
            e.getMessage());
      }
    }
    return aborted;
  }

  private boolean isOwned(MultipartUploadInfo entry) {
    return open.stream().anyMatch(u -> u.target().equals(entry.location()) && u.isOpen());
  }

  void closed(StreamingUpload upload) {
    synchronized (open) {
      open.remove(upload);
      open.notifyAll();
    }
  }

  ObjectStore store() {
    return store;
  }

  CommitOrder commitOrder() {
    return commitOrder;
  }

  PartSizePolicy partSizes() {
    return partSizes;
  }

  UploadJournal journal() {
    return journal;
  }
}
