package io.wallance.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.wallance.cluster.Addresses;
import io.wallance.cluster.ClusterOptions;
import io.wallance.it.Browser;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real page in headless Chromium reacts to its session's expiry: with an absolute expiry
 * of a few seconds (web.json {@code session.absoluteSeconds}), the logged-in dashboard goes
 * back to the login page by itself once the session is gone (the bridge closes its socket at
 * the next observer event and the page finds its session gone), and logging in again works.
 * Members are a fixture on the verticle's plain event bus answering their {@code query}.
 */
class SessionExpiryIT {
  private static final String PASSWORD = "expiry-pw";
  private static final long ABSOLUTE_MILLIS = 8_000;
  private static final TestRegistry NET = TestRegistry.of(4);

  @TempDir
  static Path dir;

  private static Vertx vertx;
  private static String base;
  private static Browser browser;
  private static long timer;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    Addresses addresses = new Addresses(NET.registry().net());
    for (var member : NET.registry().members()) {
      JsonObject view = new JsonObject().put("id", member.id()).put("name", member.name()).put("net", "test")
          .put("epoch", 1).put("balanceUnits", 10).put("balance", 2.0).put("dcoinRate", 5).put("state", "00")
          .put("shares", 10).put("chain", 0).put("ledgerDigest", "ab".repeat(32))
          .put("checkpointDigest", "ab".repeat(32)).put("purchases", new JsonArray()).put("wallets", new JsonArray())
          .put("readings", new JsonArray()).put("rejections", new JsonObject()).put("misbehaviour", 0)
          .put("pending", 0);
      vertx.eventBus().<JsonObject>consumer(addresses.query(member.id()), m -> m.reply(view));
    }
    io.wallance.tls.TlsFiles tls = io.wallance.it.TestCa.web(dir.resolve("tls"));
    WebConfig config = new WebConfig(dir.resolve("r"), dir.resolve("k"), dir.resolve("p"), dir.resolve("data"),
        "127.0.0.1", 0, ClusterOptions.loopback("unused", List.of(5701), 5701, true, 5))
        .withSessions(new WebConfig.Sessions(60_000, ABSOLUTE_MILLIS))
        .withTls(tls);
    WebVerticle web = new WebVerticle(config, NET.registry(), NET.operator(), PasswordHash.create(PASSWORD, 1_000));
    vertx.deployVerticle(web).await(20, TimeUnit.SECONDS);
    base = "https://127.0.0.1:" + web.actualPort();
    // Readings keep flowing, as on a real fleet.
    String pi1 = NET.id("pi1");
    long[] seq = {0};
    timer = vertx.setPeriodic(500, id -> vertx.eventBus().publish(addresses.events(), new JsonObject()
        .put("type", "reading").put("node", pi1).put("kind", "virtual").put("value", 21_000).put("seq", ++seq[0])));
    browser = Browser.start(1280, 900, tls.ca());
  }

  @AfterAll
  static void stop() throws Exception {
    if (browser != null) {
      browser.close();
    }
    vertx.cancelTimer(timer);
    vertx.close().await(20, TimeUnit.SECONDS);
  }

  @Test
  void theLoggedInPageShowsTheLoginAgainOnceItsSessionExpires() throws Exception {
    long loginAt = System.nanoTime();
    browser.login(base, PASSWORD);
    browser.await("the dashboard with its nodes", Duration.ofSeconds(20), () -> browser.all("article.node").size() == 4
        && browser.driver().getCurrentUrl().equals(base + "/"));
    assertThat((System.nanoTime() - loginAt) / 1_000_000).as("the page came up within the session's life")
        .isLessThan(ABSOLUTE_MILLIS);
    browser.await("back at the login page after the expiry", Duration.ofSeconds(30),
        () -> browser.driver().getCurrentUrl().endsWith("/login.html"));
    assertThat((System.nanoTime() - loginAt) / 1_000_000).as("not before the expiry").isGreaterThanOrEqualTo(
        ABSOLUTE_MILLIS);
    browser.screenshot("session-expired");

    browser.login(base, PASSWORD);
    browser.await("the dashboard again", Duration.ofSeconds(20), () -> browser.all("article.node").size() == 4);
  }
}
