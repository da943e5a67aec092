package dev.ferry.core.user;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.core.config.InvalidFieldException;
import dev.ferry.core.s3.WriteOptions;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A user's {@code s3} options as JSON, with the keys ferry.yaml uses ({@code sse}, {@code kmsKeyId},
 * {@code bucketKey}, {@code storageClass}, {@code acl}, {@code tags}): how the API takes and shows
 * them, and how the state store keeps them. A field that is not one, or not of its type, is refused
 * naming it under {@code s3.}.
 */
public final class WriteOptionsJson {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> FIELDS = Set.of("sse", "kmsKeyId", "bucketKey", "storageClass", "acl", "tags");

  private WriteOptionsJson() {}

  /** The options {@code json} (an object) gives; fields left out are left to the node's defaults. */
  public static WriteOptions parse(JsonNode json) {
    if (!json.isObject()) {
      throw new InvalidFieldException("s3", "must be an object such as {\"sse\": \"aws:kms\", \"kmsKeyId\": \"...\"}");
    }
    for (Iterator<String> names = json.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!FIELDS.contains(name)) {
        throw new InvalidFieldException("s3." + name, "unknown field (known: acl, bucketKey, kmsKeyId, sse,"
            + " storageClass, tags)");
      }
    }
    Boolean bucketKey = null;
    if (json.hasNonNull("bucketKey")) {
      if (!json.get("bucketKey").isBoolean()) {
        throw new InvalidFieldException("s3.bucketKey", "must be true or false");
      }
      bucketKey = json.get("bucketKey").booleanValue();
    }
    Map<String, String> tags = new LinkedHashMap<>();
    JsonNode tagNode = json.get("tags");
    if (tagNode != null && !tagNode.isNull()) {
      if (!tagNode.isObject()) {
        throw new InvalidFieldException("s3.tags", "must be an object of strings, such as {\"partner\": \"acme\"}");
      }
      for (Iterator<Map.Entry<String, JsonNode>> entries = tagNode.fields(); entries.hasNext(); ) {
        Map.Entry<String, JsonNode> tag = entries.next();
        if (!tag.getValue().isTextual()) {
          throw new InvalidFieldException("s3.tags." + tag.getKey(), "must be a string");
        }
        tags.put(tag.getKey(), tag.getValue().textValue());
      }
    }
    try {
      return new WriteOptions(text(json, "sse"), text(json, "kmsKeyId"), bucketKey, text(json, "storageClass"),
          text(json, "acl"), tags);
    } catch (InvalidFieldException e) {
      throw new InvalidFieldException("s3." + e.field(), e.problem());
    }
  }

  /** The options as a JSON object, only the fields set. */
  public static ObjectNode toJson(WriteOptions options) {
    ObjectNode json = JSON.createObjectNode();
    putIfSet(json, "sse", options.sse());
    putIfSet(json, "kmsKeyId", options.kmsKeyId());
    if (options.bucketKey() != null) {
      json.put("bucketKey", options.bucketKey());
    }
    putIfSet(json, "storageClass", options.storageClass());
    putIfSet(json, "acl", options.acl());
    if (!options.tags().isEmpty()) {
      ObjectNode tags = json.putObject("tags");
      options.tags().forEach(tags::put);
    }
    return json;
  }

  /** As the state store keeps them: "" for none. */
  static String toText(WriteOptions options) {
    return options.isEmpty() ? "" : toJson(options).toString();
  }

  static WriteOptions fromText(String text) {
    if (text == null || text.isEmpty()) {
      return WriteOptions.NONE;
    }
    try {
      return parse(JSON.readTree(text));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a user's write options in the state store are not JSON: " + e.getMessage(), e);
    }
  }

  private static String text(JsonNode json, String field) {
    JsonNode value = json.get(field);
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isTextual()) {
      throw new InvalidFieldException("s3." + field, "must be a string");
    }
    return value.textValue();
  }

  private static void putIfSet(ObjectNode json, String field, String value) {
    if (value != null) {
      json.put(field, value);
    }
  }
}
