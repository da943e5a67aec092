package dev.ferry.server.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.testing.S3TestServer;
import dev.ferry.core.testing.TrustAll;
import dev.ferry.server.EmbeddedFerry;
import dev.ferry.server.FerryServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code admin.http.tls: true}: the admin API speaks HTTPS only, with the FTPS certificate and TLS policy. */
class AdminHttpsIT {

  private static final String TOKEN = "test-token-0123456789abcdef";

  @RegisterExtension
  static final S3TestServer s3 = new S3TestServer();

  @TempDir
  static Path dir;

  static FerryServer ferry;

  @BeforeAll
  static void start() throws Exception {
    String bucket = s3.createBucket();
    String yaml = """
        dataDir: %s
        %s
        ftps:
          bindAddress: 127.0.0.1
          port: 0
          implicitPort: -1
          passivePorts: "0"
        sftp:
          enabled: false
        admin:
          http:
            bindAddress: 127.0.0.1
            port: 0
            token: %s
            tls: true
        users:
          - name: bob
            home: s3://%s/bob/
            publicKeys: []
        """.formatted(dir.resolve("data"), s3.configSection(), TOKEN, bucket);
    ferry = EmbeddedFerry.start(dir, yaml, Map.of());
  }

  @AfterAll
  static void stop() {
    if (ferry != null) {
      ferry.stop();
    }
  }

  private static HttpClient client(String... protocols) throws Exception {
    SSLContext context = TrustAll.sslContext();
    SSLParameters parameters = new SSLParameters();
    parameters.setProtocols(protocols);
    return HttpClient.newBuilder().sslContext(context).sslParameters(parameters).build();
  }

  private static HttpResponse<String> get(HttpClient client, String path, String token) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + ferry.adminHttp().port()
        + path)).timeout(Duration.ofSeconds(20));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void https_withTheToken_runsCommands_withoutIt401() throws Exception {
    HttpClient tls13 = client("TLSv1.3");
    assertEquals(200, get(tls13, "/health", null).statusCode());
    HttpResponse<String> jobs = get(tls13, "/api/jobs", TOKEN);
    assertEquals(200, jobs.statusCode(), jobs.body());
    assertEquals(401, get(client("TLSv1.2"), "/api/jobs", null).statusCode());
  }

  @Test
  void plainHttp_getsNoAnswer_andOldTlsIsRefused() throws Exception {
    try (Socket socket = new Socket("127.0.0.1", ferry.adminHttp().port())) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(("GET /api/jobs HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + TOKEN + "\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      byte[] answer = in.readNBytes(5);
      assertTrue(answer.length < 5 || !new String(answer, StandardCharsets.US_ASCII).startsWith("HTTP/"),
          "a plain HTTP request was answered in plain HTTP");
    } catch (IOException closed) {
      // closed or reset by the TLS handler: also no plain answer
    }
    assertThrows(IOException.class, () -> get(client("TLSv1.1"), "/health", null));
  }

}
