package dev.ferry.core.s3;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.Map;

/**
 * What Ferry knows about one version of an object beyond what S3 keeps: the SHA-256 of its bytes
 * (hex) and the modification time a client set. Either may be null: unknown.
 */
public record ObjectFacts(String sha256, Instant clientTime) {

  public static final ObjectFacts NONE = new ObjectFacts(null, null);

  /**
   * Metadata keys under which Ferry before its catalog recorded the facts in the object itself
   * ({@code x-amz-meta-sha256}, and {@code x-amz-meta-mtime} in decimal seconds since the epoch).
   * Objects written so, and by tools that follow the same convention, keep showing them.
   */
  public static final String SHA256_METADATA = "sha256";
  public static final String MTIME_METADATA = "mtime";

  /** The facts an object's own metadata carries; an unreadable time is ignored. */
  public static ObjectFacts fromMetadata(Map<String, String> metadata) {
    String sha256 = metadata.get(SHA256_METADATA);
    return new ObjectFacts(sha256 != null && sha256.matches("[0-9a-f]{64}") ? sha256 : null,
        parseSeconds(metadata.get(MTIME_METADATA)));
  }

  public boolean isEmpty() {
    return sha256 == null && clientTime == null;
  }

  public ObjectFacts withClientTime(Instant time) {
    return new ObjectFacts(sha256, time);
  }

  /** The time to show for the object: the client's, else {@code stored} (S3's LastModified). */
  public Instant timeOr(Instant stored) {
    return clientTime != null ? clientTime : stored;
  }

  private static Instant parseSeconds(String text) {
    if (text == null) {
      return null;
    }
    try {
      BigDecimal seconds = new BigDecimal(text.trim());
      long whole = seconds.setScale(0, RoundingMode.FLOOR).longValueExact();
      int nanos = seconds.subtract(BigDecimal.valueOf(whole)).movePointRight(9).intValue();
      return Instant.ofEpochSecond(whole, nanos);
    } catch (NumberFormatException | ArithmeticException | DateTimeException e) {
      return null;
    }
  }
}
