package dev.ferry.server.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.testing.OpenSshServer;
import dev.ferry.core.testing.S3TestServer;
import dev.ferry.server.EmbeddedFerry;
import dev.ferry.server.FerryServer;
import dev.ferry.server.OpenSshSftp;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Names that hold markup, shown on every console page that shows names, in a real headless
 * Chromium against a whole Ferry: an object key, a job's source, destination and error, a remote's
 * root, a user's home, key comment and disabling reason, and what was typed into a refused form.
 * Each page shows them as text: no element of theirs is in the page and no script of theirs ran.
 */
class ConsoleHostileNamesIT {

  static final String PASSWORD = "console pass 42";
  static final String TOKEN = "hostile-names-token-0123456789";
  /** Closes an attribute and adds an element whose handler would set window.pwned. No "/": it is one path segment. */
  static final String IMG = "\"><img src=x onerror=window.pwned=2>";
  /** A script element; its "/" makes it two segments of a path or key. */
  static final String SCRIPT = "<script>window.pwned=1</script>";

  @RegisterExtension
  static final S3TestServer s3 = new S3TestServer();

  @TempDir
  static Path dir;

  static OpenSshServer sshd;
  static FerryServer ferry;
  static String bucket;
  static Path remote;
  static String base;
  static HttpClient http;

  WebDriver browser;
  WebDriverWait wait;

  @BeforeAll
  static void start() throws Exception {
    sshd = new OpenSshServer(dir.resolve("sshd"));
    bucket = s3.createBucket();
    remote = Files.createDirectories(dir.resolve("remote"));
    String yaml = EmbeddedFerry.loopbackConfig(dir.resolve("data"), s3) + EmbeddedFerry.remote("local", sshd, remote)
        + EmbeddedFerry.refusingRemote("gone", sshd, "/data/" + IMG) + """
        jobs:
          maxAttempts: 1
        """ + EmbeddedFerry.adminHttp(TOKEN) + EmbeddedFerry.adminUser("ops", PASSWORD, bucket);
    ferry = EmbeddedFerry.start(dir, yaml, Map.of());
    base = "http://127.0.0.1:" + ferry.adminHttp().port();
    http = HttpClient.newHttpClient();

    s3.put(bucket, "hostile/" + IMG + ".bin", new byte[10]);
    s3.put(bucket, "hostile/" + SCRIPT + ".bin", new byte[10]);
    // Done: its source and destination hold the markup. Failed: its error names the folder that is a file.
    api("transfer", "s3://" + bucket + "/hostile/" + IMG + ".bin", "local:" + remote.resolve(IMG + ".bin"));
    Files.writeString(remote.resolve("a file"), "not a folder");
    api("transfer", "s3://" + bucket + "/hostile/" + IMG + ".bin", "local:" + remote.resolve("a file/" + IMG)
        + ".bin", "--mode", "relay");
    String key = OpenSshSftp.withNewKey(Files.createDirectories(dir.resolve("eve-key"))).publicKey.split(" ")[1];
    api("user", "add", "eve", "--home", "s3://" + bucket + "/" + IMG + "/", "--permissions", "list,read", "--key",
        "ssh-ed25519 " + key + " " + SCRIPT + IMG);
    api("user", "add", "mallory", "--home", "s3://" + bucket + "/m/", "--permissions", "list",
        "--generate-password");
    api("user", "disable", "mallory", "--reason", SCRIPT + IMG);
  }

  @AfterAll
  static void stop() {
    if (ferry != null) {
      ferry.stop();
    }
    if (sshd != null) {
      sshd.close();
    }
  }

  @AfterEach
  void closeBrowser() {
    if (browser != null) {
      browser.quit();
    }
  }

