package dev.ferry.jobs.batch;

import java.util.List;

/**
 * What one archive of a batch run holds, written as JSON next to the batch's other manifests: for
 * every original, its key, its archive, the offset and size of its bytes inside the tar (so one
 * ranged GET of the archive reads it back), its SHA-256 and the ETag it was read at. Locations are
 * {@code s3://bucket/key}.
 */
record Manifest(String batch, String job, String archive, long archiveSize, String created, List<Entry> files) {

  record Entry(String key, String archive, long offset, long size, String sha256, String etag,
      String lastModified) {}
}
