package dev.ferry.server.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * What the versioned API's routes read from a request: the path's segments and a JSON object body.
 * A malformed one is an {@link IllegalArgumentException} whose message names the problem (a 400).
 */
final class ApiRequests {

  private static final ObjectMapper JSON = new ObjectMapper();

  private ApiRequests() {}

  /** The segments of {@code path}, each percent-decoded ("+" stays a plus: key fingerprints hold it). */
  static List<String> segments(String path) {
    List<String> segments = new ArrayList<>();
    for (String raw : path.split("/")) {
      if (raw.isEmpty()) {
        continue;
      }
      try {
        segments.add(URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("path: bad percent-encoding in '" + raw + "'");
      }
    }
    return segments;
  }

  /** The body as a JSON object; a missing, malformed or non-object body is refused. */
  static JsonNode object(String body) {
    if (body == null || body.isBlank()) {
      throw new IllegalArgumentException("body: a JSON object is required");
    }
    JsonNode json;
    try {
      json = JSON.readTree(body);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("body: not JSON (" + e.getOriginalMessage() + ")");
    }
    if (json == null || !json.isObject()) {
      throw new IllegalArgumentException("body: must be a JSON object");
    }
    return json;
  }
}
