package dev.ferry.jobs.sync;

import dev.ferry.core.path.FileGlobs;
import dev.ferry.core.s3.S3Location;
import dev.ferry.jobs.remote.RemoteHost;
import java.util.List;
import java.util.Map;

/**
 * Reads the two places of a sync as an operator writes them, in the config or on the command line:
 * {@code REMOTE:/absolute/dir} and {@code s3://bucket/prefix/}. Each problem is an
 * {@link IllegalArgumentException} whose message names the value; the caller adds the key or the
 * option it came from.
 */
final class SyncPlaces {

  record Source(RemoteHost host, String dir) {}

  private SyncPlaces() {}

  static Source source(String text, Map<String, RemoteHost> hosts) {
    int colon = text.indexOf(':');
    if (colon <= 0) {
      throw new IllegalArgumentException("source '" + text + "' must be REMOTE:/absolute/dir");
    }
    String name = text.substring(0, colon);
    RemoteHost host = hosts.get(name);
    if (host == null) {
      throw new IllegalArgumentException("unknown remote '" + name + "' in '" + text + "' (configured: "
          + (hosts.isEmpty() ? "none" : String.join(", ", hosts.keySet())) + ")");
    }
    String dir = text.substring(colon + 1);
    if (!dir.startsWith("/")) {
      throw new IllegalArgumentException("remote directory '" + dir + "' must be absolute");
    }
    for (String part : dir.split("/")) {
      if (part.equals("..") || part.equals(".")) {
        throw new IllegalArgumentException("remote directory '" + dir + "' must not contain '.' or '..'");
      }
    }
    String normalized = dir.replaceAll("/+", "/");
    if (normalized.length() > 1 && normalized.endsWith("/")) {
      normalized = normalized.substring(0, normalized.length() - 1);
    }
    if (!host.allows(normalized.equals("/") ? "/" : normalized + "/")) {
      throw new IllegalArgumentException("remote directory '" + normalized + "' is outside the roots allowed on "
          + host.name() + " (" + String.join(", ", host.roots()) + ")");
    }
    return new Source(host, normalized);
  }

  /** The target folder: its bucket, and its prefix as the key ("" or ending in '/'). */
  static S3Location target(String text) {
    try {
      return S3Location.parsePrefix(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("target " + e.getMessage());
    }
  }

  /** Checks that each glob compiles, naming the first one that does not. */
  static List<String> globs(List<String> globs) {
    for (String glob : globs) {
      String problem = FileGlobs.problemOf(glob);
      if (problem != null) {
        throw new IllegalArgumentException(problem);
      }
    }
    return List.copyOf(globs);
  }
}
