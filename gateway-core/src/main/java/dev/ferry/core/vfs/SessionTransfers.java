package dev.ferry.core.vfs;

import dev.ferry.core.event.EventBus;
import dev.ferry.core.event.FileEvent;
import dev.ferry.core.path.VirtualPath;
import dev.ferry.core.s3.S3Location;
import dev.ferry.core.session.LiveTransfers;
import dev.ferry.core.session.SessionSlots;
import dev.ferry.core.upload.OffsetWriter;
import dev.ferry.core.upload.UploadOutcome;
import java.time.Clock;
import java.time.Instant;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * A session's open files, kept with every other session's of this node in {@link LiveTransfers},
 * and the events of their opening and their end.
 */
final class SessionTransfers {

  /** What the node's registry knows this session's files by: its {@link GatewayFileSystem}. */
  private final Object owner;
  private final SessionUser user;
  /** Where this session's open files are kept, with every other session's of this node. */
  private final LiveTransfers transfers;
  private final EventBus events;
  private final Clock clock;

  SessionTransfers(Object owner, SessionUser user, LiveTransfers transfers, EventBus events, Clock clock) {
    this.owner = owner;
    this.user = user;
    this.transfers = transfers;
    this.events = events;
    this.clock = clock;
  }

  /** A disconnect, not a commit. */
  void abortAll() {
    transfers.abortAll(owner, "session of " + user.name() + " closed");
  }

  OffsetWriter writerAt(VirtualPath path) {
    return transfers.writing(owner, path.toString(), OffsetWriter.class);
  }

  /** Registers {@code file}, just opened at {@code path}, in the node's registry as this session's. */
  void track(Object file, VirtualPath path, LiveTransfers.Direction direction, LongSupplier bytes,
      BooleanSupplier isOpen, Consumer<String> abort) {
    SessionSlots.Slot slot = user.slot();
    transfers.opened(owner, file, new LiveTransfers.Counted() {
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

  /** Publishes the client's open of {@code path} for {@code mode} (READ, WRITE); returns when it was. */
  Instant opened(VirtualPath path, S3Location key, String mode) {
    events.file(FileEvent.Type.OPENED, user.origin(), path.toString(), key, mode);
    return clock.instant();
  }

  /** An upload just opened: OPENED now, and its end (UPLOADED or PARTIAL_UPLOAD, with how long) when it comes. */
  Consumer<UploadOutcome> uploadEnd(VirtualPath path, S3Location key) {
    Instant opened = opened(path, key, "WRITE");
    return outcome -> events.uploadEnded(user.origin(), path.toString(), key, outcome, opened);
  }
}
