package dev.ferry.core.event;

import java.time.Instant;

/**
 * A job's state changed (transfer, push, sync, workflow ...): {@code kind} is the job's kind,
 * {@code state} its new state by name, {@code error} the reason of a failure or retry.
 */
public record JobEvent(String id, Instant time, String jobId, String kind, String state, String error)
    implements FerryEvent {}
