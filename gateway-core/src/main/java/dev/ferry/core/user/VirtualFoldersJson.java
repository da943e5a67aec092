package dev.ferry.core.user;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.core.config.InvalidFieldException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * A user's folders as JSON, with ferry.yaml's names: {@code [{"path": "/shared", "target":
 * "s3://bucket/prefix/", "permissions": ["list", "read"], "s3": {...}}]}, as the users API takes and
 * shows them and the state store keeps them. A field that cannot be read throws
 * {@link InvalidFieldException} naming it ({@code folders[0].permissions}).
 */
public final class VirtualFoldersJson {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> FIELDS = Set.of("path", "target", "permissions", "storage", "s3", "quota");

  private VirtualFoldersJson() {}

  /** The folders {@code json} (a list) gives, not yet checked ({@link VirtualFolders#check}); null when absent. */
  public static List<VirtualFolders.Given> parse(JsonNode json) {
    if (json == null || json.isNull()) {
      return null;
    }
    if (!json.isArray()) {
      throw new InvalidFieldException("folders", "must be a list such as [{\"path\": \"/shared\", \"target\":"
          + " \"s3://bucket/prefix/\", \"permissions\": [\"list\", \"read\"]}]");
    }
    List<VirtualFolders.Given> folders = new ArrayList<>();
    for (int i = 0; i < json.size(); i++) {
      String field = "folders[" + i + "]";
      JsonNode folder = json.get(i);
      if (!folder.isObject()) {
        throw new InvalidFieldException(field, "must be an object with path, target and permissions");
      }
      for (Iterator<String> names = folder.fieldNames(); names.hasNext(); ) {
        String name = names.next();
        if (!FIELDS.contains(name)) {
          throw new InvalidFieldException(field + "." + name, "unknown field (known: path, permissions, quota, s3,"
              + " storage, target)");
        }
      }
      List<String> permissions = null;
      JsonNode given = folder.get("permissions");
      if (given != null && !given.isNull()) {
        if (!given.isArray()) {
          throw new InvalidFieldException(field + ".permissions", "must be a list of permission names");
        }
        permissions = new ArrayList<>();
        for (JsonNode permission : given) {
          permissions.add(permission.isTextual() ? permission.textValue() : null);
        }
      }
      try {
        folders.add(new VirtualFolders.Given(text(folder, "path", field), text(folder, "target", field), permissions,
            text(folder, "storage", field), folder.hasNonNull("s3") ? WriteOptionsJson.parse(folder.get("s3")) : null,
            UserPolicyJson.quota(folder.get("quota"))));
      } catch (InvalidFieldException e) {
        throw e.field().startsWith("folders[") ? e : new InvalidFieldException(field + "." + e.field(), e.problem());
      }
    }
    return folders;
  }

  /** The folders as the API shows them: every field, the storage only when not the s3: service. */
  public static ArrayNode toJson(List<VirtualFolder> folders) {
    ArrayNode list = JSON.createArrayNode();
    for (VirtualFolder folder : folders) {
      ObjectNode json = list.addObject();
      json.put("path", folder.path());
      json.put("target", folder.target().toString());
      ArrayNode permissions = json.putArray("permissions");
      folder.permissions().stream().sorted().map(Permission::label).forEach(permissions::add);
      if (!folder.storage().equals(VirtualFolders.MAIN_STORAGE)) {
        json.put("storage", folder.storage());
      }
      if (!folder.objects().isEmpty()) {
        json.set("s3", WriteOptionsJson.toJson(folder.objects()));
      }
      if (!folder.quota().isNone()) {
        ObjectNode quota = json.putObject("quota");
        quota.put("bytes", folder.quota().bytes());
        quota.put("files", folder.quota().files());
      }
    }
    return list;
  }

  /** As the state store keeps them: "" for none. */
  static String toText(List<VirtualFolder> folders) {
    return folders.isEmpty() ? "" : toJson(folders).toString();
  }

  /**
   * What {@link #toText} kept, checked again as when it was given but for its storage: one that
   * ferry.yaml no longer has fails the folder's requests, naming it, not every read of the users.
   */
  static List<VirtualFolder> fromText(String text, dev.ferry.core.s3.S3Location home) {
    if (text == null || text.isEmpty()) {
      return List.of();
    }
    try {
      return VirtualFolders.check(parse(JSON.readTree(text)), home, null);
    } catch (JsonProcessingException | InvalidFieldException e) {
      throw new IllegalStateException("a user's folders in the state store cannot be read: " + e.getMessage(), e);
    }
  }

  private static String text(JsonNode json, String name, String field) {
    JsonNode value = json.get(name);
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isTextual()) {
      throw new InvalidFieldException(field + "." + name, "must be a string");
    }
    return value.textValue();
  }
}
