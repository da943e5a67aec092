package dev.ferry.core.event;

import dev.ferry.core.s3.S3Location;
import dev.ferry.core.upload.UploadOutcome;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one stream of what happens in Ferry. Producers (the sessions, the filesystem, ingest, the
 * job engine) publish; subscribers are called in the order they subscribed, on the producer's
 * thread, before the producer goes on: an upload's event has reached every subscriber before the
 * client is told the upload succeeded. So a subscriber must be quick (record, count, hand off to
 * the job engine or a queue of its own) and must not block. One that throws is logged and the
 * others are still called; the producer never sees the failure.
 */
public final class EventBus {

  private static final Logger log = LoggerFactory.getLogger(EventBus.class);

  private record Subscriber(String name, Consumer<? super FerryEvent> listener) {}

  /** A subscription; closing it stops the calls. */
  public interface Subscription extends AutoCloseable {
    @Override
    void close();
  }

  private final List<Subscriber> subscribers = new CopyOnWriteArrayList<>();
  private final Clock clock;

  public EventBus(Clock clock) {
    this.clock = clock;
  }

  /**
   * Calls {@code listener} with every event published from now on, until the returned handle is
   * closed. {@code name} names the subscriber in the log when it fails.
   */
  public Subscription subscribe(String name, Consumer<? super FerryEvent> listener) {
    Subscriber subscriber = new Subscriber(name, listener);
    subscribers.add(subscriber);
    return () -> subscribers.remove(subscriber);
  }

  public void publish(FerryEvent event) {
    for (Subscriber subscriber : subscribers) {
      try {
        subscriber.listener().accept(event);
      } catch (RuntimeException e) {
        log.warn("event subscriber '{}' failed on {}: {}", subscriber.name(), event, e.toString(), e);
      }
    }
  }

  public void session(SessionEvent.Type type, SessionInfo session, String detail) {
    publish(new SessionEvent(newId(), clock.instant(), type, session, detail));
  }

  public void file(FileEvent.Type type, Origin origin, String path, S3Location object) {
    file(type, origin, path, object, null);
  }

  /** {@code detail}: what an open was for, why an operation was refused. */
  public void file(FileEvent.Type type, Origin origin, String path, S3Location object, String detail) {
    publish(new FileEvent(newId(), clock.instant(), type, origin, path, object, null, null, 0, null, detail, null));
  }

  /**
   * An upload's end: UPLOADED when it committed, REJECTED (with why) when its content was refused,
   * PARTIAL_UPLOAD (with why) when it was abandoned otherwise.
   */
  public void uploadEnded(Origin origin, String path, S3Location object, UploadOutcome outcome) {
    uploadEnded(origin, path, object, outcome, null);
  }

  /** An upload's end, {@code opened} when it began (null: not known). */
  public void uploadEnded(Origin origin, String path, S3Location object, UploadOutcome outcome, Instant opened) {
    Instant now = clock.instant();
    Duration took = opened == null ? null : Duration.between(opened, now);
    publish(outcome.committed()
        ? new FileEvent(newId(), now, FileEvent.Type.UPLOADED, origin, path, object, null, null,
            outcome.size(), outcome.sha256(), null, took)
        : new FileEvent(newId(), now, outcome.rejected() ? FileEvent.Type.REJECTED : FileEvent.Type.PARTIAL_UPLOAD,
            origin, path, object, null, null, outcome.size(), null, outcome.reason(), took));
  }

  /** A client's read ended: {@code bytes} sent of the file's {@code size}, since {@code opened}. */
  public void downloadEnded(Origin origin, String path, S3Location object, long bytes, long size, Instant opened) {
    Instant now = clock.instant();
    publish(new FileEvent(newId(), now, FileEvent.Type.DOWNLOADED, origin, path, object, null, null, bytes, null,
        bytes < size ? "read " + bytes + " of " + size + " bytes" : null, Duration.between(opened, now)));
  }

  public void rename(Origin origin, String fromPath, S3Location fromObject, String path, S3Location object) {
    publish(new FileEvent(newId(), clock.instant(), FileEvent.Type.RENAMED, origin, path, object, fromPath,
        fromObject, 0, null, null, null));
  }

  /** A copy made inside S3 by Ferry itself (no client path). */
  public void copied(Origin origin, S3Location fromObject, S3Location object) {
    publish(new FileEvent(newId(), clock.instant(), FileEvent.Type.COPIED, origin, null, object, null, fromObject,
        0, null, null, null));
  }

  public void job(String jobId, String kind, String state, String error, long bytes, String detail) {
    publish(new JobEvent(newId(), clock.instant(), jobId, kind, state, error, bytes, detail));
  }

  public void account(AccountEvent.Type type, String user, String by, String detail) {
    publish(new AccountEvent(newId(), clock.instant(), type, user, by, detail));
  }

  private static String newId() {
    return UUID.randomUUID().toString();
  }
}
