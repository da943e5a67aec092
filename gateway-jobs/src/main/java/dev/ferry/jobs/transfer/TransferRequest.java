package dev.ferry.jobs.transfer;

/**
 * A transfer as asked for: source "s3://bucket/key" or "bucket/key", destination "host:/path".
 * Null {@code parts} and {@code freeSpacePercent} take the configured defaults.
 */
public record TransferRequest(String source, String destination, Integer parts, Double freeSpacePercent,
    TransferMode mode, boolean overwrite) {}
