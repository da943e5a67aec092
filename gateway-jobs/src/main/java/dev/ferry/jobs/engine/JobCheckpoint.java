package dev.ferry.jobs.engine;

import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * What an attempt of a job leaves for the next one to build on (a transfer's parts verified on the
 * remote), stored with the job's record; its kind's name in the {@code kind} property. Each kind
 * that keeps one names its type in {@link JobKind#checkpoint()}, so the engine knows none of them.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "kind")
public interface JobCheckpoint {}
