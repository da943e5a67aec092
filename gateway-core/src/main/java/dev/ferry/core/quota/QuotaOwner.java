package dev.ferry.core.quota;

import dev.ferry.core.s3.S3Location;

/** Whose quota a change counts against: the user, the home the usage is counted under, and the limit. */
public record QuotaOwner(String name, S3Location home, QuotaLimit limit) {}
