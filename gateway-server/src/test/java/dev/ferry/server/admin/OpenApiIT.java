package dev.ferry.server.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.atlassian.oai.validator.model.Request;
import com.atlassian.oai.validator.model.SimpleRequest;
import com.atlassian.oai.validator.model.SimpleResponse;
import com.atlassian.oai.validator.report.ValidationReport;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.core.testing.S3TestServer;
import dev.ferry.server.EmbeddedFerry;
import dev.ferry.server.FerryServer;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The admin API against its own OpenAPI document (GET /api/v1/openapi.json), with Atlassian's
 * validator: every route and method of the document is called for real (successes and the errors
 * it lists), each request and answer validates against the document, every route called is in it,
 * and paths that are not in it are not answered (404).
 */
class OpenApiIT {

  static final String TOKEN = "openapi-admin-token-0123456789";
  static final String READ_TOKEN = "openapi-read-token-0123456789";
  static final ObjectMapper JSON = new ObjectMapper();
  static final HttpClient http = HttpClient.newHttpClient();

  @RegisterExtension
  static final S3TestServer s3 = new S3TestServer();

  @TempDir
  static Path dir;

  static FerryServer ferry;
  static String bucket;
  static OpenApiInteractionValidator validator;
  static JsonNode document;
  /** The routes called, as "METHOD /template", to compare with the document's. */
  static final Set<String> called = new TreeSet<>();
  static final List<String> problems = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    bucket = s3.createBucket();
    ferry = EmbeddedFerry.start(dir, EmbeddedFerry.loopbackConfig(dir.resolve("data"), s3) + """
        admin:
          http:
            bindAddress: 127.0.0.1
            port: 0
            token: %s
            tokens:
              - name: monitor
                token: %s
                role: read-only
        users:
          - name: alice
            home: s3://%s/alice/
            publicKeys: ["%s"]
        """.formatted(TOKEN, READ_TOKEN, bucket, PublicKeyEntry.toString(
        KeyUtils.generateKeyPair(KeyPairProvider.SSH_ED25519, 256).getPublic())), Map.of());
    HttpResponse<String> spec = send("GET", "/api/v1/openapi.json", TOKEN, null, null);
    assertEquals(200, spec.statusCode(), spec.body());
    document = JSON.readTree(spec.body());
    validator = OpenApiInteractionValidator.createForInlineApiSpecification(spec.body()).build();
  }

  @AfterAll
  static void stop() {
    if (ferry != null) {
      ferry.stop();
    }
  }

  @Test
  void everyRouteOfTheDocument_calledForReal_requestsAndAnswersValidate_noRouteOutsideIt() throws Exception {
    String key = PublicKeyEntry.toString(KeyUtils.generateKeyPair(KeyPairProvider.SSH_ED25519, 256).getPublic());
    String home = "s3://" + bucket + "/gina/";

    exchange("GET", "/health", "/health", null, null, null, 200);
    exchange("GET", "/api/v1/openapi.json", "/api/v1/openapi.json", TOKEN, null, null, 200);
    exchange("GET", "/api/v1/openapi.json", "/api/v1/openapi.json", null, null, null, 401);
    exchange("POST", "/api/v1/users", "/api/v1/users", TOKEN, Map.of("name", "gina", "password",
        "gina-Pa55word-long", "home", home, "keys", List.of(key)), null, 201);
    exchange("POST", "/api/v1/users", "/api/v1/users", TOKEN, Map.of("name", "gina", "password",
        "gina-Pa55word-long", "home", home), null, 409);
    exchange("POST", "/api/v1/users", "/api/v1/users", TOKEN, Map.of("name", "hank", "password", "short",
        "home", home), null, 400);
    exchange("POST", "/api/v1/users", "/api/v1/users", READ_TOKEN, Map.of("name", "hank", "password",
        "hank-Pa55word-long", "home", home), null, 403);
    exchange("GET", "/api/v1/users", "/api/v1/users", READ_TOKEN, null, null, 200);
    exchange("GET", "/api/v1/users/{name}", "/api/v1/users/gina", TOKEN, null, null, 200);
    exchange("GET", "/api/v1/users/{name}", "/api/v1/users/alice", TOKEN, null, null, 200);
    exchange("GET", "/api/v1/users/{name}", "/api/v1/users/nobody", TOKEN, null, null, 404);
    exchange("PATCH", "/api/v1/users/{name}", "/api/v1/users/gina", TOKEN, Map.of("permissions",
        List.of("list", "read", "write")), "\"1\"", 200);
    exchange("PATCH", "/api/v1/users/{name}", "/api/v1/users/gina", TOKEN, Map.of("admin", true), "\"1\"", 412);
    exchange("PUT", "/api/v1/users/{name}", "/api/v1/users/gina", TOKEN, Map.of("home", home,
        "permissions", List.of("all")), null, 200);
    exchange("PUT", "/api/v1/users/{name}", "/api/v1/users/alice", TOKEN, Map.of("home", home), null, 409);
    String second = PublicKeyEntry.toString(KeyUtils.generateKeyPair(KeyPairProvider.SSH_ED25519, 256).getPublic());
    JsonNode added = exchange("POST", "/api/v1/users/{name}/keys", "/api/v1/users/gina/keys", TOKEN,
        Map.of("key", second), null, 201);
    exchange("POST", "/api/v1/users/{name}/keys", "/api/v1/users/gina/keys", TOKEN, Map.of("key", second), null, 409);
    String fingerprint = added.get("keys").get(1).get("fingerprint").asText();
    exchange("DELETE", "/api/v1/users/{name}/keys/{fingerprint}", "/api/v1/users/gina/keys/"
        + URLEncoder.encode(fingerprint, StandardCharsets.UTF_8), TOKEN, null, null, 204);
    exchange("DELETE", "/api/v1/users/{name}/keys/{fingerprint}", "/api/v1/users/gina/keys/"
        + URLEncoder.encode(fingerprint, StandardCharsets.UTF_8), TOKEN, null, null, 404);
    exchange("DELETE", "/api/v1/users/{name}", "/api/v1/users/gina", TOKEN, null, "\"1\"", 412);
    exchange("DELETE", "/api/v1/users/{name}", "/api/v1/users/gina", TOKEN, null, null, 204);
    exchange("GET", "/api/{command}", "/api/users", READ_TOKEN, null, null, 200);
    exchange("GET", "/api/{command}", "/api/jobs?arg=failed", TOKEN, null, null, 200);
    exchange("GET", "/api/{command}", "/api/nosuchcommand", TOKEN, null, null, 404);
    exchange("POST", "/api/{command}", "/api/user", TOKEN, Map.of("args", List.of("disable", "nobody")), null, 404);
    exchange("POST", "/api/{command}", "/api/user", READ_TOKEN, Map.of("args", List.of("disable", "alice")), null, 403);

    exchange("GET", "/api/v1/jobs", "/api/v1/jobs", READ_TOKEN, null, null, 200);
    exchange("GET", "/api/v1/jobs", "/api/v1/jobs?state=failed&limit=5", READ_TOKEN, null, null, 200);
    exchange("GET", "/api/v1/jobs", "/api/v1/jobs?colour=red", READ_TOKEN, null, null, 400);
    exchange("GET", "/api/v1/jobs/{id}", "/api/v1/jobs/0123456789abcdef", READ_TOKEN, null, null, 404);
    exchange("POST", "/api/v1/jobs/{id}/cancel", "/api/v1/jobs/0123456789abcdef/cancel", TOKEN, null, null, 404);
    exchange("POST", "/api/v1/jobs/{id}/cancel", "/api/v1/jobs/0123456789abcdef/cancel", READ_TOKEN, null, null, 403);
    exchange("POST", "/api/v1/transfers", "/api/v1/transfers", TOKEN, Map.of("source", "s3://" + bucket + "/x.bin",
        "target", "nohost:/data/x.bin"), null, 400);
    exchange("POST", "/api/v1/transfers", "/api/v1/transfers", TOKEN, Map.of("source", "s3://" + bucket + "/x.bin"),
        null, 400);
    exchange("GET", "/api/v1/syncs", "/api/v1/syncs", READ_TOKEN, null, null, 200);
    exchange("POST", "/api/v1/syncs/{name}/runs", "/api/v1/syncs/nightly/runs", TOKEN, null, null, 404);
    exchange("GET", "/api/v1/sessions", "/api/v1/sessions", READ_TOKEN, null, null, 200);
    exchange("DELETE", "/api/v1/sessions/{id}", "/api/v1/sessions/sftp-nobody-1", TOKEN, null, null, 404);

    assertEquals(List.of(), problems, "requests or answers that do not validate against the document");
    assertEquals(documented(), called, "the routes called are the document's, no more, no fewer");
    for (String outside : List.of("/api/v2/users", "/api/v1/nothing", "/api/v1/users/gina/files", "/nothing")) {
      HttpResponse<String> answer = send("GET", outside, TOKEN, null, null);
      assertEquals(404, answer.statusCode(), outside + ": " + answer.body());
    }
  }

  /** Every "METHOD /template" the document lists. */
  private static Set<String> documented() {
    Set<String> routes = new TreeSet<>();
    for (Iterator<Map.Entry<String, JsonNode>> paths = document.get("paths").fields(); paths.hasNext(); ) {
      Map.Entry<String, JsonNode> path = paths.next();
      for (Iterator<String> methods = path.getValue().fieldNames(); methods.hasNext(); ) {
        String method = methods.next();
        if (Set.of("get", "put", "post", "patch", "delete").contains(method)) {
          routes.add(method.toUpperCase() + " " + path.getKey());
        }
      }
    }
    return routes;
  }

  /** Calls the route, checks its status, validates the request and the answer; returns the answer's JSON. */
  private static JsonNode exchange(String method, String template, String path, String token, Object body,
      String ifMatch, int expected) throws Exception {
    called.add(method + " " + template);
    String json = body == null ? null : JSON.writeValueAsString(body);
    HttpResponse<String> answer = send(method, path, token, json, ifMatch);
    assertEquals(expected, answer.statusCode(), method + " " + path + ": " + answer.body());
    int query = path.indexOf('?');
    SimpleRequest.Builder request = new SimpleRequest.Builder(Request.Method.valueOf(method),
        query < 0 ? path : path.substring(0, query));
    if (query >= 0) {
      for (String pair : path.substring(query + 1).split("&")) {
        String[] parts = pair.split("=", 2);
        request.withQueryParam(parts[0], parts.length > 1 ? parts[1] : "");
      }
    }
    if (token != null) {
      request.withHeader("Authorization", "Bearer " + token);
    }
    if (json != null) {
      request.withContentType("application/json").withBody(json);
    }
    if (ifMatch != null) {
      request.withHeader("If-Match", ifMatch);
    }
    SimpleResponse.Builder response = SimpleResponse.Builder.status(answer.statusCode());
    answer.headers().map().forEach((name, values) -> response.withHeader(name, values));
    if (!answer.body().isEmpty()) {
      response.withBody(answer.body());
    }
    // A request refused as bad input (400) is meant not to fit the document: its answer still must.
    ValidationReport report = expected == 400
        ? validator.validateResponse(request.build().getPath(), Request.Method.valueOf(method), response.build())
        : validator.validate(request.build(), response.build());
    if (report.hasErrors()) {
      problems.add(method + " " + path + " -> " + answer.statusCode() + ": " + report.getMessages());
    }
    return answer.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(answer.body());
  }

  private static HttpResponse<String> send(String method, String path, String token, String body, String ifMatch)
      throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ferry.adminHttp().port()
        + path)).timeout(Duration.ofSeconds(30))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    if (body != null) {
      request.header("Content-Type", "application/json");
    }
    if (ifMatch != null) {
      request.header("If-Match", ifMatch);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
