package dev.ferry.core.s3;

import java.time.Instant;
import java.util.Map;

/** What a HEAD (or a listing entry) tells about one object. Metadata is empty for listing entries. */
public record ObjectInfo(String key, long size, Instant lastModified, String etag, Map<String, String> metadata) {}
