package dev.ferry.core.path;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A normalized absolute path inside a user's home, as a list of segments. The root ("/") is the
 * home itself. Every client path goes through {@link #parse} once, so the rules that keep a client
 * inside its home live here and nowhere else.
 */
public final class VirtualPath implements Comparable<VirtualPath> {

  public static final VirtualPath ROOT = new VirtualPath(List.of());

  /** S3 keys are at most 1024 bytes; the home prefix takes some, so names are capped well below. */
  public static final int MAX_PATH_BYTES = 900;

  public static final int MAX_NAME_BYTES = 255;

  private final List<String> segments;

  private VirtualPath(List<String> segments) {
    this.segments = segments;
  }

  /**
   * Resolves {@code input} against {@code cwd}. {@code ..} may climb up to the home but never past
   * it: at the home it stays there, as in OpenSSH's chroot and vsftpd ({@code /..} is {@code /}, so
   * clients that walk up to the root or normalise paths get the root). A path that climbs past the
   * home and then names something ({@code ../x}, {@code /../bob/x}) is refused, not clamped: it
   * asks for a place outside the home, and reading it as {@code /x} would hand the client a file it
   * did not name. Anything else that could name a different place than it appears to (NUL,
   * backslashes, control characters, percent-encoded dots or slashes) is refused rather than
   * reinterpreted.
   */
  public static VirtualPath parse(VirtualPath cwd, String input) throws BadPathException {
    if (input == null) {
      throw new BadPathException("", "no path given");
    }
    if (input.isEmpty()) {
      return cwd;
    }
    checkCharacters(input);
    List<String> result = new ArrayList<>(input.startsWith("/") ? List.of() : cwd.segments);
    boolean aboveHome = false;
    for (String segment : input.split("/", -1)) {
      if (segment.isEmpty() || segment.equals(".")) {
        continue;
      }
      if (segment.equals("..")) {
        if (result.isEmpty()) {
          aboveHome = true;
        } else {
          result.remove(result.size() - 1);
        }
        continue;
      }
      if (aboveHome) {
        throw new BadPathException(input, "path climbs above the home directory");
      }
      checkName(input, segment);
      result.add(segment);
    }
    VirtualPath path = new VirtualPath(List.copyOf(result));
    if (path.toString().getBytes(StandardCharsets.UTF_8).length > MAX_PATH_BYTES) {
      throw new BadPathException(input, "path is longer than " + MAX_PATH_BYTES + " bytes");
    }
    return path;
  }

  public static VirtualPath parse(String absolute) throws BadPathException {
    return parse(ROOT, absolute);
  }

  private static void checkCharacters(String input) throws BadPathException {
    for (int i = 0; i < input.length(); i++) {
      char c = input.charAt(i);
      if (c == 0) {
        throw new BadPathException(input.replace('\0', '?'), "path contains a NUL character");
      }
      if (c == '\\') {
        throw new BadPathException(input, "path contains a backslash");
      }
      if (c < 0x20 || c == 0x7f) {
        throw new BadPathException(input, "path contains a control character");
      }
      if (c == '\uFFFD') {
        // SSH libraries put U+FFFD where a client sent bytes that are not UTF-8: "a\xff" and
        // "a\xfe" would both become "a\uFFFD", one key, and the second upload replace the first.
        throw new BadPathException(input, "path contains U+FFFD, the stand-in for bytes that are not UTF-8");
      }
      if (Character.isSurrogate(c)) {
        boolean pair = Character.isHighSurrogate(c) && i + 1 < input.length()
            && Character.isLowSurrogate(input.charAt(i + 1));
        if (!pair) {
          throw new BadPathException(input, "path is not valid Unicode");
        }
        i++;
      }
    }
  }

  private static void checkName(String input, String segment) throws BadPathException {
    if (segment.getBytes(StandardCharsets.UTF_8).length > MAX_NAME_BYTES) {
      throw new BadPathException(input, "name is longer than " + MAX_NAME_BYTES + " bytes");
    }
    if (segment.indexOf('%') >= 0) {
      String decoded = decodeLeniently(segment);
      if (decoded.equals("..") || decoded.equals(".") || decoded.contains("/")
          || decoded.contains("\\") || decoded.indexOf('\0') >= 0) {
        throw new BadPathException(input, "path contains an encoded dot, slash or NUL");
      }
    }
  }

  private static String decodeLeniently(String segment) {
    try {
      return URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException notEncoded) {
      return segment;
    }
  }

  public boolean isRoot() {
    return segments.isEmpty();
  }

  public List<String> segments() {
    return Collections.unmodifiableList(segments);
  }

  /** The last segment, or "/" for the root. */
  public String name() {
    return isRoot() ? "/" : segments.get(segments.size() - 1);
  }

  public VirtualPath parent() {
    return isRoot() ? this : new VirtualPath(segments.subList(0, segments.size() - 1));
  }

  /** A child named by the gateway itself (a listing entry), not by a client. */
  public VirtualPath child(String name) {
    List<String> result = new ArrayList<>(segments);
    result.add(name);
    return new VirtualPath(List.copyOf(result));
  }

  /** True when this path is {@code other} or lies below it. */
  public boolean startsWith(VirtualPath other) {
    return segments.size() >= other.segments.size()
        && segments.subList(0, other.segments.size()).equals(other.segments);
  }

  /** This path with the leading {@code from} replaced by {@code to}. */
  public VirtualPath rebase(VirtualPath from, VirtualPath to) {
    List<String> result = new ArrayList<>(to.segments);
    result.addAll(segments.subList(from.segments.size(), segments.size()));
    return new VirtualPath(List.copyOf(result));
  }

  /** The path relative to the home, without a leading slash ("" for the root). */
  public String relative() {
    return String.join("/", segments);
  }

  @Override
  public String toString() {
    return "/" + relative();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof VirtualPath other && segments.equals(other.segments);
  }

  @Override
  public int hashCode() {
    return segments.hashCode();
  }

  @Override
  public int compareTo(VirtualPath o) {
    return toString().compareTo(o.toString());
  }
}
