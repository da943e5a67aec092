package dev.ferry.core.event;

import java.time.Instant;

/**
 * A job's state changed (transfer, push, sync, workflow ...): {@code kind} is the job's kind,
 * {@code state} its new state by name, {@code error} the reason of a failure or retry, {@code bytes}
 * what the job has moved so far (all of it once DONE), {@code detail} what the job said of itself
 * without changing state (a transfer that resumed: "resumed from part 5 of 8, ..."), or null.
 */
public record JobEvent(String id, Instant time, String jobId, String kind, String state, String error, long bytes,
    String detail) implements FerryEvent {}
