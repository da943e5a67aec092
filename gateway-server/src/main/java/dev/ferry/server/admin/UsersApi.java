package dev.ferry.server.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.core.admin.AdminCaller;
import dev.ferry.core.admin.AdminException;
import dev.ferry.core.admin.AdminRole;
import dev.ferry.core.admin.AdminStatus;
import dev.ferry.core.bandwidth.BandwidthLimit;
import dev.ferry.core.quota.QuotaLimit;
import dev.ferry.core.s3.WriteOptions;
import dev.ferry.core.state.StateStoreException;
import dev.ferry.core.user.AccountFields;
import dev.ferry.core.user.DisabledUserSessions;
import dev.ferry.core.user.DisabledUsers;
import dev.ferry.core.user.LoginLimits;
import dev.ferry.core.user.Permission;
import dev.ferry.core.user.User;
import dev.ferry.core.user.UserAccount;
import dev.ferry.core.user.UserAccounts;
import dev.ferry.core.user.UserRegistry;
import dev.ferry.core.user.UserPolicyJson;
import dev.ferry.core.user.VirtualFoldersJson;
import dev.ferry.core.user.WriteOptionsJson;
import io.netty.handler.codec.http.HttpMethod;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The users resource of the versioned REST API: {@code /api/v1/users} (GET: every user, POST: a
 * new one), {@code /api/v1/users/{name}} (GET, PUT, PATCH, DELETE), {@code /api/v1/users/{name}/keys}
 * (POST: add a key) and {@code /api/v1/users/{name}/keys/{fingerprint}} (DELETE). Bodies are JSON
 * with the fields of {@link AccountFields}; an unknown field is refused, naming it. A user's
 * representation carries its {@code version}, also as the ETag: PUT, PATCH and DELETE with
 * {@code If-Match} (or {@code "version"} in the body) fail with 412 when another change came first.
 * Users declared in ferry.yaml are listed ({@code "source": "config"}) but not changed here. A
 * read-only token may only GET.
 */
final class UsersApi {

  static final String PREFIX = "/api/v1/users";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> FIELDS = Set.of("name", "password", "passwordHash", "home", "permissions",
      "admin", "keys", "allowFrom", "expires", "s3", "bandwidth", "quota", "folders", "version");

  /** An answer: the HTTP status, its JSON body (null: none), the ETag to send (null: none). */
  record Reply(int status, String body, String etag, String location) {

    static Reply json(int status, JsonNode body, String etag) {
      return new Reply(status, body.toString(), etag, null);
    }
  }

  private final UserAccounts accounts;
  private final UserRegistry users;
  private final DisabledUsers disabled;
  private final DisabledUserSessions sessions;

  UsersApi(UserAccounts accounts, UserRegistry users, DisabledUsers disabled, DisabledUserSessions sessions) {
    this.accounts = accounts;
    this.users = users;
    this.disabled = disabled;
    this.sessions = sessions;
  }

  static boolean owns(String rawPath) {
    return rawPath.equals(PREFIX) || rawPath.startsWith(PREFIX + "/");
  }

  /** Answers one request; never throws: every failure is a reply naming the problem. */
  Reply handle(HttpMethod method, String rawPath, String body, String ifMatch, AdminCaller caller) {
    try {
      List<String> segments = ApiRequests.segments(rawPath.substring(PREFIX.length()));
      if (!method.equals(HttpMethod.GET) && caller.role() != AdminRole.ADMIN) {
        throw new AdminException(AdminStatus.REFUSED, "this token is read-only: " + method + " " + rawPath
            + " changes users");
      }
      return switch (segments.size()) {
        case 0 -> collection(method, body, caller);
        case 1 -> user(method, segments.get(0), body, ifMatch, caller);
        case 2, 3 -> {
          if (!segments.get(1).equals("keys")) {
            throw new AdminException(AdminStatus.NOT_FOUND, "no such endpoint " + rawPath);
          }
          yield keys(method, segments.get(0), segments.size() == 3 ? segments.get(2) : null, body, caller);
        }
        default -> throw new AdminException(AdminStatus.NOT_FOUND, "no such endpoint " + rawPath);
      };
    } catch (AdminException e) {
      return error(e.status(), e.getMessage());
    } catch (IllegalArgumentException e) {
      // InvalidFieldException among them: "s3.sse: must be one of ...".
      return error(AdminStatus.BAD_REQUEST, e.getMessage());
    } catch (StateStoreException e) {
      return error(AdminStatus.FAILED, e.getMessage());
    }
  }

  private Reply collection(HttpMethod method, String body, AdminCaller caller)
      throws AdminException, StateStoreException {
    if (method.equals(HttpMethod.GET)) {
      ObjectNode answer = JSON.createObjectNode();
      ArrayNode list = answer.putArray("users");
      for (User declared : users.all()) {
        list.add(declared(declared));
      }
      for (UserAccount account : accounts.all()) {
        list.add(kept(account));
      }
      return Reply.json(200, answer, null);
    }
    if (!method.equals(HttpMethod.POST)) {
      return notAllowed(method, "GET or POST");
    }
    JsonNode json = ApiRequests.object(body);
    String name = text(json, "name");
    if (name == null) {
      throw new AdminException(AdminStatus.BAD_REQUEST, "name: is required");
    }
    UserAccount created = accounts.create(name, fields(json), caller.name());
    return new Reply(201, kept(created).toString(), etag(created), PREFIX + "/" + name);
  }

