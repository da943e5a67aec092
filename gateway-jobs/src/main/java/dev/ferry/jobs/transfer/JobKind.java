package dev.ferry.jobs.transfer;

/** A kind of job besides transfers: the name its specs are stored under, their type, and what runs them. */
public record JobKind(String name, Class<? extends JobSpec> spec, JobWork work) {}
