package dev.ferry.server.console;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.testing.Await;
import dev.ferry.core.testing.OpenSshServer;
import dev.ferry.core.testing.S3TestServer;
import dev.ferry.core.user.PasswordHasher;
import dev.ferry.jobs.transfer.JobRecord;
import dev.ferry.jobs.transfer.JobState;
import dev.ferry.server.EmbeddedFerry;
import dev.ferry.server.FerryServer;
import dev.ferry.server.SshTestClient;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.session.ClientSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The console in a real headless Chromium (Debian's, driven through its chromedriver) against the
 * whole Ferry with a real OpenSSH remote and a real S3-API server: sign in, start a transfer from
 * the form and watch it reach DONE, cancel one held at the free-space gate, a wrong password
 * refused, a POST without the CSRF token refused with nothing changed, an SFTP session listed and
 * disconnected. Each page is saved as a screenshot under target/console-screenshots/.
 */
class ConsoleIT {

  static final String PASSWORD = "console pass 42";
  static final String TOKEN = "test-token-0123456789abcdef";

  @RegisterExtension
  static final S3TestServer s3 = new S3TestServer();

  @RegisterExtension
  static final SshTestClient ssh = new SshTestClient();

  @TempDir
  static Path dir;

  static OpenSshServer sshd;
  static FerryServer ferry;
  static String bucket;
  static Path remote;
  static String base;
  /** Built after Ferry: building one makes an SSLSocket, and FTPS must set its TLS property before any. */
  static HttpClient http;

  WebDriver browser;
  WebDriverWait wait;

  @BeforeAll
  static void start() throws Exception {
    sshd = new OpenSshServer(dir.resolve("sshd"));
    bucket = s3.createBucket();
    remote = Files.createDirectories(dir.resolve("remote"));
    String hash = PasswordHasher.hash(PASSWORD.toCharArray());
    String yaml = EmbeddedFerry.loopbackConfig(dir.resolve("data"), s3) + EmbeddedFerry.remote("local", sshd, remote)
        + """
        jobs:
          workers: 2
          retryBackoff: 100ms
          freeSpaceRecheck: 200ms
        admin:
          http:
            bindAddress: 127.0.0.1
            port: 0
            token: %s
        users:
          - name: ops
            passwordHash: "%s"
            home: s3://%s/ops/
            permissions: [all]
            admin: true
          - name: bob
            passwordHash: "%s"
            home: s3://%s/bob/
        """.formatted(TOKEN, hash, bucket, hash, bucket);
    ferry = EmbeddedFerry.start(dir, yaml, Map.of());
    base = "http://127.0.0.1:" + ferry.adminHttp().port();
    http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
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

  @BeforeEach
  void openBrowser() {
    browser = HeadlessChromium.start();
    wait = new WebDriverWait(browser, Duration.ofSeconds(60));
    wait.ignoring(StaleElementReferenceException.class); // a polled fragment is replaced every second
  }

  @AfterEach
  void closeBrowser() {
    if (browser != null) {
      browser.quit();
    }
  }

  @Test
  void signIn_wrongPassword_refusedWithoutSession() throws Exception {
    browser.get(base + "/console/jobs");
    wait.until(ExpectedConditions.urlToBe(base + "/console/login"));
    signInAs("ops", PASSWORD + "x");
    WebElement notice = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("notice")));
    assertTrue(notice.getText().contains("wrong user name or password"), notice.getText());
    assertNull(browser.manage().getCookieNamed("ferry_console"));
    screenshot("01-login-refused");

    signInAs("bob", PASSWORD); // the right password, but no admin role: the same answer
    wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("notice")));
    assertNull(browser.manage().getCookieNamed("ferry_console"));
    assertEquals(base + "/console/login", browser.getCurrentUrl());
  }

  @Test
  void transfer_fromTheForm_progressReachesDoneAndBytesArrive() throws Exception {
    byte[] data = new byte[48 * 1024 * 1024 + 5]; // a few seconds on loopback: long enough to watch
    new Random(18).nextBytes(data);
    s3.put(bucket, "console/movie one.bin", data);
    Path target = remote.resolve("from console/movie one.bin");
    signIn();
    screenshot("02-dashboard");

    browser.findElement(By.linkText("New transfer")).click();
    fillTransfer("s3://" + bucket + "/console/movie one.bin", target.toString(), "4", "direct", "");
    screenshot("03-transfer-form");
    // The remote's curl waits before it fetches each part: the job is caught running however fast
    // the machine (relay, 48 MiB on an idle machine, ended before the page's first poll).
    sshd.delayCurl(Duration.ofSeconds(4));
    String id;
    try {
      browser.findElement(By.id("start")).click();
      wait.until(ExpectedConditions.urlMatches("/console/jobs/[A-Za-z0-9_-]+$"));
      id = browser.getCurrentUrl().substring(browser.getCurrentUrl().lastIndexOf('/') + 1);
      // The page follows the job without a reload: RUNNING with its parts to go, then DONE.
      wait.until(ExpectedConditions.attributeToBe(By.id("job-progress"), "data-state", "RUNNING"));
      assertEquals("0/4 parts", browser.findElement(By.cssSelector("#job-progress .parts")).getText());
      screenshot("04-job-running");
    } finally {
      sshd.delayCurl(null);
    }
    wait.until(ExpectedConditions.attributeToBe(By.id("job-progress"), "data-state", "DONE"));
    assertTrue(browser.findElements(By.id("cancel")).isEmpty(), "the cancel button went with the job's end");
    WebElement progress = browser.findElement(By.cssSelector("#job-progress progress"));
    assertEquals(String.valueOf(data.length), progress.getAttribute("value"));
    assertEquals("4/4 parts", browser.findElement(By.cssSelector("#job-progress .parts")).getText());
    screenshot("05-job-done");
    assertArrayEquals(data, Files.readAllBytes(target));

    browser.findElement(By.linkText("Jobs")).click();
    wait.until(ExpectedConditions.attributeToBe(By.id("job-" + id), "data-state", "DONE"));
    screenshot("06-jobs");
    browser.findElement(By.linkText("Dashboard")).click();
    assertTrue(Integer.parseInt(wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("count-done")))
        .getText()) >= 1);
  }

  @Test
  void push_prefixFromTheForm_oneJobPerObjectAllDone() throws Exception {
    byte[] first = new byte[300_000];
    new Random(1).nextBytes(first);
    s3.put(bucket, "console/batch/a.bin", first);
    s3.put(bucket, "console/batch/sub/b c.bin", "bee".getBytes(StandardCharsets.UTF_8));
    Path into = remote.resolve("pushed");
    signIn();
    browser.get(base + "/console/transfer");
    fillTransfer("s3://" + bucket + "/console/batch/", into.toString(), "2", "direct", "");
    browser.findElement(By.id("push")).click();
    browser.findElement(By.id("start")).click();

    wait.until(ExpectedConditions.urlToBe(base + "/console/jobs"));
    // The list follows the jobs without a reload (its rows are usually still queued when it is rendered).
    for (String name : List.of("batch/a.bin", "batch/sub/b c.bin")) {
      wait.until(ExpectedConditions.visibilityOfElementLocated(By.xpath("//tr[@data-state='DONE'][contains(., '"
          + name + "')]")));
    }
    assertArrayEquals(first, Files.readAllBytes(into.resolve("a.bin")));
    assertEquals("bee", Files.readString(into.resolve("sub/b c.bin")));
  }

  @Test
  void cancel_jobHeldAtTheFreeSpaceGate_cancelledFromItsPage() throws Exception {
    signIn();
    String id = startHeldJob("held.bin");
    assertTrue(browser.findElement(By.id("last-error")).getText().contains("is not above 100.0%"),
        browser.findElement(By.id("last-error")).getText());
    screenshot("07-job-waiting-for-space");

    browser.findElement(By.id("cancel")).click();
    wait.until(ExpectedConditions.attributeToBe(By.id("job-progress"), "data-state", "CANCELLED"));
    assertTrue(browser.findElements(By.id("cancel")).isEmpty(), "no cancel button on an ended job");
    screenshot("08-job-cancelled");
    assertEquals(JobState.CANCELLED, job(id).state());
    assertFalse(Files.exists(remote.resolve("held.bin")));

    browser.get(base + "/console/jobs?state=cancelled");
    wait.until(ExpectedConditions.attributeToBe(By.id("job-" + id), "data-state", "CANCELLED"));
  }

  /**
   * The session's cookie alone, as a page on another site could make the browser send it (were it
   * not SameSite), is not enough: without the form's token the POST is refused and nothing runs.
   */
  @Test
  void post_withoutCsrfToken_refused403AndNothingChanged() throws Exception {
    signIn();
    String held = startHeldJob("csrf.bin");
    Cookie session = browser.manage().getCookieNamed("ferry_console");
    assertTrue(session.isHttpOnly());
    assertEquals("Strict", session.getSameSite());
    int jobsBefore = ferry.jobs().list(null).size();

    String transfer = form(Map.of("source", bucket + "/console/csrf.bin", "host", "local", "path",
        remote.resolve("csrf-other.bin").toString()));
    HttpResponse<String> noToken = post("/console/transfer", session, transfer);
    assertEquals(403, noToken.statusCode(), noToken.body());
    assertTrue(noToken.body().contains("no valid CSRF token"), noToken.body());
    assertEquals(403, post("/console/transfer", session, transfer + "&csrf=wrong").statusCode());
    assertEquals(403, post("/console/jobs/" + held + "/cancel", session, "").statusCode());
    assertEquals(403, post("/console/logout", session, "").statusCode());

    HttpResponse<String> otherSite = http.send(HttpRequest.newBuilder(URI.create(base + "/console/login"))
        .header("Origin", "http://attacker.example").header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(form(Map.of("user", "ops", "password", PASSWORD)))).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(403, otherSite.statusCode(), "a sign-in form on another site: " + otherSite.body());
    assertTrue(otherSite.headers().firstValue("Set-Cookie").isEmpty());

    assertEquals(jobsBefore, ferry.jobs().list(null).size(), "no job was created");
    assertEquals(JobState.WAITING_FOR_SPACE, job(held).state(), "the job was not cancelled");
    browser.navigate().refresh();
    wait.until(ExpectedConditions.attributeToBe(By.id("job-progress"), "data-state", "WAITING_FOR_SPACE"));
    assertTrue(browser.findElement(By.id("signed-in-as")).isDisplayed(), "still signed in: logout was refused too");

    // The API's bearer token works as before; the list open in the browser shows its cancel without a reload.
    browser.findElement(By.linkText("Jobs")).click();
    wait.until(ExpectedConditions.attributeToBe(By.id("job-" + held), "data-state", "WAITING_FOR_SPACE"));
    HttpResponse<String> api = http.send(HttpRequest.newBuilder(URI.create(base + "/api/cancel"))
        .header("Authorization", "Bearer " + TOKEN).POST(HttpRequest.BodyPublishers.ofString(
            "{\"args\":[\"" + held + "\"]}")).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, api.statusCode(), api.body());
    wait.until(ExpectedConditions.attributeToBe(By.id("job-" + held), "data-state", "CANCELLED"));
  }

  @Test
  void hosts_showReachabilityHostKeyAndFreeSpace() throws Exception {
    signIn();
    browser.findElement(By.linkText("Hosts")).click();
    WebElement row = wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("tr.host")));
    String text = row.getText();
    assertTrue(text.contains("local"), text);
    assertTrue(text.contains(sshd.hostKeyFingerprint), text);
    assertEquals("yes", row.findElement(By.cssSelector("td.ok")).getText());
    assertTrue(text.contains("free of"), text);
    screenshot("09-hosts");

    browser.findElement(By.cssSelector(".signout button")).click();
    wait.until(ExpectedConditions.urlToBe(base + "/console/login"));
    browser.get(base + "/console/hosts");
    wait.until(ExpectedConditions.urlToBe(base + "/console/login"));
  }

  /** From the form: a job that waits at the free-space gate (100% free is never there); its id, from its page. */
  private String startHeldJob(String name) {
    s3.put(bucket, "console/" + name, new byte[1000]);
    browser.get(base + "/console/transfer");
    fillTransfer(bucket + "/console/" + name, remote.resolve(name).toString(), "", "direct", "100");
    browser.findElement(By.id("start")).click();
    wait.until(ExpectedConditions.attributeToBe(By.id("job-progress"), "data-state", "WAITING_FOR_SPACE"));
    return browser.getCurrentUrl().substring(browser.getCurrentUrl().lastIndexOf('/') + 1);
  }

  @Test
  void sessions_sftpClientListed_thenDisconnectedFromThePage() throws Exception {
    SshClient client = SshClient.setUpDefaultClient();
    client.setServerKeyVerifier((session, address, key) -> true);
    client.start();
    try (ClientSession sftp = client.connect("bob", "127.0.0.1", ferry.sftp().port()).verify(Duration.ofSeconds(10))
        .getSession()) {
      sftp.addPasswordIdentity(PASSWORD);
      sftp.auth().verify(Duration.ofSeconds(10));
      signIn();
      assertTrue(browser.findElement(By.id("sessions-by-protocol")).getText().contains("SFTP"),
          browser.findElement(By.id("sessions-by-protocol")).getText());
      browser.findElement(By.linkText("Sessions")).click();
      By bob = By.cssSelector("tr.session[data-user='bob']");
      WebElement row = wait.until(ExpectedConditions.visibilityOfElementLocated(bob));
      assertEquals("SFTP", row.getAttribute("data-protocol"));
      screenshot("10-sessions");

      browser.findElement(By.linkText("Users")).click();
      WebElement bobsRow = wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(
          "tr.user[data-user='bob']")));
      assertEquals("1", bobsRow.findElement(By.cssSelector("td.sessions")).getText());
      assertTrue(bobsRow.getText().contains("password"), bobsRow.getText());
      screenshot("11-users");

      browser.findElement(By.linkText("Sessions")).click();
      row = wait.until(ExpectedConditions.visibilityOfElementLocated(bob));
      row.findElement(By.tagName("button")).click();
      Await.until(sftp::isClosed, Duration.ofSeconds(30), "bob's SFTP session to be closed by Ferry");
      wait.until(page -> {
        page.navigate().refresh();
        return page.findElements(bob).isEmpty();
      });
    } finally {
      client.stop();
    }
  }

  /**
   * Disable on the users page (with a reason): bob's open SFTP session is closed and his next login
   * refused; the same POST without the CSRF token changes nothing; Enable lets him in again.
   */
  @Test
  void users_disabledFromThePage_sessionClosedLoginRefused_thenEnabled() throws Exception {
    int port = ferry.sftp().port();
    try (ClientSession sftp = ssh.login("bob", port, PASSWORD)) {
      signIn();
      Cookie session = browser.manage().getCookieNamed("ferry_console");
      assertEquals(403, post("/console/users/disable", session, "user=bob").statusCode());
      assertTrue(ferry.gateway().disabledUsers().check("bob").isEmpty(), "no CSRF token: bob not disabled");

      browser.findElement(By.linkText("Users")).click();
      By bob = By.cssSelector("tr.user[data-user='bob']");
      WebElement row = wait.until(ExpectedConditions.visibilityOfElementLocated(bob));
      assertEquals("enabled", row.findElement(By.cssSelector("td.status")).getText());
      row.findElement(By.name("reason")).sendKeys("audit <review>");
      row.findElement(By.cssSelector("button.disable")).click();

      wait.until(ExpectedConditions.textToBe(By.cssSelector("tr.user[data-user='bob'] td.status"),
          "disabled by ops: audit <review>"));
      screenshot("12-user-disabled");
      Await.until(sftp::isClosed, Duration.ofSeconds(30), "bob's SFTP session to be closed by Ferry");
      assertThrows(IOException.class, () -> ssh.login("bob", port, PASSWORD), "a disabled user's login");

      wait.until(ExpectedConditions.visibilityOfElementLocated(bob)).findElement(By.cssSelector("button.enable"))
          .click();
      wait.until(ExpectedConditions.textToBe(By.cssSelector("tr.user[data-user='bob'] td.status"), "enabled"));
      ssh.login("bob", port, PASSWORD).close();
    } finally {
      ferry.gateway().disabledUsers().enable("bob");
    }
  }

  private void signIn() {
    browser.get(base + "/console/");
    wait.until(ExpectedConditions.urlToBe(base + "/console/login"));
    screenshot("00-login");
    signInAs("ops", PASSWORD);
    wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("signed-in-as")));
    assertEquals(base + "/console/", browser.getCurrentUrl());
    assertEquals("node " + ferry.gateway().stateStore().nodes().name(), browser.findElement(By.id("node")).getText());
  }

  private void signInAs(String user, String password) {
    HeadlessChromium.signIn(browser, wait, user, password);
  }

  private void fillTransfer(String source, String path, String parts, String mode, String freeSpace) {
    wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("source"))).sendKeys(source);
    new Select(browser.findElement(By.id("host"))).selectByValue("local");
    browser.findElement(By.id("path")).sendKeys(path);
    browser.findElement(By.id("parts")).sendKeys(parts);
    new Select(browser.findElement(By.id("mode"))).selectByValue(mode);
    browser.findElement(By.id("free-space")).sendKeys(freeSpace);
  }

  private void screenshot(String name) {
    HeadlessChromium.screenshot(browser, name);
  }

  private static JobRecord job(String id) throws IOException {
    return ferry.jobs().find(id).orElseThrow();
  }

  private static String form(Map<String, String> fields) {
    return fields.entrySet().stream().map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(),
        StandardCharsets.UTF_8)).collect(Collectors.joining("&"));
  }

  private static HttpResponse<String> post(String path, Cookie session, String body) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
        .header("Cookie", session.getName() + "=" + session.getValue())
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }
}