  private Reply user(HttpMethod method, String name, String body, String ifMatch, AdminCaller caller)
      throws AdminException, StateStoreException {
    if (method.equals(HttpMethod.GET)) {
      Optional<User> declared = users.configured(name) ? users.find(name) : Optional.empty();
      if (declared.isPresent()) {
        return Reply.json(200, declared(declared.get()), null);
      }
      UserAccount account = accounts.find(name)
          .orElseThrow(() -> new AdminException(AdminStatus.NOT_FOUND, "no user '" + name + "'"));
      return Reply.json(200, kept(account), etag(account));
    }
    if (method.equals(HttpMethod.PUT) || method.equals(HttpMethod.PATCH)) {
      JsonNode json = ApiRequests.object(body);
      String named = text(json, "name");
      if (named != null && !named.equals(name)) {
        throw new AdminException(AdminStatus.BAD_REQUEST, "name: a user cannot be renamed ('" + named
            + "' in the body, '" + name + "' in the path)");
      }
      UserAccount updated = accounts.update(name, fields(json), method.equals(HttpMethod.PUT),
          version(ifMatch, json), caller.name());
      return Reply.json(200, kept(updated), etag(updated));
    }
    if (method.equals(HttpMethod.DELETE)) {
      JsonNode json = body == null || body.isBlank() ? null : ApiRequests.object(body);
      accounts.delete(name, version(ifMatch, json), caller.name());
      sessions.closeSessionsOf(name, "deleted");
      return new Reply(204, null, null, null);
    }
    return notAllowed(method, "GET, PUT, PATCH or DELETE");
  }

  private Reply keys(HttpMethod method, String name, String fingerprint, String body, AdminCaller caller)
      throws AdminException, StateStoreException {
    if (fingerprint == null && method.equals(HttpMethod.POST)) {
      JsonNode json = ApiRequests.object(body);
      for (Iterator<String> names = json.fieldNames(); names.hasNext(); ) {
        String field = names.next();
        if (!field.equals("key")) {
          throw new AdminException(AdminStatus.BAD_REQUEST, field + ": unknown field (a key is {\"key\": \"ssh-ed25519 AAAA... comment\"})");
        }
      }
      String key = text(json, "key");
      if (key == null) {
        throw new AdminException(AdminStatus.BAD_REQUEST, "key: is required (an authorized_keys line)");
      }
      UserAccount account = accounts.addKey(name, key, caller.name());
      return new Reply(201, kept(account).toString(), etag(account), PREFIX + "/" + name);
    }
    if (fingerprint != null && method.equals(HttpMethod.DELETE)) {
      String full = fingerprint.startsWith("SHA256:") ? fingerprint : "SHA256:" + fingerprint;
      accounts.removeKey(name, full, caller.name());
      return new Reply(204, null, null, null);
    }
    return notAllowed(method, fingerprint == null ? "POST" : "DELETE");
  }

  private ObjectNode kept(UserAccount account) {
    ObjectNode json = JSON.createObjectNode();
    json.put("name", account.name());
    json.put("source", "store");
    json.put("home", account.home().toString());
    permissions(json, account.permissions());
    json.put("admin", account.admin());
    json.put("hasPassword", account.hasPassword());
    ArrayNode keys = json.putArray("keys");
    for (UserAccount.Key key : account.keys()) {
      ObjectNode k = keys.addObject();
      k.put("fingerprint", key.fingerprint());
      k.put("key", key.line());
      k.put("comment", key.comment());
      k.put("addedBy", key.addedBy());
      k.put("addedAt", key.addedAt().toString());
    }
    disabled(json, account.name());
    limits(json, account.policy().login());
    policy(json, account.policy().objects(), account.policy().bandwidth());
    quota(json, account.policy().quota());
    json.set("folders", VirtualFoldersJson.toJson(account.policy().folders()));
    json.put("createdBy", account.createdBy());
    json.put("createdAt", account.createdAt().toString());
    json.put("updatedBy", account.updatedBy());
    json.put("updatedAt", account.updatedAt().toString());
    json.put("version", account.version());
    return json;
  }

  private ObjectNode declared(User user) {
    ObjectNode json = JSON.createObjectNode();
    json.put("name", user.name());
    json.put("source", "config");
    json.put("home", user.home().toString());
    permissions(json, user.permissions());
    json.put("admin", user.admin());
    json.put("hasPassword", user.passwordHash() != null);
    ArrayNode keys = json.putArray("keys");
    for (String line : user.publicKeys()) {
      ObjectNode k = keys.addObject();
      k.put("fingerprint", dev.ferry.core.user.AuthorizedKeyLine.fingerprint(line));
      k.put("key", line);
      k.put("comment", dev.ferry.core.user.AuthorizedKeyLine.comment(line));
    }
    disabled(json, user.name());
    limits(json, user.limits());
    policy(json, user.objects(), user.bandwidth());
    quota(json, user.quota());
    json.set("folders", VirtualFoldersJson.toJson(user.folders()));
    return json;
  }

