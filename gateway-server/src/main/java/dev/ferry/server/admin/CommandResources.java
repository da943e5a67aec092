package dev.ferry.server.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.core.admin.AdminCaller;
import dev.ferry.core.admin.AdminConsole;
import dev.ferry.core.admin.AdminResponse;
import dev.ferry.core.admin.AdminStatus;
import io.netty.handler.codec.http.HttpMethod;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Jobs, transfers, syncs and sessions as resources of the versioned API, each route one admin
 * command (so the same checks, roles and audit line as over SSH exec and /api/&lt;command&gt;):
 *
 * <pre>
 * GET    /api/v1/jobs[?state=&amp;limit=&amp;before=]   jobs          GET  /api/v1/syncs                  syncs
 * GET    /api/v1/jobs/{id}                          job           POST /api/v1/syncs/{name}/runs      sync run (202)
 * POST   /api/v1/jobs/{id}/cancel                   cancel        GET  /api/v1/sessions               sessions
 * POST   /api/v1/transfers                          transfer (202) DELETE /api/v1/sessions/{id}      disconnect (204)
 * </pre>
 *
 * Answers are the command's data as JSON, without /api/&lt;command&gt;'s envelope; a job made
 * answers 202 with {@code Location: /api/v1/jobs/{id}}. Errors are {@code {"ok":false,"status","error"}}.
 */
final class CommandResources {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> PREFIXES = Set.of("/api/v1/jobs", "/api/v1/transfers", "/api/v1/syncs",
      "/api/v1/sessions");
  private static final Set<String> TRANSFER_FIELDS = Set.of("source", "target", "parts", "freeSpace", "mode",
      "overwrite");

  private final AdminConsole commands;

  CommandResources(AdminConsole commands) {
    this.commands = commands;
  }

  static boolean owns(String rawPath) {
    return PREFIXES.stream().anyMatch(prefix -> rawPath.equals(prefix) || rawPath.startsWith(prefix + "/"));
  }

  UsersApi.Reply handle(HttpMethod method, String rawPath, Map<String, List<String>> query, String body,
      AdminCaller caller) {
    try {
      List<String> path = ApiRequests.segments(rawPath.substring("/api/v1/".length()));
      String route = method.name() + " " + String.join("/", path.stream().map(CommandResources::shape).toList());
      return switch (route) {
        case "GET jobs" -> read(caller, "jobs", jobsWords(query));
        case "GET jobs/{}" -> read(caller, "job", List.of(path.get(1)));
        case "POST jobs/{}/cancel" -> read(caller, "cancel", List.of(path.get(1)));
        case "POST transfers" -> created(caller, "transfer", transferWords(body));
        case "GET syncs" -> read(caller, "syncs", List.of());
        case "POST syncs/{}/runs" -> created(caller, "sync", syncWords(path.get(1), body));
        case "GET sessions" -> read(caller, "sessions", List.of());
        case "DELETE sessions/{}" -> deleted(caller, "disconnect", List.of(path.get(1)));
        default -> error(AdminStatus.NOT_FOUND, "no such endpoint " + method + " " + rawPath);
      };
    } catch (IllegalArgumentException e) {
      return error(AdminStatus.BAD_REQUEST, e.getMessage());
    }
  }

  /** The fixed words of a route; anything else (an id, a name) is "{}". */
  private static String shape(String segment) {
    return Set.of("jobs", "transfers", "syncs", "sessions", "cancel", "runs").contains(segment) ? segment : "{}";
  }

  private UsersApi.Reply read(AdminCaller caller, String command, List<String> words) {
    AdminResponse<?> response = commands.execute(caller, command, words);
    return response.ok() ? new UsersApi.Reply(200, response.dataJson(), null, null) : error(response);
  }

  private UsersApi.Reply created(AdminCaller caller, String command, List<String> words) {
    AdminResponse<?> response = commands.execute(caller, command, words);
    if (!response.ok()) {
      return error(response);
    }
    String json = response.dataJson();
    String id;
    try {
      id = JSON.readTree(json).path("id").asText();
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      id = "";
    }
    return new UsersApi.Reply(202, json, null, id.isEmpty() ? null : "/api/v1/jobs/" + id);
  }

  private UsersApi.Reply deleted(AdminCaller caller, String command, List<String> words) {
    AdminResponse<?> response = commands.execute(caller, command, words);
    return response.ok() ? new UsersApi.Reply(204, null, null, null) : error(response);
  }

  private static List<String> jobsWords(Map<String, List<String>> query) {
    List<String> words = new ArrayList<>();
    for (Map.Entry<String, List<String>> parameter : query.entrySet()) {
      String value = parameter.getValue().isEmpty() ? "" : parameter.getValue().get(0);
      switch (parameter.getKey()) {
        case "state" -> words.add(0, value);
        case "limit" -> words.addAll(List.of("--limit", value));
        case "before" -> words.addAll(List.of("--before", value));
        default -> throw new IllegalArgumentException(parameter.getKey()
            + ": unknown query parameter (state, limit, before)");
      }
    }
    return words;
  }

  /** {"source": "s3://bucket/key", "target": "host:/path", "parts", "freeSpace", "mode", "overwrite"}. */
  private static List<String> transferWords(String body) {
    JsonNode json = ApiRequests.object(body);
    for (Iterator<String> names = json.fieldNames(); names.hasNext(); ) {
      String field = names.next();
      if (!TRANSFER_FIELDS.contains(field)) {
        throw new IllegalArgumentException(field + ": unknown field (source, target, parts, freeSpace, mode, overwrite)");
      }
    }
    List<String> words = new ArrayList<>(List.of(text(json, "source"), text(json, "target")));
    if (json.has("parts")) {
      words.addAll(List.of("--parts", json.get("parts").asText()));
    }
    if (json.has("freeSpace")) {
      words.addAll(List.of("--free-space", json.get("freeSpace").asText()));
    }
    if (json.has("mode")) {
      words.addAll(List.of("--mode", json.get("mode").asText()));
    }
    if (json.path("overwrite").asBoolean(false)) {
      words.add("--overwrite");
    }
    return words;
  }

  /** {"full": true} or no body: a run of the configured sync {@code name}. */
  private static List<String> syncWords(String name, String body) {
    List<String> words = new ArrayList<>(List.of("run", name));
    if (body != null && !body.isBlank()) {
      JsonNode json = ApiRequests.object(body);
      for (Iterator<String> names = json.fieldNames(); names.hasNext(); ) {
        String field = names.next();
        if (!field.equals("full")) {
          throw new IllegalArgumentException(field + ": unknown field (full)");
        }
      }
      if (json.path("full").asBoolean(false)) {
        words.add("--full");
      }
    }
    return words;
  }

  private static String text(JsonNode json, String field) {
    JsonNode value = json.get(field);
    if (value == null || !value.isTextual() || value.asText().isBlank()) {
      throw new IllegalArgumentException(field + ": is required, a string");
    }
    return value.asText();
  }

  private static UsersApi.Reply error(AdminResponse<?> response) {
    return new UsersApi.Reply(response.status().httpStatus(), response.json(), null, null);
  }

  private static UsersApi.Reply error(AdminStatus status, String message) {
    return new UsersApi.Reply(status.httpStatus(), AdminResponse.error(status, message).json(), null, null);
  }
}
