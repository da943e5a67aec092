package dev.ferry.core.event;

import java.time.Instant;

/**
 * Something that happened in Ferry, as the {@link EventBus} carries it to its subscribers (the
 * workflows, the activity log and metrics, an application that embeds Ferry). Producers publish
 * without knowing who listens.
 */
public sealed interface FerryEvent permits SessionEvent, FileEvent, JobEvent, AccountEvent {

  /** Unique per event: the idempotency key a receiver of a repeated delivery drops the repeat by. */
  String id();

  Instant time();
}
