package dev.ferry.jobs.watch;

import dev.ferry.core.path.BadPathException;
import dev.ferry.core.path.VirtualPath;
import dev.ferry.core.s3.S3Location;
import dev.ferry.jobs.decompress.Gunzip;

/**
 * Where a file of a watched folder goes in S3: under one {@code s3://bucket/prefix/}, or, in
 * s3-batch's sync layout, {@code <bucket>/<key>} below the folder. With gunzip, {@code x.gz}
 * becomes the object {@code x}. The relative path goes through {@link VirtualPath}, so a watched
 * file gets only a key that Ferry's clients can name too (no backslash, control character or
 * undecodable byte, at most 900 bytes); a file whose name breaks a rule is skipped, never renamed.
 */
final class ObjectLayout {

  /** S3's bucket naming rules, as FerryConfig checks a home's bucket. */
  private static final String BUCKET = "[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]";

  /** Null: the bucket-key layout. */
  private final S3Location target;
  private final boolean gunzip;

  private ObjectLayout(S3Location target, boolean gunzip) {
    this.target = target;
    this.gunzip = gunzip;
  }

  static ObjectLayout under(S3Location target, boolean gunzip) {
    return new ObjectLayout(target, gunzip);
  }

  static ObjectLayout bucketKey(boolean gunzip) {
    return new ObjectLayout(null, gunzip);
  }

  /** The one bucket every file goes to, or null in the bucket-key layout. */
  S3Location target() {
    return target;
  }

  /** Whether the file at {@code relative} is decompressed on its way. */
  boolean gunzips(String relative) {
    return gunzip && Gunzip.appliesTo(relative);
  }

  /** The object the file at {@code relative} ("a/b.csv") becomes. */
  S3Location objectFor(String relative) throws BadPathException {
    String name = gunzips(relative) ? Gunzip.decompressedName(relative) : relative;
    String path = VirtualPath.parse("/" + name).relative();
    if (!path.equals(name)) {
      throw new BadPathException(relative, "not a plain relative path");
    }
    if (target != null) {
      return target.resolve(path);
    }
    int slash = path.indexOf('/');
    if (slash < 0) {
      throw new BadPathException(relative, "the bucket-key layout wants <bucket>/<key>; a file directly in the"
          + " watched directory has no bucket");
    }
    String bucket = path.substring(0, slash);
    if (!bucket.matches(BUCKET)) {
      throw new BadPathException(relative, "'" + bucket + "' is not a valid S3 bucket name");
    }
    return new S3Location(bucket, path.substring(slash + 1));
  }
}
