package dev.ferry.core.user;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.core.s3.S3Location;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.util.OpenSSHPublicKeyUtil;
import org.bouncycastle.crypto.util.PublicKeyFactory;

/**
 * Logins decided by an HTTP endpoint the operator runs (as AWS Transfer Family's custom identity
 * provider and SFTPGo's external authentication): for a name neither ferry.yaml nor the store
 * knows, Ferry POSTs {@code {"username", "password" | "publicKey", "protocol", "clientIp"}} as JSON
 * to {@code auth.http.url}. A 200 answer is the user, in the API's shape ({@code home},
 * {@code permissions}, {@code admin}); 401 or 403 refuses the login (a failure of the client's);
 * anything else, or no answer within {@code timeout}, refuses it as {@link IdentityUnavailableException}
 * (not the client's failure). A yes is kept for {@code cacheFor}, keyed by the name and a keyed
 * hash of the password or the key (the password itself is never kept), so a burst of logins asks
 * once; a no is never kept.
 */
public final class HttpIdentityProvider implements Authenticator {

  /** What ferry.yaml's {@code auth.http} says. */
  public record Settings(URI url, Duration timeout, Duration cacheFor) {}

  private record Answer(User user, Instant until) {}

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Settings settings;
  private final Clock clock;
  private final HttpClient http;
  private final Map<String, Answer> answers = new ConcurrentHashMap<>();
  /** The key of the cache's hashes: made at start, never written anywhere. */
  private final SecretKeySpec cacheKey;

  public HttpIdentityProvider(Settings settings, Clock clock) {
    this.settings = settings;
    this.clock = clock;
    this.http = HttpClient.newBuilder().connectTimeout(settings.timeout()).build();
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    this.cacheKey = new SecretKeySpec(key, "HmacSHA256");
  }

  @Override
  public Optional<User> password(String name, char[] password) {
    return password(name, password, new LoginSource("unknown", "unknown"));
  }

  @Override
  public Optional<User> password(String name, char[] password, LoginSource from) {
    ObjectNode body = request(name, from);
    body.put("password", new String(password));
    return decide(name, "password " + hash(utf8(password)), body);
  }

  @Override
  public Optional<User> publicKey(String name, PublicKey key, LoginSource from) {
    String line = authorizedKey(key);
    ObjectNode body = request(name, from);
    body.put("publicKey", line);
    return decide(name, "key " + line, body);
  }

  private ObjectNode request(String name, LoginSource from) {
    ObjectNode body = JSON.createObjectNode();
    body.put("username", name);
    body.put("protocol", from.protocol());
    body.put("clientIp", from.address());
    return body;
  }

  private Optional<User> decide(String name, String credential, ObjectNode body) {
    String cacheEntry = name + '\0' + credential;
    Answer known = answers.get(cacheEntry);
    Instant now = clock.instant();
    if (known != null && now.isBefore(known.until())) {
      return Optional.of(known.user());
    }
    answers.remove(cacheEntry);
    HttpResponse<String> response;
    try {
      response = http.send(HttpRequest.newBuilder(settings.url()).timeout(settings.timeout())
          .header("Content-Type", "application/json").header("Accept", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new IdentityUnavailableException("the identity provider " + settings.url() + " did not answer ("
          + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IdentityUnavailableException("interrupted while asking the identity provider " + settings.url(), e);
    }
    if (response.statusCode() == 401 || response.statusCode() == 403) {
      return Optional.empty();
    }
    if (response.statusCode() != 200) {
      throw new IdentityUnavailableException("the identity provider " + settings.url() + " answered "
          + response.statusCode() + " (200 admits, 401 or 403 refuses)", null);
    }
    User user = user(name, response.body());
    if (!settings.cacheFor().isNegative() && !settings.cacheFor().isZero()) {
      answers.put(cacheEntry, new Answer(user, now.plus(settings.cacheFor())));
    }
    return Optional.of(user);
  }

  /**
   * The 200 answer's user: the login's name, a home, permissions (list, read when left out), admin,
   * and optionally the policy fields of the users API (allowFrom, expires, s3, bandwidth, quota, folders).
   */
  private User user(String name, String body) {
    try {
      JsonNode json = JSON.readTree(body);
      if (json == null || !json.isObject()) {
        throw new IllegalArgumentException("not a JSON object");
      }
      if (json.hasNonNull("name") && !name.equals(json.get("name").asText())) {
        throw new IllegalArgumentException("it names user '" + json.get("name").asText() + "'");
      }
      if (!json.hasNonNull("home")) {
        throw new IllegalArgumentException("it has no home");
      }
      S3Location home = S3Location.parsePrefix(json.get("home").asText());
      List<String> names = new ArrayList<>();
      if (json.has("permissions")) {
        json.get("permissions").forEach(permission -> names.add(permission.asText()));
      } else {
        names.addAll(List.of("list", "read"));
      }
      UserPolicy policy = new UserPolicy(UserPolicyJson.loginLimits(json),
          json.hasNonNull("s3") ? WriteOptionsJson.parse(json.get("s3")) : null,
          UserPolicyJson.bandwidth(json.get("bandwidth")), UserPolicyJson.quota(json.get("quota")),
          folders(json.get("folders"), home));
      return new User(name, null, home, Permission.parseAll(names), List.of(), json.path("admin").asBoolean(false),
          policy);
    } catch (IOException | IllegalArgumentException e) {
      throw new IdentityUnavailableException("the identity provider " + settings.url() + " admitted user " + name
          + " with an answer Ferry cannot use: " + e.getMessage(), e);
    }
  }

  /**
   * The answer's folders, checked as the users API's are, on the s3: service. Their objects are
   * written with the options of the place that holds them, as the user's own are: an answer's
   * {@code s3} on a folder is refused rather than left unused.
   */
  private static List<VirtualFolder> folders(JsonNode json, S3Location home) {
    List<VirtualFolders.Given> given = VirtualFoldersJson.parse(json);
    if (given == null) {
      return List.of();
    }
    for (int i = 0; i < given.size(); i++) {
      if (given.get(i).objects() != null) {
        throw new dev.ferry.core.config.InvalidFieldException("folders[" + i + "].s3", "an identity provider's"
            + " folders are written with the options of the home or folder ferry.yaml gives their target");
      }
    }
    return VirtualFolders.check(given, home, java.util.Set.of());
  }

  /** The key as an authorized_keys line ("ssh-ed25519 AAAA..."), as the provider would store it. */
  static String authorizedKey(PublicKey key) {
    try {
      byte[] blob = OpenSSHPublicKeyUtil.encodePublicKey(PublicKeyFactory.createKey(key.getEncoded()));
      ByteBuffer buffer = ByteBuffer.wrap(blob);
      byte[] type = new byte[buffer.getInt()];
      buffer.get(type);
      return new String(type, StandardCharsets.US_ASCII) + " " + Base64.getEncoder().encodeToString(blob);
    } catch (IOException | RuntimeException e) {
      throw new IdentityUnavailableException("a " + key.getAlgorithm() + " key cannot be sent to the identity provider: "
          + e.getMessage(), e);
    }
  }

  private String hash(byte[] secret) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(cacheKey);
      return HexFormat.of().formatHex(mac.doFinal(secret));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
    } finally {
      Arrays.fill(secret, (byte) 0);
    }
  }

  private static byte[] utf8(char[] password) {
    ByteBuffer bytes = StandardCharsets.UTF_8.encode(CharBuffer.wrap(password));
    byte[] copy = new byte[bytes.remaining()];
    bytes.get(copy);
    return copy;
  }
}
