package dev.ferry.server.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.testing.S3TestServer;
import dev.ferry.core.user.PasswordHasher;
import dev.ferry.server.EmbeddedFerry;
import dev.ferry.server.FerryServer;
import dev.ferry.server.Lftp;
import dev.ferry.server.OpenSshSftp;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The console's Users page in a real headless Chromium against a whole Ferry: an admin adds a user
 * with a pasted key and a generated password (shown once), and the new user logs in at once with
 * OpenSSH's sftp (key) and lftp (password) into its home; narrowed on the edit page, the user's
 * upload is refused; its key removed, OpenSSH is refused; deleted, lftp is refused. A key comment
 * holding HTML is shown as text.
 */
class ConsoleUsersIT {

  static final String PASSWORD = "console pass 42";

  @RegisterExtension
  static final S3TestServer s3 = new S3TestServer();

  @TempDir
  static Path dir;

  static FerryServer ferry;
  static String bucket;
  static String base;

  WebDriver browser;
  WebDriverWait wait;

  @BeforeAll
  static void start() throws Exception {
    bucket = s3.createBucket();
    ferry = EmbeddedFerry.start(dir, EmbeddedFerry.loopbackConfig(dir.resolve("data"), s3)
        + EmbeddedFerry.adminHttp("console-users-token-0123456789") + """
        users:
          - name: ops
            passwordHash: "%s"
            home: s3://%s/ops/
            admin: true
        """.formatted(PasswordHasher.hash(PASSWORD.toCharArray()), bucket), Map.of());
    base = "http://127.0.0.1:" + ferry.adminHttp().port();
  }

  @AfterAll
  static void stop() {
    if (ferry != null) {
      ferry.stop();
    }
  }

  @AfterEach
  void closeBrowser() {
    if (browser != null) {
      browser.quit();
    }
  }

  @Test
  void addUserWithKeyAndGeneratedPassword_logsInWithBoth_thenNarrowedKeyRemovedDeleted() throws Exception {
    OpenSshSftp kim = OpenSshSftp.withNewKey(Files.createDirectories(dir.resolve("kim-key")));
    int sftp = ferry.sftp().port();
    int ftps = ferry.ftps().port();
    browser = HeadlessChromium.start();
    wait = HeadlessChromium.waitFor(browser);
    HeadlessChromium.openSignedIn(browser, wait, base, "ops", PASSWORD);

    browser.get(base + "/console/users");
    wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("new-name"))).sendKeys("kim");
    browser.findElement(By.id("new-home")).sendKeys("s3://" + bucket + "/partners/kim/");
    browser.findElement(By.id("new-perm-write")).click();
    browser.findElement(By.id("new-key")).sendKeys(kim.publicKey.split(" ")[0] + " " + kim.publicKey.split(" ")[1]
        + " <b>kim's laptop</b>");
    HeadlessChromium.screenshot(browser, "30-users-add");
    browser.findElement(By.id("add-user-button")).click();
    String password = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("generated-password"))).getText();
    HeadlessChromium.screenshot(browser, "31-user-added");
    assertEquals(20, password.length(), password);

    kim.batch(sftp, "kim", "put " + write("by-key.txt", "kim by key") + " by-key.txt");
    new Lftp(ftps, "kim", password).run("put " + write("by-password.txt", "kim by password") + " -o by-password.txt");
    assertEquals("kim by key", text("partners/kim/by-key.txt"));
    assertEquals("kim by password", text("partners/kim/by-password.txt"));

    browser.findElement(By.id("edit-user")).click();
    WebElement write = wait.until(ExpectedConditions.elementToBeClickable(By.id("edit-perm-write")));
    assertTrue(write.isSelected(), "the edit page shows the permissions given");
    WebElement keyRow = browser.findElement(By.cssSelector("tr.key"));
    assertTrue(keyRow.getText().contains("<b>kim's laptop</b>"), "the comment shown as text: " + keyRow.getText());
    assertTrue(browser.findElements(By.cssSelector("tr.key b")).isEmpty(), "no markup from the comment");
    write.click();
    browser.findElement(By.id("save-user")).click();
    wait.until(ExpectedConditions.elementToBeClickable(By.id("edit-perm-write")));
    assertFalse(browser.findElement(By.id("edit-perm-write")).isSelected(), "saved without write");
    new Lftp(ftps, "kim", password).refused("put " + write("later.txt", "x") + " -o later.txt");

    browser.findElement(By.cssSelector("tr.key button.remove-key")).click();
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("table.keys"), "no keys"));
    kim.refusedBatch(sftp, "kim", "ls");
    HeadlessChromium.screenshot(browser, "32-user-edited");

    browser.findElement(By.id("delete-user")).click();
    wait.until(ExpectedConditions.urlToBe(base + "/console/users"));
    assertTrue(browser.findElements(By.cssSelector("tr.user[data-user='kim']")).isEmpty(), "kim is gone from the list");
    new Lftp(ftps, "kim", password).refused("ls");
  }

  private static String text(String key) {
    return new String(s3.read(bucket, key), StandardCharsets.UTF_8);
  }

  private static String write(String name, String text) throws Exception {
    Path file = dir.resolve(name);
    Files.writeString(file, text);
    return file.toString();
  }
}
