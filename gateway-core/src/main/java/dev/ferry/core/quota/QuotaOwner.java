package dev.ferry.core.quota;

import dev.ferry.core.s3.S3Location;

/**
 * Whose quota a change counts against: the name its usage is kept under (a user's name, or a
 * virtual folder's target), the place the usage is counted under (the home, the folder's target),
 * the limit, and who is writing, for messages ("acme", "acme into folder /outbox").
 */
public record QuotaOwner(String name, S3Location home, QuotaLimit limit, String writer) {}
