package dev.ferry.core.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What an admin command answers: text for people, and the same facts as {@code data} for scripts,
 * written as JSON by {@link #json()}. {@code T} is the command's result type (records and lists of
 * them), so a caller in Java (the console) reads {@code data} without casts; null when refused.
 */
public record AdminResponse<T>(AdminStatus status, String text, T data) {

  private static final ObjectMapper JSON = new ObjectMapper().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

  public static <T> AdminResponse<T> ok(String text, T data) {
    return new AdminResponse<>(AdminStatus.OK, text, data);
  }

  public static <T> AdminResponse<T> error(AdminStatus status, String message) {
    return new AdminResponse<>(status, message, null);
  }

  public boolean ok() {
    return status == AdminStatus.OK;
  }

  /** The data alone as JSON, for the versioned API's resources (which answer without the envelope). */
  public String dataJson() {
    try {
      return JSON.writeValueAsString(data);
    } catch (JsonProcessingException e) {
      return "null";
    }
  }

  /** {"ok":true,"data":...} or {"ok":false,"status":"NOT_FOUND","error":"..."}. */
  public String json() {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("ok", ok());
    if (ok()) {
      body.put("data", data);
    } else {
      body.put("status", status.name());
      body.put("error", text);
    }
    try {
      return JSON.writeValueAsString(body);
    } catch (JsonProcessingException e) {
      return "{\"ok\":false,\"status\":\"FAILED\",\"error\":\"response not representable as JSON\"}";
    }
  }
}