  @Test
  void everyPageShowingNames_markupInNames_shownAsTextNothingInjected() {
    browser = HeadlessChromium.start();
    wait = HeadlessChromium.waitFor(browser);
    HeadlessChromium.openSignedIn(browser, wait, base, "ops", PASSWORD);
    assertNothingInjected("/console/");

    browser.get(base + "/console/jobs");
    wait.until(driver -> driver.findElements(By.cssSelector("#job-rows tr[data-state='DONE'], "
        + "#job-rows tr[data-state='FAILED']")).size() == 2);
    assertShown("/console/jobs", "hostile/" + IMG + ".bin", remote.resolve(IMG + ".bin").toString());
    String failed = browser.findElement(By.cssSelector("#job-rows tr[data-state='FAILED']")).getAttribute("id")
        .substring("job-".length());
    String done = browser.findElement(By.cssSelector("#job-rows tr[data-state='DONE']")).getAttribute("id")
        .substring("job-".length());

    browser.get(base + "/console/jobs/" + done);
    wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#job-progress[data-state='DONE']")));
    assertShown("job " + done, "hostile/" + IMG + ".bin", remote.resolve(IMG + ".bin").toString());
    browser.get(base + "/console/jobs/" + failed);
    String error = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("last-error"))).getText();
    assertTrue(error.contains(IMG), "the error names the destination: " + error);
    assertNothingInjected("job " + failed);

    browser.get(base + "/console/hosts");
    wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("tr.host[data-host='gone']")));
    assertShown("/console/hosts", "/data/" + IMG);

    browser.get(base + "/console/transfer");
    wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("source")))
        .sendKeys("s3://" + bucket + "/hostile/" + SCRIPT + IMG);
    new Select(browser.findElement(By.id("host"))).selectByValue("local");
    browser.findElement(By.id("path")).sendKeys(remote + "/" + IMG);
    browser.findElement(By.id("start")).click();
    wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("notice")));
    assertShown("refused transfer", "no such object s3://" + bucket + "/hostile/" + SCRIPT + IMG);
    assertEquals(remote + "/" + IMG, browser.findElement(By.id("path")).getAttribute("value"), "what was typed is kept");
    browser.findElement(By.id("source")).clear();
    browser.findElement(By.id("source")).sendKeys("s3://" + bucket + "/hostile/");
    browser.findElement(By.id("browse-source")).click();
    wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#browser-source tr.object")));
    assertShown("S3 browser", IMG + ".bin", "<script>window.pwned=1</");

    browser.get(base + "/console/sync");
    new Select(wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("sync-host")))).selectByValue("local");
    browser.findElement(By.id("sync-dir")).sendKeys(remote + "/" + SCRIPT + IMG);
    browser.findElement(By.id("target")).sendKeys("s3://no-such-bucket-32/" + IMG + "/"); // refused: kept as typed
    browser.findElement(By.id("start-sync")).click();
    wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("notice")));
    assertNothingInjected("refused sync");
    assertEquals(remote + "/" + SCRIPT + IMG, browser.findElement(By.id("sync-dir")).getAttribute("value"));
    assertEquals("s3://no-such-bucket-32/" + IMG + "/", browser.findElement(By.id("target")).getAttribute("value"));

    browser.get(base + "/console/users");
    wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("tr.user[data-user='mallory']")));
    assertShown("/console/users", "s3://" + bucket + "/" + IMG + "/", "disabled by token:default: " + SCRIPT + IMG);

    browser.get(base + "/console/users/edit?user=eve");
    wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("tr.key")));
    assertShown("eve's page", SCRIPT + IMG);
    assertEquals("s3://" + bucket + "/" + IMG + "/", browser.findElement(By.id("edit-home")).getAttribute("value"));

    browser.get(base + "/console/sessions");
    wait.until(ExpectedConditions.presenceOfElementLocated(By.id("session-rows")));
    assertNothingInjected("/console/sessions");
    HeadlessChromium.screenshot(browser, "40-hostile-names");
  }

  /** The page's text holds each of {@code texts} as written, and nothing of theirs is in the page. */
  private void assertShown(String page, String... texts) {
    String shown = browser.findElement(By.tagName("body")).getText();
    for (String text : texts) {
      assertTrue(shown.contains(text), page + " shows '" + text + "' as text: " + shown);
    }
    assertNothingInjected(page);
  }

  private void assertNothingInjected(String page) {
    JavascriptExecutor js = (JavascriptExecutor) browser;
    assertEquals(0L, js.executeScript("return document.querySelectorAll('img').length"), page + ": an injected img");
    assertEquals(0L, js.executeScript("return document.querySelectorAll('script:not([src])').length"),
        page + ": an injected script");
    assertEquals(List.of("/console/static/htmx.min.js"), ((List<?>) js.executeScript(
        "return Array.from(document.scripts).map(s => new URL(s.src).pathname)")).stream().map(String::valueOf)
        .collect(Collectors.toList()), page + ": scripts");
    assertEquals(true, js.executeScript("return window.pwned === undefined"), page + ": an injected script ran");
  }

  /** Runs an admin command through the API; it must succeed. */
  private static void api(String command, String... args) throws Exception {
    String body = "{\"args\":[" + java.util.Arrays.stream(args).map(ConsoleHostileNamesIT::json)
        .collect(Collectors.joining(",")) + "]}";
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(base + "/api/" + command))
        .timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + TOKEN)
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, response.statusCode(), command + " " + List.of(args) + ": " + response.body());
  }

  private static String json(String text) {
    return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}
