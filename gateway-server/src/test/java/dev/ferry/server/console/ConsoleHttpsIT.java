package dev.ferry.server.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.testing.S3TestServer;
import dev.ferry.core.user.PasswordHasher;
import dev.ferry.server.EmbeddedFerry;
import dev.ferry.server.FerryServer;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/** With admin.http.tls the console is HTTPS only, on the FTPS certificate, and its cookie is Secure. */
class ConsoleHttpsIT {

  static final String PASSWORD = "tls console pass";

  @RegisterExtension
  static final S3TestServer s3 = new S3TestServer();

  @TempDir
  static Path dir;

  static FerryServer ferry;

  @BeforeAll
  static void start() throws Exception {
    String bucket = s3.createBucket();
    String yaml = EmbeddedFerry.loopbackConfig(dir.resolve("data"), s3) + """
        admin:
          http:
            bindAddress: 127.0.0.1
            port: 0
            token: test-token-0123456789abcdef
            tls: true
        users:
          - name: ops
            passwordHash: "%s"
            home: s3://%s/ops/
            admin: true
        """.formatted(PasswordHasher.hash(PASSWORD.toCharArray()), bucket);
    ferry = EmbeddedFerry.start(dir, yaml, Map.of());
  }

  @AfterAll
  static void stop() {
    if (ferry != null) {
      ferry.stop();
    }
  }

  @Test
  void signIn_overHttps_secureCookieAndTheDashboard() {
    // Ferry's generated certificate is self-signed: the browser is told to accept it, nothing else.
    WebDriver browser = HeadlessChromium.start("--ignore-certificate-errors");
    try {
      WebDriverWait wait = HeadlessChromium.waitFor(browser);
      String base = "https://127.0.0.1:" + ferry.adminHttp().port();
      browser.get(base + "/console/");
      wait.until(ExpectedConditions.urlToBe(base + "/console/login"));
      HeadlessChromium.signIn(browser, wait, "ops", PASSWORD);
      wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("job-counts")));
      Cookie session = browser.manage().getCookieNamed("ferry_console");
      assertTrue(session.isSecure(), "Secure under TLS");
      assertTrue(session.isHttpOnly());
      assertEquals("/console", session.getPath());
      HeadlessChromium.screenshot(browser, "12-https-dashboard");
    } finally {
      browser.quit();
    }
  }
}