  /** The user's s3 options (only those set) and bandwidth limit (bytes per second, 0: none). */
  private static void policy(ObjectNode json, WriteOptions objects, BandwidthLimit bandwidth) {
    json.set("s3", WriteOptionsJson.toJson(objects));
    ObjectNode rates = json.putObject("bandwidth");
    rates.put("up", bandwidth.upBytesPerSecond());
    rates.put("down", bandwidth.downBytesPerSecond());
  }

  /** The user's quota (0: none). */
  private static void quota(ObjectNode json, QuotaLimit quota) {
    ObjectNode limit = json.putObject("quota");
    limit.put("bytes", quota.bytes());
    limit.put("files", quota.files());
  }

  private static void limits(ObjectNode json, LoginLimits limits) {
    ArrayNode allowFrom = json.putArray("allowFrom");
    limits.allowFromText().forEach(allowFrom::add);
    if (limits.expires() != null) {
      json.put("expires", limits.expires().toString());
    }
  }

  private void disabled(ObjectNode json, String name) {
    json.put("disabled", disabled.lastRead(name).isPresent());
  }

  private static void permissions(ObjectNode json, Set<Permission> permissions) {
    ArrayNode list = json.putArray("permissions");
    permissions.stream().sorted().map(Permission::label).forEach(list::add);
  }

  private static AccountFields fields(JsonNode json) throws AdminException {
    for (Iterator<String> names = json.fieldNames(); names.hasNext(); ) {
      String field = names.next();
      if (!FIELDS.contains(field)) {
        throw new AdminException(AdminStatus.BAD_REQUEST, field + ": unknown field (known: "
            + String.join(", ", FIELDS.stream().sorted().toList()) + ")");
      }
    }
    Boolean admin = null;
    if (json.has("admin")) {
      if (!json.get("admin").isBoolean()) {
        throw new AdminException(AdminStatus.BAD_REQUEST, "admin: must be true or false");
      }
      admin = json.get("admin").booleanValue();
    }
    return new AccountFields(text(json, "password"), text(json, "passwordHash"), text(json, "home"),
        strings(json, "permissions"), admin, strings(json, "keys"), strings(json, "allowFrom"), text(json, "expires"),
        json.hasNonNull("s3") ? WriteOptionsJson.parse(json.get("s3")) : null,
        UserPolicyJson.bandwidth(json.get("bandwidth")), UserPolicyJson.quota(json.get("quota")),
        VirtualFoldersJson.parse(json.get("folders")));
  }

  private static long version(String ifMatch, JsonNode json) throws AdminException {
    if (ifMatch != null && !ifMatch.isBlank()) {
      String tag = ifMatch.trim();
      if (tag.startsWith("W/")) {
        tag = tag.substring(2);
      }
      tag = tag.replace("\"", "");
      try {
        return Long.parseLong(tag);
      } catch (NumberFormatException e) {
        throw new AdminException(AdminStatus.BAD_REQUEST, "If-Match: must be the user's ETag (its version), got '"
            + ifMatch + "'");
      }
    }
    if (json != null && json.has("version")) {
      if (!json.get("version").canConvertToLong()) {
        throw new AdminException(AdminStatus.BAD_REQUEST, "version: must be a number");
      }
      return json.get("version").longValue();
    }
    return UserAccounts.ANY_VERSION;
  }

  private static String etag(UserAccount account) {
    return "\"" + account.version() + "\"";
  }

  private static String text(JsonNode json, String field) throws AdminException {
    JsonNode value = json.get(field);
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isTextual()) {
      throw new AdminException(AdminStatus.BAD_REQUEST, field + ": must be a string");
    }
    return value.textValue();
  }

  private static List<String> strings(JsonNode json, String field) throws AdminException {
    JsonNode value = json.get(field);
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isArray()) {
      throw new AdminException(AdminStatus.BAD_REQUEST, field + ": must be a list of strings");
    }
    List<String> list = new ArrayList<>();
    for (JsonNode item : value) {
      if (!item.isTextual()) {
        throw new AdminException(AdminStatus.BAD_REQUEST, field + ": must be a list of strings");
      }
      list.add(item.textValue());
    }
    return list;
  }

  private static Reply notAllowed(HttpMethod method, String allowed) {
    return new Reply(405, dev.ferry.core.admin.AdminResponse.error(AdminStatus.BAD_REQUEST, method
        + " is not allowed here: use " + allowed).json(), null, null);
  }

  private static Reply error(AdminStatus status, String message) {
    return new Reply(status.httpStatus(), dev.ferry.core.admin.AdminResponse.error(status, message).json(), null, null);
  }
}
