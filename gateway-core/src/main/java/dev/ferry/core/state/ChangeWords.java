package dev.ferry.core.state;

import dev.ferry.core.s3.S3Location;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The payloads of {@link PostgresChangeFeed}: the sending node's id, then bucket and key of each
 * changed object, one word a line. Buckets and keys go percent-encoded: an S3 key may hold a line
 * break (a word would then split in two and name the wrong folder) and any Unicode, and the
 * encoded text is ASCII, so its length in characters is its length in bytes, which is what
 * PostgreSQL's payload limit counts.
 */
final class ChangeWords {

  /** PostgreSQL refuses a payload of 8,000 bytes or more; an encoded key is at most about 3,100. */
  static final int MAX_PAYLOAD = 7_900;

  private ChangeWords() {}

  /** {@code keys} changed by {@code self}, in as few payloads as fit the limit. */
  static List<String> payloads(String self, List<S3Location> keys) {
    List<String> payloads = new ArrayList<>();
    StringBuilder payload = new StringBuilder(self);
    for (S3Location key : keys) {
      String word = "\n" + encode(key.bucket()) + "\n" + encode(key.key());
      if (payload.length() + word.length() > MAX_PAYLOAD && payload.length() > self.length()) {
        payloads.add(payload.toString());
        payload = new StringBuilder(self);
      }
      payload.append(word);
    }
    payloads.add(payload.toString());
    return payloads;
  }

  /** The keys a payload names; none when {@code self} sent it (PostgreSQL sends a node its own words too). */
  static List<S3Location> keysOf(String self, String payload) {
    String[] lines = payload.split("\n", -1);
    List<S3Location> keys = new ArrayList<>();
    if (lines.length < 3 || lines[0].equals(self)) {
      return keys;
    }
    for (int i = 1; i + 1 < lines.length; i += 2) {
      keys.add(new S3Location(decode(lines[i]), decode(lines[i + 1])));
    }
    return keys;
  }

  private static String encode(String text) {
    return URLEncoder.encode(text, StandardCharsets.UTF_8);
  }

  private static String decode(String word) {
    return URLDecoder.decode(word, StandardCharsets.UTF_8);
  }
}
