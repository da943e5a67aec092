package dev.ferry.core.config;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Sizes and rates as operators write them, in ferry.yaml and in the API alike: {@code 8MiB},
 * {@code 512KiB}, {@code 1G}, a plain number of bytes; a rate is a size per second, {@code 20MiB/s}
 * (the "/s" may be left out). A text that is not one throws {@link IllegalArgumentException}
 * saying what was expected.
 */
public final class ByteSizes {

  private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*([KMGT]i?B?|B)?", Pattern.CASE_INSENSITIVE);

  private ByteSizes() {}

  public static long size(String text) {
    return parse(text, text.trim(), "a size such as 8MiB or 1GiB");
  }

  public static long bytesPerSecond(String text) {
    String trimmed = text.trim();
    String size = trimmed.endsWith("/s") ? trimmed.substring(0, trimmed.length() - 2).trim() : trimmed;
    return parse(text, size, "a rate such as 20MiB/s or 512KiB/s");
  }

  private static long parse(String given, String text, String what) {
    Matcher m = SIZE.matcher(text);
    if (!m.matches()) {
      throw new IllegalArgumentException("must be " + what + ", got '" + given + "'");
    }
    long number;
    try {
      number = Long.parseLong(m.group(1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("number '" + m.group(1) + "' is too large");
    }
    String unit = m.group(2) == null ? "B" : m.group(2).toUpperCase(Locale.ROOT);
    int shift = switch (unit.charAt(0)) {
      case 'K' -> 10;
      case 'M' -> 20;
      case 'G' -> 30;
      case 'T' -> 40;
      default -> 0;
    };
    if (number > Long.MAX_VALUE >> shift) {
      throw new IllegalArgumentException("size '" + given + "' is too large");
    }
    return number << shift;
  }
}
