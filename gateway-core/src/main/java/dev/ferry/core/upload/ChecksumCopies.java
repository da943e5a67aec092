package dev.ferry.core.upload;

import dev.ferry.core.download.SameBytesRewrites;
import dev.ferry.core.store.ObjectStore;
import dev.ferry.core.store.S3Location;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records the SHA-256 of multipart uploads in their metadata, and runs clients' time changes. S3 takes an object's metadata when
 * its upload starts, but the hash of a streamed object is known only at its end, so the object is
 * copied onto itself with the hash added, inside S3, and only if it is still the object just
 * written (ETag match): the client is not kept waiting and a newer upload is never overwritten.
 *
 * <p>The copy starts a moment after the upload ({@link #GRACE}). Clients that set the file's time
 * right after uploading it (rclone's setstat, lftp's and FileZilla's MFMT) need a copy of their own
 * for it; one that comes within the grace {@linkplain #claim claims} the checksum copy and makes a
 * single copy carry both, instead of two full copies of the object in a row. That copy runs in the
 * background as the checksum copy would have, and until it ends the time it carries is the one
 * {@link #pendingTime} gives for the version it copies, so stat and listings show it at once.
 *
 * <p>A time change is a copy too, and also runs in the background: the client's reply does not wait
 * for a full copy of the object inside S3 (lftp's mirror sends MFMT after every file). Every such
 * copy onto itself keeps the bytes but may change the ETag (that of a multipart object always
 * does): downloads pinned to the version before follow it.
 */
public final class ChecksumCopies implements SameBytesRewrites {

  private static final Logger log = LoggerFactory.getLogger(ChecksumCopies.class);
  /** Bounds {@link #copies}: finished entries beyond this many are dropped. */
  private static final int REMEMBERED = 10_000;
  /** Longer than a client takes to send its time after the upload's reply, even over a slow link. */
  private static final Duration GRACE = Duration.ofSeconds(1);

  private final ObjectStore store;
  /** The latest checksum copy per object: the one a time change may claim, and changes wait for. */
  private final Map<S3Location, Copy> copies = new ConcurrentHashMap<>();
  /** Every same-bytes copy by the version it replaced, so a download pinned to it can follow it. */
  private final Map<Version, CompletableFuture<String>> rewrites = new ConcurrentHashMap<>();

  private record Version(S3Location target, String etag) {}

  ChecksumCopies(ObjectStore store) {
    this.store = store;
  }

  /**
   * A metadata change that took over a checksum copy: it carries the hash, and it must end in
   * exactly one of {@link #copiedBy} or {@link #giveBack}.
   */
  public interface Claim {
    /** The version of the object the hash is of. */
    String etag();

    /** The metadata the checksum copy would have added (the SHA-256). */
    Map<String, String> metadata();

    /**
     * The change's own copy of the object onto itself, which now stands for the checksum copy and
     * sets the modification time to {@code time}.
     */
    void copiedBy(CompletableFuture<String> copy, Instant time);

    /** The change did not copy this version (it failed first, or found another): the copy runs after all. */
    void giveBack();
  }

  private final class Copy implements Claim {
    final S3Location target;
    final String sourceEtag;
    final long size;
    final Map<String, String> metadata;
    final CompletableFuture<String> copiedEtag = new CompletableFuture<>();
    final AtomicBoolean taken = new AtomicBoolean();
    volatile Instant time;
    /** When the copy succeeded (System.nanoTime), set before {@link #copiedEtag} completes. */
    volatile long succeededAt;

    Copy(S3Location target, String sourceEtag, long size, Map<String, String> metadata) {
      this.target = target;
      this.sourceEtag = sourceEtag;
      this.size = size;
      this.metadata = Map.copyOf(metadata);
    }

    void startUnlessTaken() {
      if (taken.compareAndSet(false, true)) {
        completeWith(store.copy(target, target, size, metadata, sourceEtag));
      }
    }

    @Override
    public String etag() {
      return sourceEtag;
    }

    @Override
    public Map<String, String> metadata() {
      return metadata;
    }

    @Override
    public void giveBack() {
      completeWith(store.copy(target, target, size, metadata, sourceEtag));
    }

    @Override
    public void copiedBy(CompletableFuture<String> copy, Instant time) {
      this.time = time;
      completeWith(copy);
    }

    private void completeWith(CompletableFuture<String> copy) {
      copy.whenComplete((etag, error) -> {
        if (error != null) {
          log.warn("could not record {} of {}: {}", time == null ? "the SHA-256" : "the modification time " + time,
              target, error.getMessage());
          copiedEtag.completeExceptionally(error);
        } else {
          succeededAt = System.nanoTime();
          copiedEtag.complete(etag);
        }
      });
    }
  }

  void record(S3Location target, String etag, long size, Map<String, String> metadata) {
    if (copies.size() >= REMEMBERED) {
      copies.values().removeIf(c -> c.copiedEtag.isDone());
    }
    Copy copy = new Copy(target, etag, size, metadata);
    copies.put(target, copy);
    sameBytes(target, etag, copy.copiedEtag);
    CompletableFuture.runAsync(copy::startUnlessTaken,
        CompletableFuture.delayedExecutor(GRACE.toMillis(), TimeUnit.MILLISECONDS));
  }

  /**
   * Notes a time change running in the background: {@code copy} sets {@code time} on version
   * {@code etag} of {@code target}. Until it ends, {@link #pendingTime} gives the time, changes of
   * the path wait for it, and downloads of that version follow it.
   */
  public void timeChange(S3Location target, String etag, long size, CompletableFuture<String> copy, Instant time) {
    Copy change = new Copy(target, etag, size, Map.of());
    change.taken.set(true);
    copies.put(target, change);
    sameBytes(target, etag, change.copiedEtag);
    change.copiedBy(copy, time);
  }

  /**
   * Notes that {@code copy} replaces version {@code etag} of {@code target} with the same bytes
   * (a checksum or a time change), for downloads pinned to that version to follow.
   */
  void sameBytes(S3Location target, String etag, CompletableFuture<String> copy) {
    if (rewrites.size() >= REMEMBERED) {
      rewrites.values().removeIf(CompletableFuture::isDone);
    }
    rewrites.put(new Version(target, etag), copy);
  }

  /** The SHA-256 that the checksum copy of version {@code etag} of {@code target} records, while it is remembered. */
  Optional<String> sha256Of(S3Location target, String etag) {
    Copy copy = copies.get(target);
    return copy != null && copy.sourceEtag.equals(etag)
        ? Optional.ofNullable(copy.metadata.get(StreamingUpload.SHA256_METADATA))
        : Optional.empty();
  }

  /**
   * The same-bytes copy that replaced version {@code etag} of {@code target}, if there is one: it
   * completes with the new version's ETag. A download pinned to {@code etag} follows it instead of
   * failing as if the file had been overwritten.
   */
  @Override
  public Optional<CompletableFuture<String>> of(S3Location target, String etag) {
    return Optional.ofNullable(rewrites.get(new Version(target, etag)));
  }

  /**
   * The time a copy of version {@code etag} of {@code target} sets, for a HEAD sent at
   * {@code headSentAt} (System.nanoTime) that found that version: while the copy runs S3 shows the
   * version without the time, and a HEAD sent before the copy ended may have seen it so even if
   * the copy has ended since (a client's MDTM right after its MFMT raced the copy this way).
   */
  public Optional<Instant> pendingTime(S3Location target, String etag, long headSentAt) {
    Copy copy = copies.get(target);
    if (copy == null || copy.time == null || !copy.sourceEtag.equals(etag)) {
      return Optional.empty();
    }
    CompletableFuture<String> copied = copy.copiedEtag;
    boolean headMaySeeTheVersionBefore = !copied.isDone()
        || !copied.isCompletedExceptionally() && copy.succeededAt - headSentAt >= 0;
    return headMaySeeTheVersionBefore ? Optional.of(copy.time) : Optional.empty();
  }

  /**
   * Takes over the checksum copy of {@code target} if it has not started, for a caller that holds
   * the path's lock and is about to copy the object onto itself with other metadata.
   */
  public Optional<Claim> claim(S3Location target) {
    Copy copy = copies.get(target);
    return copy != null && copy.taken.compareAndSet(false, true) ? Optional.of(copy) : Optional.empty();
  }

  /**
   * Starts at once and waits for the copies of {@code location}: the object, or every object under
   * it when it is a prefix (ends with "/"). Anything that changes an object waits so (the path
   * locks call this): a copy onto itself writes the object again, and ending after a later change
   * it would fail that change's own copy, or be failed by it and lose what it records, or bring
   * back a renamed or deleted file. A failed copy was logged and does not fail the caller.
   */
  public void await(S3Location location) throws IOException {
    List<Copy> matching = location.key().endsWith("/")
        ? copies.values().stream().filter(c -> c.target.bucket().equals(location.bucket())
            && c.target.key().startsWith(location.key())).toList()
        : Optional.ofNullable(copies.get(location)).stream().toList();
    for (Copy copy : matching) {
      copy.startUnlessTaken();
      ObjectStore.await(copy.copiedEtag.handle((etag, error) -> etag));
    }
  }

  /**
   * Starts every waiting copy and waits for all of them, each up to {@code timeout} (shutdown and
   * tests); one that does not finish in time is logged.
   */
  void awaitAll(Duration timeout) {
    for (Copy copy : List.copyOf(copies.values())) {
      copy.startUnlessTaken();
      try {
        copy.copiedEtag.handle((etag, error) -> null).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (ExecutionException | TimeoutException e) {
        log.warn("the copy of {} onto itself (SHA-256 or time) did not finish in {}: {}", copy.target, timeout,
            e.toString());
      }
    }
  }
}
