package dev.ferry.core.event;

import dev.ferry.core.scan.ScanSubject;
import dev.ferry.core.upload.UploadWriter;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Who made a file change: a client in a session, or Ferry itself for a sync, a watched folder or a
 * workflow (named). Workflows run on client uploads unless a rule opts in to other origins, so
 * that a workflow's outputs and ingested files do not set off workflows by themselves.
 */
public record Origin(Kind kind, String name, SessionInfo session) {

  public enum Kind { CLIENT, SYNC, WATCH, WORKFLOW }

  public static Origin client(SessionInfo session) {
    return new Origin(Kind.CLIENT, session.user(), session);
  }

  public static Origin of(Kind kind, String name) {
    return new Origin(kind, name, null);
  }

  /** Longer values are cut: S3 takes 2 KB of user metadata per object in all. */
  private static final int MAX_METADATA_VALUE = 200;

  /**
   * Who wrote an object, as the user metadata it is written with ({@code x-amz-meta-ferry-*}, as
   * AWS Transfer Family's {@code x-amz-meta-user-agent-id}): for a client, its user, protocol,
   * session and address; for Ferry's own work, what kind and which one. Any S3 client reads it
   * back with a HEAD, long after the activity log rotated.
   */
  /** Who writes an upload to the client path {@code path}: the object's metadata, and what a scan matches. */
  public UploadWriter asWriterOf(String path) {
    return new UploadWriter(asObjectMetadata(),
        new ScanSubject(kind.name().toLowerCase(Locale.ROOT), session != null ? session.user() : null, path));
  }

  public Map<String, String> asObjectMetadata() {
    Map<String, String> metadata = new LinkedHashMap<>();
    if (session != null) {
      put(metadata, "ferry-user", session.user());
      put(metadata, "ferry-protocol", session.protocol());
      put(metadata, "ferry-session", session.id());
      put(metadata, "ferry-client", session.address());
    } else if (kind == Kind.CLIENT) {
      put(metadata, "ferry-user", name);
    } else {
      put(metadata, "ferry-origin", kind.name().toLowerCase(Locale.ROOT));
      put(metadata, "ferry-job", name);
    }
    return metadata;
  }

  /** HTTP headers carry ASCII: anything else (a name in another script) goes percent-encoded. */
  private static void put(Map<String, String> metadata, String key, String value) {
    if (value == null) {
      return;
    }
    String ascii = value.chars().allMatch(c -> c >= 0x20 && c < 0x7f) ? value
        : URLEncoder.encode(value, StandardCharsets.UTF_8);
    metadata.put(key, ascii.length() > MAX_METADATA_VALUE ? ascii.substring(0, MAX_METADATA_VALUE) : ascii);
  }
}
