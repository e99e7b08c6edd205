package io.wallance.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.wallance.cluster.Addresses;
import io.wallance.cluster.ClusterOptions;
import io.wallance.it.Browser;
import io.wallance.protocol.Crypto;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real dashboard page, served by the real {@link WebVerticle}, in headless Chromium, for
 * a 31-member fleet. The fleet is a test fixture on the verticle's (non-clustered) event bus:
 * it answers every member's {@code query} address with a node view and publishes observer
 * events, exactly as nodes do over the cluster. Its strings are hostile where the network
 * supplies free text: the contract description in the node views and the {@code detail} of a
 * {@code rejected} event carry HTML, which the page must show as text.
 */
class DashboardLayoutIT {
  private static final String PASSWORD = "layout-pw";
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final String HOSTILE_DESCRIPTION = "<img src=x onerror=\"window.pwned=1\"><b>bold</b>";
  private static final String HOSTILE_DETAIL = "<script>window.pwned=2</script>bad <i>sig</i>";
  private static final TestRegistry NET = TestRegistry.of(31);

  @TempDir
  static Path dir;

  private static Vertx vertx;
  private static String base;
  private static Browser browser;
  private static io.wallance.tls.TlsFiles tls;
  private static final List<Object> commandsReachingANode = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    Addresses addresses = new Addresses(NET.registry().net());
    int i = 0;
    for (var member : NET.registry().members()) {
      JsonObject view = view(member.id(), member.name(), i++);
      vertx.eventBus().<JsonObject>consumer(addresses.query(member.id()), m -> m.reply(view));
      vertx.eventBus().consumer(addresses.command(member.id()), m -> commandsReachingANode.add(m.body()));
    }
    tls = io.wallance.it.TestCa.web(dir.resolve("tls"));
    WebConfig config = new WebConfig(dir.resolve("r"), dir.resolve("k"), dir.resolve("p"), dir.resolve("data"),
        "127.0.0.1", 0, ClusterOptions.loopback("unused", List.of(5701), 5701, true, 5)).withTls(tls);
    WebVerticle web = new WebVerticle(config, NET.registry(), NET.operator(), PasswordHash.create(PASSWORD, 1_000));
    vertx.deployVerticle(web).await(20, TimeUnit.SECONDS);
    base = "https://127.0.0.1:" + web.actualPort();
    browser = Browser.start(1280, 900, tls.ca());
  }

  @AfterAll
  static void stop() throws Exception {
    if (browser != null) {
      browser.close();
    }
    vertx.close().await(20, TimeUnit.SECONDS);
  }

  /** A node view as a node's query answers it (docs/ARCHITECTURE.md), with a hostile description. */
  private static JsonObject view(String id, String name, int i) {
    JsonArray readings = new JsonArray();
    for (int s = 1; s <= 30; s++) {
      readings.add(new JsonObject().put("kind", "virtual").put("value", 20_000 + ((s * 37 + i * 11) % 50) * 40)
          .put("seq", s).put("time", 1_764_000_000_000L + s * 1000L));
    }
    String digest = "ab".repeat(32);
    return new JsonObject().put("id", id).put("name", name).put("net", "test").put("epoch", 1)
        .put("balanceUnits", 10 + i * 3).put("balance", (10 + i * 3) / 5.0).put("dcoinRate", 5)
        .put("state", Crypto.hex(Crypto.sha256(name.getBytes()))).put("shares", 30).put("chain", 0)
        .put("ledgerDigest", digest).put("checkpointDigest", digest).put("checkpoint", new JsonObject())
        .put("commandCounters", new JsonObject()).put("purchases", new JsonArray()).put("wallets", new JsonArray())
        .put("catalogue", new JsonObject().put("digest", "cd".repeat(32)).put("differs", false).put("contracts",
            new JsonArray().add(new JsonObject().put("name", "Receipt").put("price", 1).put("description",
                HOSTILE_DESCRIPTION))))
        .put("readings", readings).put("rejections", new JsonObject()).put("misbehaviour", 0).put("pending", 0);
  }

  @Test
  void thirtyOneNodesFitTheWindowTheSelectorFiltersAndNetworkTextStaysText() throws Exception {
    browser.login(base, "wrong");
    browser.await("the wrong password refused", WAIT, () -> browser.driver().getCurrentUrl().contains("/login.html")
        && browser.all("#login-error").get(0).isDisplayed());
    browser.screenshot("login-refused");
    assertThat(http(base + "/api/session", null).statusCode()).isEqualTo(401);

    browser.login(base, PASSWORD);
    browser.await("31 node cards", WAIT, () -> browser.all("article.node").size() == 31
        && browser.all("article.node .badge.ok").size() == 31);
    String pi2 = NET.id("pi2");
    vertx.eventBus().publish(new Addresses("test").events(), new JsonObject().put("type", "rejected").put("node", pi2)
        .put("name", "pi2").put("reason", "BAD_SIGNATURE").put("messageType", "vote").put("author", "ef".repeat(32))
        .put("detail", HOSTILE_DETAIL));
    browser.await("the rejection shown", WAIT, () -> browser.text("#rejections").contains("BAD_SIGNATURE"));
    browser.await("a balance chart drawn", WAIT, () -> browser.all("#chart-balances canvas").size() > 0);

    assertThat(browser.text("#catalogue")).contains(HOSTILE_DESCRIPTION);
    assertThat(browser.text("#rejections")).contains(HOSTILE_DETAIL);
    assertThat(browser.all("#catalogue img, #catalogue b, #rejections script, #rejections i")).isEmpty();
    assertThat(browser.script("return window.pwned === undefined")).isEqualTo(true);

    assertNoHorizontalOverflow();
    browser.fullScreenshot("nodes-31");

    browser.driver().findElement(org.openqa.selenium.By.id("node-filter")).sendKeys("pi1");
    browser.await("the filter shows pi1 and pi10-pi19 only", WAIT, () -> visibleCards().size() == 11);
    assertThat(visibleCards()).allMatch(name -> name.startsWith("pi1"));
    browser.screenshot("nodes-31-filtered");

    browser.driver().manage().window().setSize(new org.openqa.selenium.Dimension(420, 900));
    browser.driver().findElement(org.openqa.selenium.By.id("node-filter")).clear();
    browser.script("document.getElementById('node-filter').dispatchEvent(new Event('input'))");
    browser.await("all cards back", WAIT, () -> visibleCards().size() == 31);
    Thread.sleep(500);
    assertNoHorizontalOverflow();
    browser.screenshot("nodes-31-narrow");
    browser.driver().manage().window().setSize(new org.openqa.selenium.Dimension(1280, 900));
  }

  @Test
  void theBridgeRefusesEveryAddressButBuyAndCancel() throws Exception {
    browser.login(base, PASSWORD);
    browser.await("the page is live", WAIT, () -> "live".equals(browser.script(
        "return document.getElementById('connection').dataset.state")));
    String command = new Addresses("test").command(NET.id("pi1"));
    // The page's own EventBus client, with the logged-in session: a send to a node's command
    // address and a registration on the gossip address must both be refused by the bridge.
    Object answer = browser.asyncScript("""
        const done = arguments[arguments.length - 1];
        const bus = new EventBus('/eventbus');
        const seen = [];
        bus.onerror = (e) => { seen.push(e.body); if (seen.length === 2) { bus.close(); done(seen.join(',')); } };
        bus.onopen = () => {
          bus.send(arguments[0], 'command 1 BUY', {}, (err, reply) => done('answered: ' + JSON.stringify(err || reply)));
          bus.registerHandler(arguments[1], () => done('gossip delivered'));
        };
        setTimeout(() => done('no refusal: ' + seen.join(',')), 10000);
        """, command, "wallance.test.gossip");
    assertThat(answer).isEqualTo("access_denied,access_denied");
    assertThat(commandsReachingANode).isEmpty();

    HttpResponse<String> anonymous = http(base + "/eventbus/info", null);
    assertThat(anonymous.statusCode()).isEqualTo(401);
    org.openqa.selenium.Cookie session = browser.driver().manage().getCookieNamed(OperatorSessions.COOKIE);
    assertThat(session.isSecure()).as("the session cookie over HTTPS is Secure").isTrue();
    assertThat(session.isHttpOnly()).isTrue();
    String cookie = session.getValue();
    HttpResponse<String> otherSite = http(base + "/eventbus/info", OperatorSessions.COOKIE + "=" + cookie,
        "Origin", "http://evil.example");
    assertThat(otherSite.statusCode()).isEqualTo(403);
    HttpResponse<String> sameSite = http(base + "/eventbus/info", OperatorSessions.COOKIE + "=" + cookie,
        "Origin", base);
    assertThat(sameSite.statusCode()).isEqualTo(200);
    assertThat(http(base + "/", null).headers().firstValue("Location")).hasValue("/login.html");
    assertThat(http(base + "/login.html", null).headers().firstValue("Content-Security-Policy").orElse(""))
        .contains("script-src 'self';");
  }

  @Test
  void aBrowserThatDoesNotTrustTheProjectCaGetsChromiumsCertificateErrorNotTheDashboard() throws Exception {
    // The same Chromium, flags and page, with an NSS database without the CA: what the trusted
    // browser of the other tests sees is due to the CA in its database, not to lax settings.
    try (Browser untrusting = Browser.start(1280, 900, null)) {
      untrusting.driver().get(base + "/login.html");
      untrusting.await("Chromium's certificate error page", WAIT, () -> untrusting.driver().getPageSource()
          .contains("ERR_CERT_AUTHORITY_INVALID"));
      assertThat(untrusting.all("#password")).isEmpty();
      untrusting.screenshot("untrusted-ca");
    }
  }

  private static List<String> visibleCards() {
    return browser.all("article.node").stream().filter(e -> e.isDisplayed()).map(e -> e.getAttribute("data-node"))
        .toList();
  }

  private static void assertNoHorizontalOverflow() {
    Object widths = browser.script("return [document.documentElement.scrollWidth, window.innerWidth]");
    @SuppressWarnings("unchecked")
    List<Number> w = (List<Number>) widths;
    assertThat(w.get(0).longValue()).as("page width vs window width").isLessThanOrEqualTo(w.get(1).longValue());
  }

  private static HttpResponse<String> http(String url, String cookie, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10));
    if (cookie != null) {
      b.header("Cookie", cookie);
    }
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return HttpClient.newBuilder().sslContext(io.wallance.it.LocalNetwork.sslContext(tls.ca())).build()
        .send(b.build(), HttpResponse.BodyHandlers.ofString());
  }
}
