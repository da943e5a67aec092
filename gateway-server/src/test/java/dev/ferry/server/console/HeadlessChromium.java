package dev.ferry.server.console;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebDriverException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Debian's chromium, headless, through Debian's chromedriver (Selenium Manager cannot download a
 * driver here), as root (no sandbox), asking nothing of the network but the pages it is sent to.
 */
public final class HeadlessChromium {

  static final Path SCREENSHOTS = Path.of("target", "console-screenshots");

  private HeadlessChromium() {}

  /** {@code extraArguments}: e.g. --ignore-certificate-errors for Ferry's self-signed certificate. */
  public static WebDriver start(String... extraArguments) {
    System.setProperty("webdriver.chrome.driver", "/usr/bin/chromedriver");
    ChromeOptions options = new ChromeOptions();
    options.setBinary("/usr/bin/chromium");
    options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,900",
        "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-default-apps");
    options.addArguments(extraArguments);
    return new ChromeDriver(options);
  }

  /**
   * A minute's wait that polls again when the page replaced an element while it was being read.
   * The console re-renders tables after each action; Chromium then answers a read of the old node
   * with a stale-element error or, if the node went mid-command, with an unknown error ("Node with
   * given id does not belong to the document") that Selenium does not class as stale. A condition
   * that keeps failing still ends the wait, with the last error as the timeout's cause.
   */
  public static WebDriverWait waitFor(WebDriver browser) {
    WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(60));
    wait.ignoring(StaleElementReferenceException.class, WebDriverException.class);
    return wait;
  }

  /** The page as it is now, as target/console-screenshots/NAME.png. */
  public static void screenshot(WebDriver browser, String name) {
    Path shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath();
    try {
      Files.createDirectories(SCREENSHOTS);
      Files.copy(shot, SCREENSHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Opens the console at {@code base} (it sends the browser to sign in), signs in and waits for the dashboard. */
  public static void openSignedIn(WebDriver browser, WebDriverWait wait, String base, String user, String password) {
    browser.get(base + "/console/");
    wait.until(ExpectedConditions.urlToBe(base + "/console/login"));
    signIn(browser, wait, user, password);
    wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("signed-in-as")));
  }

  /** Fills the console's sign-in form, already open, and sends it. */
  public static void signIn(WebDriver browser, WebDriverWait wait, String user, String password) {
    WebElement name = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("user")));
    name.clear();
    name.sendKeys(user);
    browser.findElement(By.id("password")).sendKeys(password);
    browser.findElement(By.id("sign-in")).click();
  }
}
