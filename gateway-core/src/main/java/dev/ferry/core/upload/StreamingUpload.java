package dev.ferry.core.upload;

import dev.ferry.core.bandwidth.Throttle;
import dev.ferry.core.lock.PathLock;
import dev.ferry.core.s3.Etags;
import dev.ferry.core.s3.ObjectFacts;
import dev.ferry.core.s3.S3Location;
import dev.ferry.core.s3.StoreException;
import dev.ferry.core.scan.ContentRefusedException;
import dev.ferry.core.scan.UploadScan;
import dev.ferry.core.store.MultipartUploadInfo;
import dev.ferry.core.store.ObjectStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * One file being written to S3 as its bytes arrive. Bytes fill a part buffer reserved from the
 * {@link MemoryBudget}; each full part is sent as an UploadPart (with its Content-MD5, which S3
 * verifies) while the next one fills, with at most a few parts in flight. A file that never fills
 * one part is a single PUT. The whole object's SHA-256 is updated as bytes arrive.
 *
 * <p>Nothing becomes visible until {@link #commit()}: front-ends call it only when the protocol
 * says the transfer succeeded. {@link #close()} never commits; an upload closed or
 * {@link #abort aborted} before commit leaves no object and no multipart upload behind.
 *
 * <p>Over 500 lines, and one concept: one upload's life (open, committed, aborted) under one lock.
 * The part being filled, the parts in flight, the multipart upload's id, the hashes and a copy's
 * source are read and changed by every path through it (a write, the commit, a restart, an abort
 * from another thread, a part's completion), and each part buffer has one owner as it moves from
 * the fill to its part task (house rule 5). Split, the pieces would share that state and that lock.
 */
public final class StreamingUpload extends OutputStream {

  private static final Logger log = LoggerFactory.getLogger(StreamingUpload.class);

  private enum State { OPEN, COMMITTED, ABORTED }

  private final Uploads owner;
  private final S3Location target;
  private final String description;
  /** The object's user metadata (who wrote it), sent with its PUT, CreateMultipartUpload or copy. */
  private final Map<String, String> metadata;
  private volatile Throttle pace = Throttle.NONE;
  private final PathLock lock;
  private final Semaphore partsInFlight;
  /** Replaced (not cleared) on {@link #restart}: callbacks of discarded parts keep the old ones. */
  private List<CompletableFuture<String>> partEtags = new ArrayList<>();
  private AtomicReference<Throwable> partFailure = new AtomicReference<>();
  /** The modification time a client set before the commit (SFTP's setstat on an open handle). */
  private Instant clientTime;

  /** Null once bytes were copied server-side without passing through here: no hash can cover them. */
  private MessageDigest objectSha256 = newDigest("SHA-256");
  private MessageDigest partMd5;
  private MemoryBudget.Reservation reservation;
  private List<byte[]> chunks = new ArrayList<>();
  private int chunkFill;
  private long partFill;
  private long partCapacity;
  private int nextPartNumber = 1;
  private String uploadId;
  /** Written under this object's lock; {@link #sizeNow} reads it without (a write may be waiting for memory). */
  private volatile long size;
  /** Set while this object is to be a copy made inside S3 at commit ({@link #startAsCopyOf}). */
  private CopySource copySource;
  /** Set where the commit is to be refused by S3 if an object is at the key: what then tells the client. */
  private Uploads.WhenPresent onlyIfAbsent;
  private String copySha256;
  /** Written under this object's lock; {@link #isOpenNow} reads it without. */
  private volatile State state = State.OPEN;
  /** The SHA-256 the object was committed with (hex), once it is; null when none covers its bytes. */
  private String committedSha256;
  private final EndListener whenEnded = new EndListener();
  /** The scan its bytes stream to ({@code scan:}), or null when none matches it. */
  private UploadScan scan;
  private volatile boolean abortRequested;

  StreamingUpload(Uploads owner, S3Location target, String description, Map<String, String> metadata, PathLock lock,
      int maxPartsInFlight) {
    this.owner = owner;
    this.metadata = Map.copyOf(metadata);
    this.target = target;
    this.description = description;
    this.lock = lock;
    this.partsInFlight = new Semaphore(maxPartsInFlight);
  }

  public S3Location target() {
    return target;
  }

  public synchronized long size() {
    return size;
  }

  /**
   * The size as far as it got, without waiting for a write in progress (which may hold this object
   * while it waits for memory or for a part to be sent): for showing progress, never for deciding.
   */
  public long sizeNow() {
    return size;
  }

  /** Sets the modification time the file gets when it is committed (recorded in the catalog). */
  public synchronized void setClientTime(Instant time) {
    clientTime = time;
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  /**
   * Paces the bytes written from here on (a client's bandwidth limit); the wait is before the
   * bytes are taken, on the writer's thread, holding nothing.
   */
  public void pacedBy(Throttle pace) {
    this.pace = pace;
  }

  @Override
  public void write(byte[] bytes, int offset, int length) throws IOException {
    try {
      pace.pass(length);
    } catch (IOException e) {
      // Bytes held back for good (a quota, an interrupt) are a piece missing: the object is not made.
      abort(e.getMessage());
      throw e;
    }
    take(bytes, offset, length);
  }

  private synchronized void take(byte[] bytes, int offset, int length) throws IOException {
    ensureWritable();
    if (copySource != null && length > 0) {
      throw new IllegalStateException(description + ": bytes written to a copy made inside S3; restart it first");
    }
    while (length > 0) {
      // A full part goes to S3 once more bytes come, not as it fills: a file that ends exactly
      // at the single-PUT limit is then one PUT, not a multipart upload of one part.
      if (reservation != null && partFill == partCapacity && !growFirstPart()) {
        sendPart();
      }
      if (reservation == null) {
        startPart();
      }
      if (chunks.isEmpty() || chunkFill == MemoryBudget.CHUNK_SIZE) {
        chunks.add(reservation.takeChunk());
        chunkFill = 0;
      }
      int n = (int) Math.min(length, Math.min(MemoryBudget.CHUNK_SIZE - chunkFill, partCapacity - partFill));
      System.arraycopy(bytes, offset, chunks.get(chunks.size() - 1), chunkFill, n);
      partMd5.update(bytes, offset, n);
      if (objectSha256 != null) {
        objectSha256.update(bytes, offset, n);
      }
      if (scan != null) {
        scan.feed(bytes, offset, n);
      }
      chunkFill += n;
      partFill += n;
      size += n;
      offset += n;
      length -= n;
    }
  }

  /**
   * A file that outgrows its first part may still be one PUT, which costs S3 one request where a
   * multipart upload costs three (start, parts, assembly). The
   * first part grows to the single-PUT limit if the budget has room right now; waiting for room
   * while holding a part could deadlock, so without room the upload turns multipart.
   */
  private boolean growFirstPart() {
    long limit = owner.partSizes().singlePutLimit();
    if (uploadId != null || nextPartNumber != 1 || partCapacity >= limit
        || !reservation.tryExtend(limit - partCapacity)) {
      return false;
    }
    partCapacity = limit;
    return true;
  }

  /**
   * Makes the object visible in S3 and returns its size. On failure the upload is aborted and the
   * exception says why; the lock is released either way.
   */
  public synchronized long commit() throws IOException {
    ensureOpen(); // outside the try: refusing a second commit must not undo the first
    try {
      ensureNoPartFailed(); // inside: a part S3 refused fails the commit, and so aborts the upload
      if (scan != null) {
        scan.requireClean(description); // before anything becomes visible: an infected file never does
      }
      lock.ensureHeld(); // fencing: a node that froze past its lease may have lost the path meanwhile
      if (copySource != null) {
        commitCopy();
      } else if (uploadId == null) {
        putWhole();
      } else {
        if (partFill > 0) {
          sendPart();
        }
        List<String> parts = awaitParts();
        owner.commitOrder().commit(target, Etags.ofMultipart(parts).orElse(null), facts(), () -> refusedIfPresent(
            () -> ObjectStore.await(owner.store().completeMultipartUpload(target, uploadId, parts, onlyIfAbsent != null))));
        owner.journal().finished(uploadId);
      }
      state = State.COMMITTED;
    } catch (ContentRefusedException e) {
      state = State.ABORTED;
      discard(e.getMessage());
      whenEnded.ended(UploadOutcome.rejected(size, e.getMessage()));
      throw e;
    } catch (IOException | RuntimeException e) {
      abortNow(e.getMessage());
      throw e instanceof IOException io ? io : new IOException(e.getMessage(), e);
    } finally {
      finish();
    }
    whenEnded.ended(UploadOutcome.committed(size, committedSha256));
    return size;
  }

  /**
   * Calls {@code listener} once, when the upload commits or is abandoned, on the thread that ends
   * it and before {@link #commit} returns.
   */
  public synchronized void whenEnded(Consumer<UploadOutcome> listener) {
    whenEnded.add(listener);
  }

  /**
   * Abandons the upload: nothing becomes visible, parts already in S3 are discarded. Safe from any
   * thread and more than once; a writer blocked on memory or on parts in flight gives up.
   */
  public void abort(String reason) {
    abortRequested = true;
    synchronized (this) {
      if (state != State.OPEN) {
        return;
      }
      abortNow(reason);
      finish();
    }
  }

  /** Never commits: a transfer that ends without an explicit commit failed. */
  @Override
  public void close() {
    abort("closed before the transfer completed");
  }

  /**
   * The SHA-256 (hex) of the committed object's bytes, computed as they passed through, for callers
   * that check it against their source's; null before the commit, or when bytes were copied inside
   * S3 from an object whose SHA-256 Ferry does not know.
   */
  public synchronized String sha256() {
    return state == State.COMMITTED ? committedSha256 : null;
  }

  public synchronized boolean isOpen() {
    return state == State.OPEN;
  }

  /** Whether it is open, without waiting for a write or a commit in progress: for showing progress. */
  public boolean isOpenNow() {
    return state == State.OPEN;
  }

  /** Streams this upload's bytes to {@code scan} from here on; set before the first byte. */
  synchronized void scannedBy(UploadScan scan) {
    this.scan = scan;
  }

  /**
   * Starts the object with the first {@code length} bytes of the object already at the target
   * (resume and append). Large prefixes are copied inside S3 as the first parts; small ones (below
   * S3's minimum part size) are read back and pass through here like client bytes.
   */
  synchronized void startWithExisting(long length) throws IOException {
    if (length == 0) {
      return;
    }
    if (length < PartSizePolicy.MIN_PART_SIZE) {
      ObjectStore.await(owner.store().readRange(target, 0, length)).writeTo(this::take);
      return;
    }
    objectSha256 = null;
    if (scan != null) {
      scan.notSeen("the first " + length + " bytes (the file resumed or appended to)");
    }
    startMultipart();
    AtomicReference<Throwable> failures = partFailure;
    for (CompletableFuture<String> copied : owner.store().copyAsParts(target, length, target, uploadId,
        nextPartNumber, null)) {
      copied.whenComplete((etag, error) -> {
        if (error != null) {
          failures.compareAndSet(null, error);
        }
      });
      partEtags.add(copied);
      nextPartNumber++;
    }
    size = length;
  }

  /**
   * Makes the object a copy of the whole {@code source}, made inside S3 when it is committed: no
   * byte of it passes through the gateway, and it gets {@code sha256}, the source's. Up to 5 GiB
   * that is one CopyObject, beyond it a copy part by part. Bytes cannot follow it: an
   * {@link OffsetWriter} whose client changes the file {@linkplain #restart restarts} this upload
   * and sends the source's bytes itself.
   */
  synchronized void startAsCopyOf(CopySource source, String sha256) {
    copySource = source;
    copySha256 = sha256;
    objectSha256 = null;
    size = source.version().size();
  }

  /**
   * The copy of the version the source had when it was opened; if the source changed or went away
   * since, the copy and the upload fail. The copy's ETag is S3's to choose, so its facts are
   * recorded after it (see {@link CommitOrder}).
   */
  private void commitCopy() throws IOException {
    S3Location from = copySource.location();
    committedSha256 = copySha256;
    owner.commitOrder().commit(target, null, new ObjectFacts(copySha256, clientTime), () -> {
      try {
        return awaitLanded(owner.store().copy(from, target, copySource.version().size(), metadata,
            copySource.version().etag()));
      } catch (StoreException e) {
        if (e.kind() != StoreException.Kind.PRECONDITION_FAILED && e.kind() != StoreException.Kind.NOT_FOUND) {
          throw e;
        }
        throw new IOException(description + ": copy of " + copySource.name()
            + " failed: it was replaced or removed after it was opened; copy it again", e);
      }
    });
  }

  /** The facts the object is committed with: its SHA-256 if every byte passed through here, the client's time. */
  private ObjectFacts facts() {
    committedSha256 = objectSha256 == null ? null : hex(objectSha256);
    return new ObjectFacts(committedSha256, clientTime);
  }

  /**
   * Waits for a copy to end even through an interrupt (MINA interrupts a channel's thread when its
   * client goes away): the path's lock must not be given up while a copy that may still land runs.
   */
  private static <T> T awaitLanded(CompletableFuture<T> copy) throws IOException {
    copy.handle((result, error) -> null).join();
    return ObjectStore.await(copy);
  }

  private void ensureWritable() throws IOException {
    ensureOpen();
    ensureNoPartFailed();
  }

  private void ensureOpen() throws IOException {
    if (state != State.OPEN || abortRequested) {
      throw new IOException(description + ": upload was " + (state == State.COMMITTED ? "already committed" : "aborted"));
    }
  }

  private void ensureNoPartFailed() throws IOException {
    Throwable failed = partFailure.get();
    if (failed != null) {
      throw failure(failed);
    }
  }

  private IOException failure(Throwable failed) {
    Throwable cause = failed.getCause() != null && !(failed instanceof IOException) ? failed.getCause() : failed;
    return new IOException(description + ": " + cause.getMessage(), cause);
  }

  private void startPart() throws IOException {
    if (nextPartNumber > PartSizePolicy.MAX_PARTS) {
      throw new IOException(description + ": file exceeds S3's limit of " + PartSizePolicy.MAX_PARTS + " parts");
    }
    partCapacity = owner.partSizes().sizeOf(nextPartNumber);
    if (partCapacity > owner.budget().capacityBytes()) {
      throw new IOException(description + ": file is too large for the gateway's upload memory budget");
    }
    reservation = owner.budget().reserve(partCapacity, () -> abortRequested);
    partMd5 = newDigest("MD5");
    chunkFill = 0;
    partFill = 0;
  }

  private void startMultipart() throws IOException {
    // Through an interrupt (a cancelled job's worker, a client gone): an upload S3 creates after the
    // waiting thread gave up would be neither journaled nor aborted, an orphan no sweep knows of.
    String started = awaitLanded(owner.store().createMultipartUpload(target, metadata));
    try {
      owner.journal().started(new MultipartUploadInfo(target, started, Instant.now()));
    } catch (IOException e) {
      // Not journaled, it could not be swept if this node died: it does not go on.
      try {
        ObjectStore.await(owner.store().abortMultipartUpload(target, started));
      } catch (IOException abortFailed) {
        e.addSuppressed(abortFailed);
      }
      throw new IOException(description + ": " + e.getMessage(), e);
    }
    uploadId = started;
  }

  /** Hands the filled part to S3; its chunks go back to the budget when S3 has answered. */
  private void sendPart() throws IOException {
    if (uploadId == null) {
      startMultipart();
    }
    acquirePartSlot();
    MemoryBudget.Reservation sent = reservation;
    List<byte[]> sentChunks = chunks;
    ByteBuffer[] body = buffersOf(sentChunks);
    String md5 = Base64.getEncoder().encodeToString(partMd5.digest());
    reservation = null;
    chunks = new ArrayList<>();
    partFill = 0;
    AtomicReference<Throwable> failures = partFailure;
    CompletableFuture<String> etag = owner.store().uploadPart(target, uploadId, nextPartNumber++, body, md5);
    etag.whenComplete((ok, error) -> {
      sent.release(sentChunks);
      partsInFlight.release();
      if (error != null) {
        failures.compareAndSet(null, error);
      }
    });
    partEtags.add(etag);
  }

  /**
   * Asks S3 to refuse this upload's commit where an object is at its key ({@code If-None-Match: *}),
   * {@code present} telling the client; false where it cannot be asked (a copy made inside S3, a
   * store without conditional writes): the caller checks before the commit instead.
   */
  public synchronized boolean commitOnlyIfAbsent(Uploads.WhenPresent present) {
    if (copySource != null || !owner.store().writesOnlyIfAbsent(target)) {
      return false;
    }
    onlyIfAbsent = present;
    return true;
  }

  /** The commit {@code s3}, S3's refusal of a write only-if-absent answered as the client is to hear it. */
  private String refusedIfPresent(CommitOrder.S3Commit s3) throws IOException {
    try {
      return s3.commit();
    } catch (StoreException e) {
      if (onlyIfAbsent != null && e.kind() == StoreException.Kind.PRECONDITION_FAILED) {
        onlyIfAbsent.refuse();
      }
      throw e;
    }
  }

  private void putWhole() throws IOException {
    ByteBuffer[] body = reservation == null ? new ByteBuffer[0] : buffersOf(chunks);
    byte[] md5 = partMd5 == null ? newDigest("MD5").digest() : partMd5.digest();
    try {
      owner.commitOrder().commit(target, Etags.ofSinglePut(md5), facts(), () -> refusedIfPresent(() -> ObjectStore.await(
          owner.store().put(target, body, Base64.getEncoder().encodeToString(md5), metadata, onlyIfAbsent != null))));
    } finally {
      releasePartBuffer();
    }
  }

  private void acquirePartSlot() throws IOException {
    try {
      while (!partsInFlight.tryAcquire(200, TimeUnit.MILLISECONDS)) {
        if (abortRequested) {
          throw new InterruptedIOException(description + ": upload aborted");
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException(description + ": interrupted");
    }
  }

  private List<String> awaitParts() throws IOException {
    List<String> etags = new ArrayList<>(partEtags.size());
    for (CompletableFuture<String> part : partEtags) {
      etags.add(ObjectStore.await(part));
    }
    return etags;
  }

  private ByteBuffer[] buffersOf(List<byte[]> filled) {
    ByteBuffer[] buffers = new ByteBuffer[filled.size()];
    for (int i = 0; i < buffers.length; i++) {
      int length = i == buffers.length - 1 ? chunkFill : MemoryBudget.CHUNK_SIZE;
      buffers[i] = ByteBuffer.wrap(filled.get(i), 0, length);
    }
    return buffers;
  }

  private void releasePartBuffer() {
    if (reservation != null) {
      reservation.release(chunks);
      reservation = null;
      chunks = new ArrayList<>();
    }
  }

  /**
   * Throws away every byte received so far (parts in S3 included) and a copy it was to be, and
   * starts again empty, or with the first {@code keepExisting} bytes of the object at the target,
   * keeping the path lock. For an {@link OffsetWriter} whose client rewrote bytes that were already
   * sent, or changed a file that was to be a copy.
   */
  synchronized void restart(long keepExisting) throws IOException {
    ensureWritable();
    // Routine for a client that rewrites its file (sqlite rewrites its journal's header every
    // transaction): not worth an INFO line that reads like a failure.
    log.debug("{}: sending the file again from the start (bytes already sent were rewritten)", description);
    discard(null);
    partEtags = new ArrayList<>();
    partFailure = new AtomicReference<>();
    objectSha256 = newDigest("SHA-256");
    partMd5 = null;
    chunkFill = 0;
    partFill = 0;
    partCapacity = 0;
    nextPartNumber = 1;
    uploadId = null;
    size = 0;
    copySource = null;
    if (scan != null) {
      scan.restart();
    }
    startWithExisting(keepExisting);
  }

  private void abortNow(String reason) {
    state = State.ABORTED;
    discard(reason);
    whenEnded.ended(UploadOutcome.abandoned(size, reason));
  }

  /** Frees the part buffer and aborts the multipart upload, if one was started; {@code reason} null for a restart. */
  private void discard(String reason) {
    releasePartBuffer();
    if (uploadId == null) {
      if (reason != null) {
        log.info("{}: upload abandoned ({})", description, reason);
      }
      return;
    }
    // The thread that aborts is often one being interrupted (MINA interrupts an SFTP channel's
    // thread when the client disconnects). The clean-up must still reach S3, so the interrupt is
    // held back until it is done, and then restored.
    boolean interrupted = Thread.interrupted();
    try {
      interrupted |= awaitPartsInFlight();
      abortInS3(reason == null ? "rewritten, so sent again from the start" : reason);
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * Parts still in flight hold buffers S3 is reading; waiting for them makes the abort the last
   * word and gives the buffers back to the budget. Returns whether an interrupt arrived meanwhile.
   */
  private boolean awaitPartsInFlight() {
    for (CompletableFuture<String> part : partEtags) {
      try {
        part.get(2, TimeUnit.MINUTES);
      } catch (TimeoutException e) {
        log.warn("{}: a part is still in flight after 2 minutes; aborting anyway", description);
        return false;
      } catch (InterruptedException e) {
        return true;
      } catch (Exception ignoredBecauseAborting) {
        // the upload is being thrown away; the part's own error does not matter any more
      }
    }
    return false;
  }

  /** Aborts the multipart upload, trying twice; what still fails is left to the orphan sweep. */
  private void abortInS3(String reason) {
    IOException failure = null;
    for (int attempt = 1; attempt <= 2; attempt++) {
      try {
        ObjectStore.await(owner.store().abortMultipartUpload(target, uploadId));
        owner.journal().finished(uploadId);
        log.info("{}: upload aborted ({})", description, reason);
        return;
      } catch (IOException e) {
        failure = e;
      }
    }
    log.warn("{}: upload {} could not be aborted now ({}); the orphan sweep will retry",
        description, uploadId, failure.getMessage());
  }

  private void finish() {
    if (scan != null) {
      scan.close();
    }
    lock.close();
    owner.closed(this);
  }

  private static MessageDigest newDigest(String algorithm) {
    try {
      return MessageDigest.getInstance(algorithm);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(algorithm + " is missing from this JVM", e);
    }
  }

  private static String hex(MessageDigest digest) {
    return HexFormat.of().formatHex(digest.digest());
  }

  @Override
  public String toString() {
    return description;
  }
}
