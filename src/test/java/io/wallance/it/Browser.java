package io.wallance.it;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Debian's headless Chromium driven by Selenium through {@code /usr/bin/chromedriver} (given
 * explicitly, so Selenium Manager never runs and nothing is downloaded), with a throw-away
 * profile. Every wait is bounded; screenshots go to {@code target/screenshots/}.
 *
 * <p>The dashboard is HTTPS with a certificate of the project CA, and the browser trusts that
 * CA the way an operator's would: Chromium on Linux reads trust anchors from the NSS database
 * {@code $HOME/.pki/nssdb} (not from its {@code --user-data-dir}), so each browser gets a HOME
 * of its own whose database holds the CA, added with {@code certutil -A -t "C,,"} (Debian
 * package {@code libnss3-tools}). No {@code --ignore-certificate-errors}, no
 * {@code acceptInsecureCerts}: a page whose certificate does not chain to that CA shows
 * Chromium's certificate error, as {@code DashboardLayoutIT} checks.
 */
public final class Browser implements AutoCloseable {
  /** Where screenshots are written. */
  public static final Path SCREENSHOTS = Path.of("target", "screenshots");
  private static final String CHROMIUM = "/usr/bin/chromium";
  private static final String DRIVER = "/usr/bin/chromedriver";

  private static final String CERTUTIL = "/usr/bin/certutil";

  private final ChromeDriver driver;
  private final Path profile;

  private Browser(ChromeDriver driver, Path profile) {
    this.driver = driver;
    this.profile = profile;
  }

  /**
   * Starts a headless browser with a window of the given size, trusting the project CA.
   *
   * @param width window width in CSS pixels
   * @param height window height
   * @param ca the project CA certificate (PEM) to trust, or null for a browser trusting none
   *     (to check that an untrusted certificate is refused)
   */
  public static Browser start(int width, int height, Path ca) throws IOException, InterruptedException {
    if (!new File(CHROMIUM).canExecute() || !new File(DRIVER).canExecute() || !new File(CERTUTIL).canExecute()) {
      throw new IllegalStateException("no " + CHROMIUM + ", " + DRIVER + " or " + CERTUTIL + "; run `bash .ci/setup` "
          + "(Debian packages chromium, chromium-driver and libnss3-tools)");
    }
    Path profile = Files.createTempDirectory("wallance-chromium-");
    Path home = profile.resolve("home");
    Path nssdb = Files.createDirectories(home.resolve(".pki").resolve("nssdb"));
    certutil("-N", "-d", "sql:" + nssdb, "--empty-password");
    if (ca != null) {
      certutil("-A", "-d", "sql:" + nssdb, "-t", "C,,", "-n", "wallance-project-ca", "-i", ca.toString());
      String listed = certutil("-L", "-d", "sql:" + nssdb);
      if (!listed.contains("wallance-project-ca")) {
        throw new IllegalStateException("certutil did not add " + ca + " to " + nssdb + ":\n" + listed);
      }
    }
    ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM).addArguments("--headless=new", "--no-sandbox",
        "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--user-data-dir=" + profile.resolve("profile"), "--window-size=" + width + "," + height);
    // Chromium (started by chromedriver, inheriting its environment) finds the CA in HOME's NSS database.
    ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(new File(DRIVER))
        .withEnvironment(java.util.Map.of("HOME", home.toString())).usingAnyFreePort().build();
    ChromeDriver driver = new ChromeDriver(service, options);
    driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(20)).pageLoadTimeout(Duration.ofSeconds(30));
    return new Browser(driver, profile);
  }

  /** Runs certutil (bounded); returns its output, fails with it when certutil fails. */
  private static String certutil(String... args) throws IOException, InterruptedException {
    List<String> command = new java.util.ArrayList<>(List.of(CERTUTIL));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    p.getOutputStream().close();
    if (!p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException(String.join(" ", command) + " did not finish within 30 s");
    }
    String output = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    if (p.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", command) + " failed (" + p.exitValue() + "): " + output);
    }
    return output;
  }

  /** @return the Selenium driver */
  public WebDriver driver() {
    return driver;
  }

  /** Opens the login page of {@code base} and logs in with {@code password}. */
  public void login(String base, String password) {
    driver.get(base + "/login.html");
    WebElement field = driver.findElement(By.id("password"));
    field.clear();
    field.sendKeys(password);
    driver.findElement(By.id("login")).click();
  }

  /** Runs a script in the page and returns its value. */
  public Object script(String js, Object... args) {
    return ((JavascriptExecutor) driver).executeScript(js, args);
  }

  /** Runs an asynchronous script (its last argument is the callback) and returns what it passed. */
  public Object asyncScript(String js, Object... args) {
    return ((JavascriptExecutor) driver).executeAsyncScript(js, args);
  }

  /** @return the elements matching a CSS selector */
  public List<WebElement> all(String css) {
    return driver.findElements(By.cssSelector(css));
  }

  /** @return the first visible text of a CSS selector, or "" */
  public String text(String css) {
    List<WebElement> found = all(css);
    return found.isEmpty() ? "" : found.get(0).getText();
  }

  /** Waits (bounded) until {@code condition} holds; the message names what was awaited and shows the page. */
  public void await(String what, Duration limit, Supplier<Boolean> condition) throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    RuntimeException last = null;
    while (System.nanoTime() < deadline) {
      try {
        if (Boolean.TRUE.equals(condition.get())) {
          return;
        }
        last = null;
      } catch (RuntimeException e) {
        last = e; // e.g. an element replaced while we read it: try again
      }
      Thread.sleep(150);
    }
    screenshot("failed-" + what.replaceAll("[^A-Za-z0-9]+", "-"));
    throw new AssertionError("not within " + limit + ": " + what + (last != null ? " (last error: " + last + ")" : "")
        + "\npage text:\n" + driver.findElement(By.tagName("body")).getText());
  }

  /** Saves a screenshot as {@code target/screenshots/NAME.png}; returns its path. */
  public Path screenshot(String name) {
    try {
      Files.createDirectories(SCREENSHOTS);
      Path file = SCREENSHOTS.resolve(name + ".png");
      Files.copy(driver.getScreenshotAs(OutputType.FILE).toPath(), file, StandardCopyOption.REPLACE_EXISTING);
      return file;
    } catch (IOException e) {
      throw new IllegalStateException("cannot save screenshot " + name, e);
    }
  }

  /** Saves a screenshot of the whole page: the window grows to the page's height (at most 4000 px) for it. */
  public Path fullScreenshot(String name) {
    org.openqa.selenium.Dimension size = driver.manage().window().getSize();
    long height = ((Number) script("return document.documentElement.scrollHeight")).longValue();
    try {
      driver.manage().window().setSize(new org.openqa.selenium.Dimension(size.getWidth(),
          (int) Math.min(4000, height + (size.getHeight() - ((Number) script("return window.innerHeight")).intValue()))));
      return screenshot(name);
    } finally {
      driver.manage().window().setSize(size);
    }
  }

  @Override
  public void close() {
    try {
      driver.quit();
    } finally {
      try (var walk = Files.walk(profile)) {
        walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (IOException ignored) {
        // a temp directory; best effort
      }
    }
  }
}
