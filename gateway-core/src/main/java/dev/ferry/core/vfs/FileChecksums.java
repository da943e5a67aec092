package dev.ferry.core.vfs;

import dev.ferry.core.catalog.ObjectCatalog;
import dev.ferry.core.path.VirtualPath;
import dev.ferry.core.s3.ObjectInfo;
import dev.ferry.core.user.Permission;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;

/**
 * The checksum of a file a client asks for. A SHA-256 Ferry recorded when it wrote the version S3
 * has now (the catalog, or the object's own {@code sha256} metadata) is answered without reading
 * the object; any other digest, and a file written outside Ferry, is computed by reading it as a
 * download of the session: paced by its bandwidth limit, within its share of read-ahead memory,
 * shown among its transfers and in the activity log.
 */
final class FileChecksums {

  /** Opens a file for reading as the session's download of it. */
  @FunctionalInterface
  interface Reader {
    ReadableFile open(VirtualPath path) throws IOException;
  }

  private final SessionUser user;
  private final ClientErrors errors;
  private final PathLookup lookup;
  private final ObjectCatalog catalog;
  private final Reader reader;

  FileChecksums(SessionUser user, ClientErrors errors, PathLookup lookup, ObjectCatalog catalog, Reader reader) {
    this.user = user;
    this.errors = errors;
    this.lookup = lookup;
    this.catalog = catalog;
    this.reader = reader;
  }

  FileChecksum of(VirtualPath path, ChecksumAlgorithm algorithm) throws IOException {
    errors.require(Permission.READ, path, "checksum");
    if (!user.isMountRoot(path)) {
      // Asked with a HEAD, not the listing cache: a client checks a file to learn what is there
      // this moment, and the cache may be a moment old.
      Optional<ObjectInfo> file = lookup.head(path, "checksum");
      if (file.isEmpty()) {
        lookup.existingFile(path, "checksum"); // a directory, or nothing: throws which
      } else if (algorithm == ChecksumAlgorithm.SHA_256) {
        Optional<FileChecksum> recorded = recordedSha256(path, file.get());
        if (recorded.isPresent()) {
          return recorded.get();
        }
      }
    }
    try (ReadableFile file = reader.open(path); InputStream bytes = file.wholeFrom(0)) {
      return new FileChecksum(algorithm, algorithm.hexOf(bytes), file.size());
    }
  }

  /** The SHA-256 recorded for the version {@code head} describes, if Ferry recorded one. */
  private Optional<FileChecksum> recordedSha256(VirtualPath path, ObjectInfo head) throws IOException {
    try {
      String sha256 = catalog.factsOf(user.keyOf(path), head).sha256();
      return Optional.ofNullable(sha256).map(hex -> new FileChecksum(ChecksumAlgorithm.SHA_256, hex, head.size()));
    } catch (IOException e) {
      throw errors.storageFailure(path, "checksum", e);
    }
  }
}
