package dev.ferry.core.upload;

import dev.ferry.core.s3.ObjectInfo;
import dev.ferry.core.s3.S3Location;

/**
 * A file a new file starts as a copy of, made inside S3 (SFTP copy-data): the version of it that
 * was opened, and a way to read that version's bytes should they have to pass through after all.
 *
 * @param name the file's path as its user sees it, for messages
 * @param location where it is in S3
 * @param version its size, ETag and metadata when it was opened: the copy is of that version only
 * @param bytes that version's bytes from an offset
 */
public record CopySource(String name, S3Location location, ObjectInfo version, OffsetWriter.Existing bytes) {}
