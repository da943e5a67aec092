package dev.ferry.jobs.remote;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What a remote's {@code sha256sum} printed: the first hash on its output, as lower-case hex. */
public final class Sha256Sum {

  /** A hash as a word of its own: a pseudo-terminal's output may have other lines and carriage returns. */
  private static final Pattern HASH = Pattern.compile("(?<![0-9a-fA-F])[0-9a-fA-F]{64}(?![0-9a-fA-F])");

  private Sha256Sum() {}

  /** The first SHA-256 in {@code output}, or null when there is none (no sha256sum there, an unreadable file). */
  public static String in(String output) {
    Matcher found = HASH.matcher(output);
    return found.find() ? found.group().toLowerCase(Locale.ROOT) : null;
  }
}
