package dev.ferry.jobs.batch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.jobs.engine.JobException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;

/**
 * Indexes a manifest into Elasticsearch or OpenSearch with one {@code _bulk} request: an
 * {@code index} action and a document per original, as NDJSON. Each document's id is derived from
 * its original and archive, so a manifest sent twice (an answer lost, a retry) leaves one document
 * per original. A 2xx answer without item errors indexes it; anything else throws, and the manifest
 * stays pending for the next attempt or run.
 */
final class BulkIndex {

  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * Made at the first request, not with the batches: building an HttpClient makes an SSLSocket, and
   * the JDK settles TLS settings other parts of Ferry rely on (FTPS's close_notify check) at the first.
   */
  private HttpClient http;

  private synchronized HttpClient http() {
    if (http == null) {
      http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    }
    return http;
  }

  /** The request body: per original, its action line and its document, each line ending in a newline. */
  static byte[] ndjson(Manifest manifest, String index, String manifestAt) throws IOException {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    for (Manifest.Entry entry : manifest.files()) {
      ObjectNode action = JSON.createObjectNode();
      action.putObject("index").put("_index", index).put("_id", documentId(entry));
      ObjectNode document = JSON.valueToTree(entry);
      document.put("batch", manifest.batch());
      document.put("job", manifest.job());
      document.put("manifest", manifestAt);
      document.put("archived", manifest.created());
      body.write(JSON.writeValueAsBytes(action));
      body.write('\n');
      body.write(JSON.writeValueAsBytes(document));
      body.write('\n');
    }
    return body.toByteArray();
  }

  private static String documentId(Manifest.Entry entry) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(entry.archive().getBytes(StandardCharsets.UTF_8));
      sha.update((byte) '\n');
      return HexFormat.of().formatHex(sha.digest(entry.key().getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  /**
   * Sends the manifest. An unreachable index, a 5xx, 408 or 429 answer, or item errors throw a
   * retryable failure; any other answer a permanent one with the index's reason.
   */
  void send(BatchDefinition.Index index, Manifest manifest, String manifestAt) throws IOException,
      InterruptedException {
    URI bulk = URI.create(index.url() + "/_bulk");
    HttpRequest request = HttpRequest.newBuilder(bulk).timeout(Duration.ofSeconds(60))
        .header("Content-Type", "application/x-ndjson")
        .POST(HttpRequest.BodyPublishers.ofByteArray(ndjson(manifest, index.name(), manifestAt))).build();
    HttpResponse<String> response;
    try {
      response = http().send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw JobException.retryable("indexing " + manifestAt + " into " + bulk + ": " + e, e);
    }
    int status = response.statusCode();
    String answer = "indexing " + manifestAt + " into " + bulk + ": HTTP " + status + " ";
    if (status / 100 == 2) {
      JsonNode body = JSON.readTree(response.body());
      if (body.path("errors").asBoolean(false)) {
        throw JobException.retryable(answer + "with item errors, the first: " + firstError(body));
      }
      return;
    }
    if (status / 100 == 5 || status == 408 || status == 429) {
      throw JobException.retryable(answer + abbreviate(response.body()));
    }
    throw JobException.permanent(answer + abbreviate(response.body()));
  }

  private static String firstError(JsonNode body) {
    for (JsonNode item : body.path("items")) {
      JsonNode error = item.elements().hasNext() ? item.elements().next().path("error") : null;
      if (error != null && !error.isMissingNode()) {
        return abbreviate(error.toString());
      }
    }
    return "(none named)";
  }

  private static String abbreviate(String body) {
    String line = body.replaceAll("\\s+", " ").trim();
    return line.length() > 200 ? line.substring(0, 200) + "..." : line;
  }
}
