package dev.ferry.jobs.workflow;

import dev.ferry.jobs.engine.JobException;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The notify step: an HTTP POST of the event as JSON, signed as GitHub signs its webhooks
 * ({@code X-Ferry-Signature: sha256=<hex of HMAC-SHA256 of the body>}), with the event's id in
 * {@code X-Ferry-Event-Id} so that a receiver drops a repeat (delivery is at least once: a POST whose
 * answer was lost is sent again). A 2xx answer delivers it; a 5xx, 408, 429 or no answer is tried
 * again by the job engine with its backoff; any other answer fails the step with the receiver's reason.
 */
final class Notifier {

  static final String SIGNATURE_HEADER = "X-Ferry-Signature";
  static final String EVENT_ID_HEADER = "X-Ferry-Event-Id";

  /**
   * Made at the first POST, not with the workflows: building an HttpClient makes an SSLSocket, and
   * the JDK settles TLS settings other parts of Ferry rely on (FTPS's close_notify check) at the first.
   */
  private HttpClient http;

  private synchronized HttpClient http() {
    if (http == null) {
      http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    }
    return http;
  }

  void post(WorkflowStep.Notify step, String eventId, byte[] body) throws IOException, InterruptedException {
    HttpRequest request = HttpRequest.newBuilder(step.url()).timeout(Duration.ofSeconds(30))
        .header("Content-Type", "application/json")
        .header(EVENT_ID_HEADER, eventId)
        .header(SIGNATURE_HEADER, "sha256=" + sign(step.secret(), body))
        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
    HttpResponse<String> response;
    try {
      response = http().send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new IOException("notify " + step.url() + ": " + e, e);
    }
    int status = response.statusCode();
    if (status / 100 == 2) {
      return;
    }
    String answer = "notify " + step.url() + ": HTTP " + status + " " + abbreviate(response.body());
    if (status / 100 == 5 || status == 408 || status == 429) {
      throw new IOException(answer);
    }
    throw JobException.permanent(answer);
  }

  static String sign(String secret, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal(body));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("every JDK has HmacSHA256", e);
    }
  }

  private static String abbreviate(String body) {
    String line = body.replaceAll("\\s+", " ").trim();
    return line.length() > 200 ? line.substring(0, 200) + "..." : line;
  }
}
