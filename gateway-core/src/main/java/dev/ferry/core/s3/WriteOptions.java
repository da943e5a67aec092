package dev.ferry.core.s3;

import dev.ferry.core.config.InvalidFieldException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What S3 is asked to do with an object as it is written: server-side encryption ({@code sse}
 * AES256, aws:kms or aws:kms:dsse, with {@code kmsKeyId} and {@code bucketKey}), its storage class,
 * a canned ACL and tags. Sent on the PUT, the CreateMultipartUpload or the CopyObject that makes the
 * object, never by a second request: a second write would be a second version and a second
 * ObjectCreated event. Null fields are left to the bucket's own defaults.
 *
 * <p>Values are checked here, as ferry.yaml and the API give them, so that a typo is refused at
 * start or with a 400 naming the field ({@link InvalidFieldException}) rather than by S3 at the
 * first upload.
 */
public record WriteOptions(String sse, String kmsKeyId, Boolean bucketKey, String storageClass, String acl,
    Map<String, String> tags) {

  public static final WriteOptions NONE = new WriteOptions(null, null, null, null, null, Map.of());

  static final Set<String> ENCRYPTIONS = Set.of("AES256", "aws:kms", "aws:kms:dsse");
  static final Set<String> STORAGE_CLASSES = Set.of("STANDARD", "REDUCED_REDUNDANCY", "STANDARD_IA", "ONEZONE_IA",
      "INTELLIGENT_TIERING", "GLACIER", "DEEP_ARCHIVE", "GLACIER_IR", "OUTPOSTS", "SNOW", "EXPRESS_ONEZONE");
  static final Set<String> ACLS = Set.of("private", "public-read", "public-read-write", "authenticated-read",
      "aws-exec-read", "bucket-owner-read", "bucket-owner-full-control");
  /** S3's limits on an object's tags. */
  static final int MAX_TAGS = 10;
  static final int MAX_TAG_KEY = 128;
  static final int MAX_TAG_VALUE = 256;

  public WriteOptions {
    tags = tags == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(tags));
    if (sse != null && !ENCRYPTIONS.contains(sse)) {
      throw new InvalidFieldException("sse", "must be one of " + sorted(ENCRYPTIONS) + ", got '" + sse + "'");
    }
    if (kmsKeyId != null && (sse == null || !sse.startsWith("aws:kms"))) {
      throw new InvalidFieldException("kmsKeyId", "goes with sse: aws:kms (or aws:kms:dsse), not with "
          + (sse == null ? "no sse" : "sse: " + sse));
    }
    if (kmsKeyId != null && (kmsKeyId.isBlank() || kmsKeyId.chars().anyMatch(c -> c < 0x21 || c > 0x7e))) {
      throw new InvalidFieldException("kmsKeyId", "must be a KMS key id, ARN or alias, got '" + kmsKeyId + "'");
    }
    if (bucketKey != null && sse == null) {
      throw new InvalidFieldException("bucketKey", "goes with sse");
    }
    if (storageClass != null && !STORAGE_CLASSES.contains(storageClass)) {
      throw new InvalidFieldException("storageClass", "must be one of " + sorted(STORAGE_CLASSES) + ", got '"
          + storageClass + "'");
    }
    if (acl != null && !ACLS.contains(acl)) {
      throw new InvalidFieldException("acl", "must be a canned ACL, one of " + sorted(ACLS) + ", got '" + acl + "'");
    }
    if (tags.size() > MAX_TAGS) {
      throw new InvalidFieldException("tags", "S3 keeps at most " + MAX_TAGS + " tags on an object, got "
          + tags.size());
    }
    for (Map.Entry<String, String> tag : tags.entrySet()) {
      String key = tag.getKey();
      if (key == null || key.isEmpty() || key.length() > MAX_TAG_KEY || key.startsWith("aws:")) {
        throw new InvalidFieldException("tags", "a tag key must be 1-" + MAX_TAG_KEY + " characters and not start with"
            + " 'aws:', got '" + key + "'");
      }
      if (tag.getValue() == null || tag.getValue().length() > MAX_TAG_VALUE) {
        throw new InvalidFieldException("tags." + key, "must be a value of at most " + MAX_TAG_VALUE + " characters");
      }
    }
  }

  /** Whether S3 is asked nothing beyond its defaults. */
  public boolean isEmpty() {
    return equals(NONE);
  }

  /**
   * These options over {@code defaults}: each field given here wins, each left out is the
   * default's; the tags, when given here, replace the default's whole.
   */
  public WriteOptions over(WriteOptions defaults) {
    boolean ownEncryption = sse != null;
    return new WriteOptions(ownEncryption ? sse : defaults.sse, ownEncryption ? kmsKeyId : defaults.kmsKeyId,
        ownEncryption ? bucketKey : defaults.bucketKey, storageClass != null ? storageClass : defaults.storageClass,
        acl != null ? acl : defaults.acl, !tags.isEmpty() ? tags : defaults.tags);
  }

  /** The tags as S3's x-amz-tagging header takes them (URL-encoded {@code k=v&k=v}); null when none. */
  public String taggingHeader() {
    if (tags.isEmpty()) {
      return null;
    }
    return tags.entrySet().stream().map(t -> encode(t.getKey()) + "=" + encode(t.getValue()))
        .collect(Collectors.joining("&"));
  }

  private static String encode(String text) {
    return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static String sorted(Set<String> values) {
    return values.stream().sorted().collect(Collectors.joining(", "));
  }
}
