package dev.ferry.core.upload;

import dev.ferry.core.bandwidth.Throttle;
import dev.ferry.core.scan.ContentRefusedException;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A file written at offsets (every SFTP write carries one) turned into the in-order byte stream an
 * upload needs. Clients pipeline writes and some send them out of order, a few seek back and
 * rewrite; whatever they do, the object committed holds exactly the bytes written at those
 * offsets, with never-written holes read as the replaced file's bytes (a file opened without
 * truncation) or zeros, as on a disk.
 *
 * <ul>
 *   <li>Writes at the frontier (the end of what was streamed) go straight to the {@link Sink}.
 *   <li>Writes ahead of it are held until the frontier reaches them: in the spill file while there
 *       is one (it has every byte already), else in memory within the reorder window, from the
 *       session's {@link ReorderMemory}.
 *   <li>While the file is at most {@code spillLimit} bytes, every byte is also kept in a sparse
 *       spill file in the data directory (page cache, deleted at the end). That copy is what lets
 *       a client rewrite bytes already sent to S3: the upload is then restarted at commit from the
 *       spill file. Beyond the limit the copy is dropped; from then on writes more than the window
 *       ahead, and rewrites, fail with a clear error instead of being stored wrong.
 *   <li>Every byte the spill file holds is counted first against the node's spill space
 *       ({@link SpillShare}): a write that needs the file waits for room and then fails naming the
 *       limit; a file written in order whose copy finds no room drops the copy instead.
 * </ul>
 *
 * <p>Like {@link StreamingUpload}, nothing is visible before {@link #commit()}, and
 * {@link #close()} never commits.
 *
 * <p>Over 500 lines, and one concept: where each offset's byte is. The writes held in memory
 * ({@link HeldWrites}) and the spill copy ({@link SpillFile}) are classes of their own; what stays
 * here (the frontier, a resume's base, truncation, holes, a copy made inside S3, reading back what
 * was written) decides from the same few positions under one lock, and each of a write, a
 * truncate, a read and the commit consults all of them.
 */
public final class OffsetWriter implements AutoCloseable {

  /** Where the in-order bytes go: a {@link StreamingUpload} in the gateway, memory in unit tests. */
  public interface Sink {
    /**
     * Starts the new file with the first {@code keepExisting} bytes of the file it replaces. Called
     * once before the first byte, and again to throw away everything written and start over.
     */
    void start(long keepExisting) throws IOException;

    /**
     * Starts the new file as a copy of the whole {@code source}, made inside S3 at commit. Returns
     * false, starting nothing, when the source's SHA-256 is not known: every file the gateway
     * stores carries one, and only bytes passing through could be hashed. A later {@link #start}
     * drops the copy.
     */
    boolean startAsCopyOf(CopySource source) throws IOException;

    void write(byte[] bytes, int offset, int length) throws IOException;

    void setClientTime(Instant time);

    long commit() throws IOException;

    /** The SHA-256 (hex) of the committed file's bytes; null before the commit or when S3 copied them. */
    String sha256();

    /** Abandons the file; safe from any thread, also before {@link #start}. */
    void abort(String reason);
  }

  /** A file's bytes from an offset: the file being replaced, read for holes the client never wrote. */
  public interface Existing {
    InputStream readFrom(long offset) throws IOException;
  }

  /**
   * Tuning: the reorder window, the largest file kept in the spill file, where it goes, and how
   * long a write held out of order waits for memory before it fails.
   */
  public record Settings(long window, long spillLimit, Path spillDirectory, java.time.Duration memoryWait) {}

  /** Paces the client's writes (a bandwidth limit); none unless the session sets one. */
  private volatile Throttle pace = Throttle.NONE;

  private enum State { OPEN, COMMITTED, ABORTED }

  /** How many bytes one step of a copy moves: holes filled, spill replays, copy sources passed through. */
  static final int COPY_BUFFER = 256 * 1024;

  private final Sink sink;
  private final Existing existing;
  private final SpillShare spillShare;
  private final Settings settings;
  private final String description;
  /** Size of the file being replaced (0 when it was truncated or is new). */
  private final long existingSize;

  /** Holes below this read the replaced file's bytes; a truncate lowers it. */
  private long existingLimit;
  private boolean started;
  /** First offset the client writes; below it the file was kept server-side (resume). */
  private long base;
  /** Everything below this offset went to the sink. */
  private long frontier;
  /** Written under this object's lock; {@link #sizeNow} reads it without (a write may be waiting for memory). */
  private volatile long size;
  /** Held ahead of the frontier in memory. */
  private final HeldWrites held;
  /** The copy of the bytes written, valid while {@code teeing}. */
  private final SpillFile spill;
  private boolean teeing;
  /** The sink holds stale bytes: the whole file is sent again from the spill file at commit. */
  private boolean rewritten;
  /** The time the client set on the file, or null: once set, the object must be written even if untouched. */
  private Instant clientTime;
  /** Set while the file is a copy to be made inside S3 ({@link #startAsCopyOf}): its source. */
  private CopySource pendingCopy;
  /** Opened for reading too: a write at the end of the replaced file is no resume (see {@link #openForReading}). */
  private boolean forReading;
  /** The replaced file's blocks that {@link #read} fetched, or null before its first read of them. */
  private ExistingBlocks existingBlocks;
  /** Written under this object's lock; {@link #isOpenNow} reads it without. */
  private volatile State state = State.OPEN;
  private final EndListener whenEnded = new EndListener();

  OffsetWriter(Sink sink, Existing existing, long existingSize, ReorderMemory memory, SpillShare spillShare,
      Settings settings, String description) {
    this.spillShare = spillShare;
    this.sink = sink;
    this.existing = existing;
    this.existingSize = existingSize;
    this.existingLimit = existingSize;
    this.size = existingSize;
    this.held = new HeldWrites(memory, description);
    this.spill = new SpillFile(spillShare, settings.spillDirectory(), description);
    this.settings = settings;
    this.description = description;
    this.teeing = settings.spillLimit() > 0;
  }

  /** The file's size as the client sees it: its furthest write, or what a truncate set. */
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

  public synchronized boolean isOpen() {
    return state == State.OPEN;
  }

  /** Whether it is open, without waiting for a write or a commit in progress: for showing progress. */
  public boolean isOpenNow() {
    return state == State.OPEN;
  }

  /** Paces the client's writes from here on (its bandwidth limit), as {@link StreamingUpload#pacedBy}. */
  public void pacedBy(Throttle pace) {
    this.pace = pace;
  }

  /**
   * Writes {@code length} bytes at file offset {@code position}, once the writer's pace lets them
   * go. A write that fails ends the upload: a later commit fails too rather than store a file with
   * a piece missing.
   */
  public void write(long position, byte[] bytes, int offset, int length) throws IOException {
    try {
      pace.pass(length);
    } catch (IOException e) {
      // A write held back for good (a quota, an interrupt) is a piece missing: the file is not kept.
      abort(e.getMessage());
      throw e;
    }
    take(position, bytes, offset, length);
  }

  private synchronized void take(long position, byte[] bytes, int offset, int length) throws IOException {
    ensureOpen();
    try {
      if (position < 0) {
        throw new IOException(description + ": negative offset " + position);
      }
      if (pendingCopy != null && length > 0) {
        requireChangeableCopy(position);
        copyThroughInstead(size);
      }
      writeAt(position, bytes, offset, length);
    } catch (IOException | RuntimeException e) {
      abortNow(e.getMessage());
      cleanUp();
      throw e;
    }
  }

  private void writeAt(long position, byte[] bytes, int offset, int length) throws IOException {
    if (length == 0) {
      return;
    }
    long end = position + length;
    if (!started) {
      // Writing on at the end of a file opened without truncation is a resume: its bytes stay
      // in S3 and are copied there, never sent again. After a truncate they are not the file's.
      start(untruncated() && position == existingSize && !forReading ? existingSize : 0);
    }
    if (position < base) {
      throw new IOException(description + ": write at offset " + position + " changes the first " + base
          + " bytes, which this upload resumed from (kept in S3); rewrite the file from the start instead");
    }
    makeRoomInSpill(end);
    size = Math.max(size, end);
    if (rewritten) {
      spill.write(position, bytes, offset, length, false);
      return;
    }
    if (position == frontier) {
      if (teeing && !spill.write(position, bytes, offset, length, !dependsOnSpill())) {
        stopTeeing(); // no room for the copy: the file is uploaded the same, only not rewritable
      }
      sink.write(bytes, offset, length);
      frontier = end;
      drain();
      return;
    }
    if (position > frontier) {
      held.drop(position, end);
      if (teeing) {
        // The spill file has these bytes: a copy in memory too would only be memory a client with
        // many handles writing ahead could pile up (issue 15: 60 handles took 1.3 GiB).
        spill.write(position, bytes, offset, length, false);
        return;
      }
      if (end - frontier > settings.window()) {
        throw new IOException(description + ": write at offset " + position + " is more than the reorder window ("
            + settings.window() + " bytes, uploads.reorderWindow) ahead of the contiguous data (" + frontier
            + " bytes), and the file is larger than the spill limit (" + settings.spillLimit()
            + " bytes, uploads.spillLimit); write it in order");
      }
      held.hold(position, bytes, offset, length);
      return;
    }
    if (!teeing) {
      throw new IOException(description + ": write at offset " + position + " rewrites bytes already uploaded, "
          + "and the file is larger than the spill limit (" + settings.spillLimit() + " bytes) up to which "
          + "rewrites are possible");
    }
    spill.write(position, bytes, offset, length, false);
    rewritten = true;
    held.clear();
  }

  /**
   * Marks the file as open for reading as well, before its first write. A write at the end of the
   * replaced file then starts a new file rather than resuming the old one in S3: the first bytes of
   * a resume can no longer change, and a program that reads and writes its file (sqlite appends
   * pages, then rewrites its header at offset 0) changes them all the time.
   */
  public synchronized void openForReading() {
    forReading = true;
  }

  /**
   * Reads what the file holds now at {@code position}, as a disk answers a handle opened for
   * reading and writing: the bytes written there, else the replaced file's, else zeros (a hole).
   * Returns -1 at the end of the file. Bytes this upload already sent to S3 without keeping a spill
   * copy (the file grew past {@code uploads.spillLimit}) are held nowhere any more: reading them
   * fails, naming the limit.
   */
  public synchronized int read(long position, byte[] bytes, int offset, int length) throws IOException {
    ensureOpen();
    if (position < 0) {
      throw new IOException(description + ": read at negative offset " + position);
    }
    if (position >= size) {
      return -1;
    }
    int wanted = (int) Math.min(length, size - position);
    int done = 0;
    while (done < wanted) {
      done += readSpan(position + done, bytes, offset + done, wanted - done);
    }
    return done;
  }

  /** Reads from the one place that holds {@code position}'s byte: at least one byte, up to where that changes. */
  private int readSpan(long position, byte[] bytes, int offset, int length) throws IOException {
    if (pendingCopy != null) {
      try (InputStream in = pendingCopy.bytes().readFrom(position)) {
        int n = in.readNBytes(bytes, offset, length);
        if (n == 0) {
          throw new EOFException(description + ": copy source " + pendingCopy.name() + " ended at offset " + position);
        }
        return n;
      }
    }
    Map.Entry<Long, byte[]> write = held.startingAtOrBefore(position);
    if (write != null && write.getKey() + write.getValue().length > position) {
      int from = (int) (position - write.getKey());
      int n = Math.min(length, write.getValue().length - from);
      System.arraycopy(write.getValue(), from, bytes, offset, n);
      return n;
    }
    long end = position + length;
    Long nextHeld = held.nextStart(position);
    if (nextHeld != null) {
      end = Math.min(end, nextHeld);
    }
    if (started && position >= base) {
      if (teeing) {
        long inSpill = spill.heldUntil(position);
        if (inSpill > position) {
          int n = (int) (Math.min(end, inSpill) - position);
          spill.read(position, bytes, offset, n);
          return n;
        }
        Long nextInFile = spill.nextStart(position);
        if (nextInFile != null) {
          end = Math.min(end, nextInFile);
        }
      } else if (position < frontier) {
        throw new IOException(description + ": read at offset " + position + " of bytes written since the open, which "
            + "went to S3 without a spill copy: the file is larger than the spill limit (" + settings.spillLimit()
            + " bytes, uploads.spillLimit) up to which a file open for writing can be read back");
      }
    }
    if (position < existingLimit) {
      if (existingBlocks == null) {
        existingBlocks = new ExistingBlocks(existing, existingSize, spillShare, settings.spillDirectory(), description);
      }
      return existingBlocks.read(position, bytes, offset, (int) (Math.min(end, existingLimit) - position));
    }
    int n = (int) (end - position);
    Arrays.fill(bytes, offset, offset + n, (byte) 0);
    return n;
  }

  /**
   * Makes the file, still empty, a copy of the whole {@code source}, made inside S3 when the file is
   * committed (SFTP copy-data, OpenSSH's {@code sftp cp}), so that no byte of it passes through the
   * gateway. Should the client change the file before that (a write, a truncate), the copy is
   * dropped and the source's bytes pass through here after all, as a byte-by-byte copy's would:
   * hashed, and kept for rewrites. Returns false, changing nothing, when the file already has bytes
   * or a size, or when the sink declines (the source's SHA-256 is not known): the caller then
   * copies byte by byte.
   */
  public synchronized boolean startAsCopyOf(CopySource source) throws IOException {
    ensureOpen();
    if (started || size != 0) {
      return false;
    }
    try {
      if (!sink.startAsCopyOf(source)) {
        return false;
      }
    } catch (IOException | RuntimeException e) {
      abortNow(e.getMessage());
      cleanUp();
      throw e;
    }
    started = true;
    pendingCopy = source;
    frontier = source.version().size();
    size = frontier;
    return true;
  }

  /**
   * A write at {@code position} into a file that is to be a copy: within the copy it is a rewrite,
   * possible only up to the spill limit. Checked before any byte moves: streamed first, the copy
   * would be in S3 before the write failed.
   */
  private void requireChangeableCopy(long position) throws IOException {
    if (position < size && size > settings.spillLimit()) {
      throw new IOException(description + ": write at offset " + position + " changes the copy of "
          + pendingCopy.name() + " (" + size + " bytes) made in this upload, which is larger than the spill limit ("
          + settings.spillLimit() + " bytes) up to which bytes already sent can be rewritten");
    }
  }

  /**
   * The client changes a file that was to be a copy made inside S3: the copy is dropped, and its
   * first {@code length} bytes pass through here instead, as a byte-by-byte copy's would have.
   */
  private void copyThroughInstead(long length) throws IOException {
    CopySource source = pendingCopy;
    pendingCopy = null;
    sink.start(0);
    frontier = 0;
    size = 0;
    byte[] buffer = new byte[COPY_BUFFER];
    try (InputStream in = source.bytes().readFrom(0)) {
      for (long at = 0; at < length; ) {
        int n = in.read(buffer, 0, (int) Math.min(buffer.length, length - at));
        if (n < 0) {
          throw new EOFException(description + ": copy source " + source.name() + " ended at byte " + at
              + " of the " + length + " it had when opened");
        }
        writeAt(at, buffer, 0, n);
        at += n;
      }
    }
  }

  /**
   * Sets the file's size: a shorter size drops what lies beyond it, a longer one adds a hole.
   * OpenSSH's scp truncates to the size it wrote after every upload; that is always possible.
   */
  public synchronized void truncate(long newSize) throws IOException {
    ensureOpen();
    try {
      if (pendingCopy != null && newSize != size) {
        copyThroughInstead(Math.min(size, newSize));
      }
      truncateTo(newSize);
    } catch (IOException | RuntimeException e) {
      abortNow(e.getMessage());
      cleanUp();
      throw e;
    }
  }

  private void truncateTo(long newSize) throws IOException {
    if (newSize < 0) {
      throw new IOException(description + ": negative size " + newSize);
    }
    if (newSize >= size) {
      size = newSize;
      return;
    }
    existingLimit = Math.min(existingLimit, newSize);
    size = newSize;
    if (!started) {
      return;
    }
    if (newSize < base) {
      throw new IOException(description + ": cannot shrink to " + newSize + " bytes, below the " + base
          + " bytes this upload resumed from");
    }
    held.drop(newSize, Long.MAX_VALUE);
    if (teeing) {
      spill.truncate(newSize);
    }
    if (newSize < frontier) {
      if (!teeing) {
        throw new IOException(description + ": cannot shrink to " + newSize + " bytes: " + frontier
            + " bytes were uploaded already and the file is larger than the spill limit");
      }
      rewritten = true;
      held.clear();
    }
  }

  /** Sets the modification time the file gets at commit. */
  public synchronized void setClientTime(Instant time) {
    clientTime = time;
    sink.setClientTime(time);
  }

  /** The modification time the client set on the open file, if it set one: what a stat shows until the commit. */
  public synchronized Optional<Instant> clientTime() {
    return Optional.ofNullable(clientTime);
  }

  /**
   * Sends what is still held, fills holes, and makes the file visible; returns its size. On
   * failure nothing becomes visible and the exception says why.
   */
  public synchronized long commit() throws IOException {
    ensureOpen();
    try {
      if (!started && untruncated() && size == existingSize && clientTime == null) {
        // Opened for writing and closed untouched: the object stays as it is, not copied anew.
        sink.abort("nothing was written; the file is unchanged");
        state = State.COMMITTED;
        return existingSize;
      }
      if (!started) {
        // Nothing written: a file whose time changed is copied server-side with it, a
        // truncated one rebuilt from what is left of it.
        start(untruncated() && size == existingSize ? existingSize : 0);
      }
      if (rewritten) {
        sink.start(base);
        frontier = base;
        replayFromSpill();
      } else {
        while (frontier < size) {
          drain();
          if (frontier < size) {
            fillHole(frontier, Math.min(nextHeldOffset(), size));
          }
        }
      }
      long committed = sink.commit();
      state = State.COMMITTED;
      whenEnded.ended(UploadOutcome.committed(committed, sink.sha256()));
      return committed;
    } catch (ContentRefusedException e) {
      sink.abort(e.getMessage());
      state = State.ABORTED;
      whenEnded.ended(UploadOutcome.rejected(size, e.getMessage()));
      throw e;
    } catch (IOException | RuntimeException e) {
      abortNow(e.getMessage());
      throw e;
    } finally {
      cleanUp();
    }
  }

  /** Abandons the file: nothing becomes visible. Safe from any thread and more than once. */
  public void abort(String reason) {
    // The sink first and unsynchronized: it stops a writer blocked in the sink (on memory).
    sink.abort(reason);
    synchronized (this) {
      if (state == State.OPEN) {
        state = State.ABORTED;
        cleanUp();
        whenEnded.ended(UploadOutcome.abandoned(size, reason));
      }
    }
  }

  /** Never commits: a file closed without an explicit commit was not transferred completely. */
  @Override
  public void close() {
    abort("closed before the transfer completed");
  }

  private boolean untruncated() {
    return existingSize > 0 && existingLimit == existingSize;
  }

  private void start(long keepExisting) throws IOException {
    sink.start(keepExisting);
    started = true;
    base = keepExisting;
    spill.startAt(base);
    frontier = keepExisting;
  }

  /** Moves the frontier over everything now contiguous, from memory or from the spill file. */
  private void drain() throws IOException {
    while (true) {
      Map.Entry<Long, byte[]> write = held.takeStartingAtOrBefore(frontier);
      if (write != null) {
        long start = write.getKey();
        byte[] bytes = write.getValue();
        long end = start + bytes.length;
        if (end > frontier) {
          int skip = (int) (frontier - start);
          sink.write(bytes, skip, bytes.length - skip);
          frontier = end;
        }
        continue;
      }
      long inSpill = teeing ? spill.heldUntil(frontier) : frontier;
      if (inSpill > frontier) {
        long end = inSpill;
        Long next = held.nextStart(frontier);
        if (next != null) {
          end = Math.min(end, next);
        }
        spill.copyTo(sink, frontier, end);
        frontier = end;
        continue;
      }
      return;
    }
  }

  /** The next offset at or after the frontier that holds written bytes, or the file's size. */
  private long nextHeldOffset() {
    long next = size;
    Long inMemory = held.nextStart(frontier);
    if (inMemory != null) {
      next = Math.min(next, inMemory);
    }
    if (teeing) {
      Long fromFile = spill.nextStart(frontier);
      if (fromFile != null) {
        next = Math.min(next, fromFile);
      }
    }
    return next;
  }

  /** Sends [from, to) as the client never wrote it: the replaced file's bytes, then zeros. */
  private void fillHole(long from, long to) throws IOException {
    long fromExisting = Math.min(to, existingLimit);
    if (from < fromExisting) {
      try (InputStream old = existing.readFrom(from)) {
        byte[] buffer = new byte[(int) Math.min(COPY_BUFFER, fromExisting - from)];
        long remaining = fromExisting - from;
        while (remaining > 0) {
          int n = old.read(buffer, 0, (int) Math.min(buffer.length, remaining));
          if (n < 0) {
            throw new IOException(description + ": the file being replaced ended early at offset "
                + (fromExisting - remaining));
          }
          sink.write(buffer, 0, n);
          remaining -= n;
        }
      }
      frontier = fromExisting;
      from = fromExisting;
    }
    byte[] zeros = new byte[(int) Math.min(COPY_BUFFER, Math.max(0, to - from))];
    while (from < to) {
      int n = (int) Math.min(zeros.length, to - from);
      sink.write(zeros, 0, n);
      from += n;
    }
    frontier = to;
  }

  private void replayFromSpill() throws IOException {
    while (frontier < size) {
      long inSpill = spill.heldUntil(frontier);
      if (inSpill > frontier) {
        long end = Math.min(inSpill, size);
        spill.copyTo(sink, frontier, end);
        frontier = end;
      } else {
        Long next = spill.nextStart(frontier);
        fillHole(frontier, next == null ? size : Math.min(next, size));
      }
    }
  }

  /** Keeps the spill copy within its limit, dropping it where nothing depends on it yet. */
  private void makeRoomInSpill(long end) throws IOException {
    if (!teeing || end - base <= settings.spillLimit()) {
      return;
    }
    if (dependsOnSpill()) {
      throw new IOException(description + ": this file is written out of order or rewritten and is larger than "
          + "the spill limit (" + settings.spillLimit() + " bytes; uploads.spillLimit)");
    }
    stopTeeing();
  }

  /** Whether bytes only the spill file has are still needed: held ahead of the frontier, or a rewrite. */
  private boolean dependsOnSpill() {
    return rewritten || spill.nextStart(frontier) != null || spill.heldUntil(frontier) > frontier;
  }

  /** Drops the spill copy of a file whose bytes all went to the sink: it can no longer be rewritten. */
  private void stopTeeing() {
    teeing = false;
    spill.close();
  }

  private void ensureOpen() throws IOException {
    if (state != State.OPEN) {
      throw new IOException(description + ": upload is " + (state == State.COMMITTED ? "already committed" : "aborted"));
    }
  }

  private void abortNow(String reason) {
    sink.abort(reason);
    state = State.ABORTED;
    whenEnded.ended(UploadOutcome.abandoned(size, reason));
  }

  /**
   * Calls {@code listener} once, when the file is committed or abandoned, before {@link #commit}
   * returns; not for a file closed untouched, which stays as it was.
   */
  public synchronized void whenEnded(Consumer<UploadOutcome> listener) {
    whenEnded.add(listener);
  }

  private void cleanUp() {
    held.clear();
    spill.close();
    if (existingBlocks != null) {
      existingBlocks.close();
      existingBlocks = null;
    }
  }

  @Override
  public String toString() {
    return description;
  }
}
