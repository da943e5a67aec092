package dev.ferry.core.s3;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * ETags as the catalog keys them (without S3's quotes), and the ETag S3 will give an object before
 * it is committed: the MD5 of a single PUT's bytes, or for a multipart upload the MD5 of its parts'
 * MD5s followed by "-" and the number of parts. Stores that encrypt with KMS or customer keys give
 * other ETags; then the expected one is simply not found and the catalog learns the real one.
 */
public final class Etags {

  private static final HexFormat HEX = HexFormat.of();

  private Etags() {}

  /** {@code "abc"} → {@code abc}; null stays null. */
  public static String normalize(String etag) {
    if (etag == null) {
      return null;
    }
    String trimmed = etag.trim();
    return trimmed.length() >= 2 && trimmed.startsWith("\"") && trimmed.endsWith("\"")
        ? trimmed.substring(1, trimmed.length() - 1) : trimmed;
  }

  /** Whether two ETags name the same version, quoted or not. */
  public static boolean same(String a, String b) {
    return a != null && normalize(a).equals(normalize(b));
  }

  /** A new MD5 digest: the ETag of a single PUT, and every body's Content-MD5. */
  public static MessageDigest md5() {
    try {
      return MessageDigest.getInstance("MD5");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("MD5 is missing from this JVM", e);
    }
  }

  public static String ofSinglePut(byte[] md5) {
    return HEX.formatHex(md5);
  }

  /** The ETag of a multipart upload of these parts, if every part's ETag is an MD5. */
  public static Optional<String> ofMultipart(List<String> partEtags) {
    MessageDigest md5 = md5();
    for (String part : partEtags) {
      String hex = normalize(part);
      if (hex == null || !hex.matches("[0-9a-fA-F]{32}")) {
        return Optional.empty();
      }
      md5.update(HEX.parseHex(hex.toLowerCase()));
    }
    return Optional.of(HEX.formatHex(md5.digest()) + "-" + partEtags.size());
  }
}
