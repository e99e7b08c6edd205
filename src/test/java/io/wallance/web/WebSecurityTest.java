package io.wallance.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.wallance.cluster.Addresses;
import io.wallance.cluster.ClusterOptions;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard's lock-down, with plain HTTP and WebSocket clients against a real web verticle
 * (a plain Vert.x, no node): nothing but the login page and its assets without a login, login
 * throttling per address and per user (429 with Retry-After), idle and absolute session expiry,
 * CSRF on cookie-session mutations but not on Basic ones, the security headers, and the event
 * bus bridge's refusals (addresses, publish, origin, login, expiry).
 */
class WebSecurityTest {
  private static final String PASSWORD = "s3cret";
  private static final TestRegistry NET = TestRegistry.of(4);
  private static final Pattern COOKIE = Pattern.compile("(" + OperatorSessions.COOKIE + "=[^;]+)");

  @TempDir
  static Path dir;

  private static Vertx vertx;
  private final java.util.List<String> deployments = new java.util.ArrayList<>();
  private final java.util.List<WebClient> clients = new java.util.ArrayList<>();
  private int port;

  @BeforeAll
  static void vertx() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void close() throws Exception {
    vertx.close().await(20, TimeUnit.SECONDS);
  }

  @AfterEach
  void undeploy() throws Exception {
    clients.forEach(WebClient::close);
    for (String id : deployments) {
      vertx.undeploy(id).await(20, TimeUnit.SECONDS);
    }
  }

  /** A fresh web verticle (its own throttle) with the given session expiry. */
  private void start(WebConfig.Sessions sessions) throws Exception {
    WebConfig config = new WebConfig(dir.resolve("r"), dir.resolve("k"), dir.resolve("p"),
        dir.resolve("data-" + deployments.size() + "-" + System.nanoTime()), "127.0.0.1", 0,
        ClusterOptions.loopback("unused", List.of(5701), 5701, true, 5)).withSessions(sessions);
    WebVerticle verticle = new WebVerticle(config, NET.registry(), NET.operator(), PasswordHash.create(PASSWORD, 1_000));
    deployments.add(vertx.deployVerticle(verticle).await(20, TimeUnit.SECONDS));
    port = verticle.actualPort();
  }

  private void start() throws Exception {
    start(WebConfig.Sessions.defaults());
  }

  /** A client whose connections come from {@code source} (any 127.0.0.0/8 address). */
  private WebClient from(String source) {
    WebClient c = WebClient.create(vertx, new WebClientOptions().setLocalAddress(source).setFollowRedirects(false)
        .setDefaultHost("127.0.0.1").setDefaultPort(port));
    clients.add(c);
    return c;
  }

  private static HttpResponse<Buffer> send(HttpRequest<Buffer> r) throws Exception {
    return r.send().await(20, TimeUnit.SECONDS);
  }

  private HttpResponse<Buffer> login(WebClient c, String password) throws Exception {
    return c.post("/login").putHeader("Content-Type", "application/x-www-form-urlencoded")
        .putHeader("Origin", "http://127.0.0.1:" + port)
        .sendBuffer(Buffer.buffer("user=operator&password=" + password)).await(20, TimeUnit.SECONDS);
  }

  /** @return the session cookie ("name=value") of a successful login */
  private String session(WebClient c) throws Exception {
    HttpResponse<Buffer> r = login(c, PASSWORD);
    assertThat(r.statusCode()).isEqualTo(303);
    assertThat(r.getHeader("Location")).isEqualTo("/");
    String setCookie = String.join("\n", r.cookies());
    assertThat(setCookie).containsIgnoringCase("HttpOnly").containsIgnoringCase("SameSite=Strict");
    Matcher m = COOKIE.matcher(setCookie);
    assertThat(m.find()).as(setCookie).isTrue();
    return m.group(1);
  }

  private HttpResponse<Buffer> get(WebClient c, String path, String cookie) throws Exception {
    HttpRequest<Buffer> r = c.get(path);
    if (cookie != null) {
      r.putHeader("Cookie", cookie);
    }
    return send(r);
  }

  @Test
  void withoutALoginOnlyTheLoginPageAndItsAssetsAreServed() throws Exception {
    start();
    WebClient c = from("127.0.0.1");
    for (String path : OperatorSessions.PUBLIC) {
      assertThat(get(c, path, null).statusCode()).as(path).isEqualTo(200);
    }
    for (String page : List.of("/", "/index.html")) {
      HttpResponse<Buffer> r = get(c, page, null);
      assertThat(r.statusCode()).as(page).isEqualTo(303);
      assertThat(r.getHeader("Location")).isEqualTo("/login.html");
    }
    for (String path : List.of("/js/main.js", "/js/connection.js", "/css/../js/main.js", "/vendor/VERSIONS.md",
        "/api/state", "/api/nodes/pi1/purchases/1", "/api/session", "/eventbus/info", "/nope")) {
      HttpResponse<Buffer> r = get(c, path, null);
      assertThat(r.statusCode()).as(path).isEqualTo(401);
      assertThat(r.bodyAsJsonObject().getString("error")).isEqualTo("UNAUTHORIZED");
    }
    // With the login, the page and its files are there.
    String cookie = session(c);
    assertThat(get(c, "/", cookie).statusCode()).isEqualTo(200);
    assertThat(get(c, "/js/main.js", cookie).statusCode()).isEqualTo(200);
    assertThat(get(c, "/api/state", cookie).statusCode()).isEqualTo(200);
  }

  @Test
  void securityHeadersAndNoInlineScript() throws Exception {
    start();
    WebClient c = from("127.0.0.1");
    String cookie = session(c);
    for (String path : List.of("/login.html", "/", "/api/state", "/api/session", "/js/main.js", "/nope")) {
      HttpResponse<Buffer> r = get(c, path, path.equals("/nope") ? null : cookie);
      String csp = r.getHeader("Content-Security-Policy");
      assertThat(csp).as(path).contains("default-src 'self'").contains("frame-ancestors 'none'")
          .contains("object-src 'none'");
      String scriptSrc = csp.replaceAll(".*script-src ([^;]*).*", "$1");
      assertThat(scriptSrc).as("script-src of " + path).isEqualTo("'self'");
      assertThat(r.getHeader("X-Content-Type-Options")).isEqualTo("nosniff");
      assertThat(r.getHeader("X-Frame-Options")).isEqualTo("DENY");
      assertThat(r.getHeader("Referrer-Policy")).isEqualTo("same-origin");
      if (path.startsWith("/api/")) {
        assertThat(r.getHeader("Cache-Control")).as(path).isEqualTo("no-store");
      }
    }
    for (String page : List.of("/login.html", "/")) {
      String html = get(c, page, cookie).bodyAsString();
      assertThat(html).as(page).doesNotContainPattern("<script(?![^>]*\\ssrc=)[^>]*>")
          .doesNotContainPattern("(?i)\\son[a-z]+\\s*=").doesNotContain("javascript:");
    }
  }

  @Test
  void loginIsThrottledPerAddressWithRetryAfterAndTheRightPasswordWaitsToo() throws Exception {
    start();
    WebClient attacker = from("127.0.0.1");
    for (int i = 0; i < LoginThrottle.ADDRESS.failures(); i++) {
      HttpResponse<Buffer> r = login(attacker, "guess" + i);
      assertThat(r.statusCode()).isEqualTo(303);
      assertThat(r.getHeader("Location")).isEqualTo("/login.html?failed");
    }
    // The next wrong one is counted and locks the address.
    assertThat(login(attacker, "guess-last").getHeader("Location")).isEqualTo("/login.html?failed");
    HttpResponse<Buffer> locked = login(attacker, PASSWORD);
    assertThat(locked.statusCode()).isEqualTo(429);
    long retry = Long.parseLong(locked.getHeader("Retry-After"));
    assertThat(retry).isBetween(1L, LoginThrottle.ADDRESS.firstLockMillis() / 1000);
    assertThat(locked.bodyAsJsonObject().getString("error")).isEqualTo("TOO_MANY_ATTEMPTS");
    // A browser gets a short page.
    HttpResponse<Buffer> page = attacker.post("/login").putHeader("Accept", "text/html")
        .putHeader("Content-Type", "application/x-www-form-urlencoded")
        .sendBuffer(Buffer.buffer("password=x")).await(20, TimeUnit.SECONDS);
    assertThat(page.statusCode()).isEqualTo(429);
    assertThat(page.getHeader("Retry-After")).isNotNull();
    assertThat(page.bodyAsString()).contains("Too many wrong passwords").doesNotContain("<script");
    // HTTP Basic from that address is throttled as well.
    HttpResponse<Buffer> basic = send(attacker.get("/api/state").basicAuthentication("operator", PASSWORD));
    assertThat(basic.statusCode()).isEqualTo(429);
    assertThat(basic.getHeader("Retry-After")).isNotNull();
    // Another address is not.
    WebClient operator = from("127.0.0.2");
    assertThat(send(operator.get("/api/state").basicAuthentication("operator", PASSWORD)).statusCode())
        .isEqualTo(200);
    session(operator);
  }

  @Test
  void loginIsThrottledPerUserAcrossAddresses() throws Exception {
    start();
    int perAddress = LoginThrottle.ADDRESS.failures();
    int addresses = LoginThrottle.USER.failures() / perAddress;
    for (int a = 0; a < addresses; a++) {
      WebClient c = from("127.0.1." + (a + 1));
      for (int i = 0; i < perAddress; i++) {
        assertThat(send(c.get("/api/state").basicAuthentication("operator", "guess" + i)).statusCode())
            .isEqualTo(401);
      }
    }
    // One more failure from a fresh address passes the user's limit: the user is locked everywhere.
    assertThat(send(from("127.0.2.1").get("/api/state").basicAuthentication("operator", "one-more")).statusCode())
        .isEqualTo(401);
    HttpResponse<Buffer> r = send(from("127.0.2.2").get("/api/state").basicAuthentication("operator", PASSWORD));
    assertThat(r.statusCode()).isEqualTo(429);
    assertThat(r.getHeader("Retry-After")).isNotNull();
    assertThat(login(from("127.0.2.3"), PASSWORD).statusCode()).isEqualTo(429);
  }

  @Test
  void sessionsExpireWhenIdleAndAfterTheirAbsoluteTime() throws Exception {
    start(new WebConfig.Sessions(1_500, 5_000));
    WebClient c = from("127.0.0.1");
    String idle = session(c);
    assertThat(get(c, "/api/session", idle).statusCode()).isEqualTo(200);
    Thread.sleep(3_000); // idle 1.5 s (the store reaps every second)
    assertThat(get(c, "/api/session", idle).statusCode()).as("idle session").isEqualTo(401);
    assertThat(get(c, "/", idle).getHeader("Location")).isEqualTo("/login.html");

    String busy = session(c);
    long loggedInAt = System.nanoTime();
    while (System.nanoTime() - loggedInAt < 4_000_000_000L) {
      assertThat(get(c, "/api/state", busy).statusCode()).as("used every 0.5 s, within 5 s").isEqualTo(200);
      Thread.sleep(500);
    }
    Thread.sleep(1_200);
    assertThat(get(c, "/api/state", busy).statusCode()).as("past the absolute 5 s").isEqualTo(401);
    assertThat(get(c, "/api/session", busy).statusCode()).isEqualTo(401);
  }

  @Test
  void csrfTokenOnSessionMutationsNotOnBasicOnes() throws Exception {
    start();
    WebClient c = from("127.0.0.1");
    String cookie = session(c);
    String csrf = get(c, "/api/session", cookie).bodyAsJsonObject().getString("csrf");
    assertThat(csrf).hasSize(64);
    String body = "{\"contract\":\"Receipt\"}";
    HttpResponse<Buffer> without = c.post("/api/nodes/pi1/purchases").putHeader("Cookie", cookie)
        .putHeader("Content-Type", "application/json").sendBuffer(Buffer.buffer(body)).await(20, TimeUnit.SECONDS);
    assertThat(without.statusCode()).isEqualTo(403);
    assertThat(without.bodyAsJsonObject().getString("error")).isEqualTo("CSRF");
    HttpResponse<Buffer> wrong = c.post("/api/nodes/pi1/purchases").putHeader("Cookie", cookie)
        .putHeader(OperatorSessions.CSRF_HEADER, "0".repeat(64)).putHeader("Content-Type", "application/json")
        .sendBuffer(Buffer.buffer(body)).await(20, TimeUnit.SECONDS);
    assertThat(wrong.statusCode()).isEqualTo(403);
    HttpResponse<Buffer> cancel = send(c.delete("/api/nodes/pi1/purchases/1").putHeader("Cookie", cookie));
    assertThat(cancel.statusCode()).isEqualTo(403);
    // With the token the request passes the login check (no node runs here: 503).
    HttpResponse<Buffer> with = c.post("/api/nodes/pi1/purchases").putHeader("Cookie", cookie)
        .putHeader(OperatorSessions.CSRF_HEADER, csrf).putHeader("Content-Type", "application/json")
        .sendBuffer(Buffer.buffer(body)).await(20, TimeUnit.SECONDS);
    assertThat(with.bodyAsJsonObject().getString("error")).isEqualTo("NODE_UNREACHABLE");
    // Scripts with Basic need no token; reads with the session need none either.
    HttpResponse<Buffer> basic = c.post("/api/nodes/pi1/purchases").basicAuthentication("operator", PASSWORD)
        .putHeader("Content-Type", "application/json").sendBuffer(Buffer.buffer(body)).await(20, TimeUnit.SECONDS);
    assertThat(basic.bodyAsJsonObject().getString("error")).isEqualTo("NODE_UNREACHABLE");
    assertThat(get(c, "/api/state", cookie).statusCode()).isEqualTo(200);
    // A login from another site's page is refused.
    HttpResponse<Buffer> foreign = c.post("/login").putHeader("Origin", "http://evil.example")
        .putHeader("Content-Type", "application/x-www-form-urlencoded")
        .sendBuffer(Buffer.buffer("password=" + PASSWORD)).await(20, TimeUnit.SECONDS);
    assertThat(foreign.statusCode()).isEqualTo(403);
  }

  @Test
  void overHttpsTheCookieIsSecureAndOnlyTheHttpsOriginCounts() throws Exception {
    Path tls = dir.resolve("tls-" + System.nanoTime());
    io.wallance.tls.ProjectCa ca = io.wallance.tls.ProjectCa.create("websec", 30);
    ca.write(tls);
    ca.issue("web", List.of("127.0.0.1"), 30).write(tls, "web");
    WebConfig config = new WebConfig(dir.resolve("r"), dir.resolve("k"), dir.resolve("p"),
        dir.resolve("data-tls-" + System.nanoTime()), "127.0.0.1", 0,
        ClusterOptions.loopback("unused", List.of(5701), 5701, true, 5))
        .withTls(new io.wallance.tls.TlsFiles(tls.resolve("ca.crt"), tls.resolve("web.crt"), tls.resolve("web.key")));
    WebVerticle verticle = new WebVerticle(config, NET.registry(), NET.operator(), PasswordHash.create(PASSWORD, 1_000));
    deployments.add(vertx.deployVerticle(verticle).await(20, TimeUnit.SECONDS));
    int httpsPort = verticle.actualPort();
    // A client trusting only the project CA, verifying the name, as `status --ca` does.
    WebClient c = WebClient.create(vertx, new WebClientOptions().setSsl(true).setVerifyHost(true)
        .setTrustOptions(new io.vertx.core.net.PemTrustOptions().addCertPath(tls.resolve("ca.crt").toString()))
        .setFollowRedirects(false).setDefaultHost("127.0.0.1").setDefaultPort(httpsPort));
    clients.add(c);
    java.util.function.Function<String, HttpResponse<Buffer>> loginFrom = origin -> {
      try {
        return c.post("/login").putHeader("Content-Type", "application/x-www-form-urlencoded")
            .putHeader("Origin", origin).sendBuffer(Buffer.buffer("user=operator&password=" + PASSWORD))
            .await(20, TimeUnit.SECONDS);
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    };
    // A page served over plain HTTP on the same name and port is another origin.
    assertThat(loginFrom.apply("http://127.0.0.1:" + httpsPort).statusCode()).isEqualTo(403);
    HttpResponse<Buffer> r = loginFrom.apply("https://127.0.0.1:" + httpsPort);
    assertThat(r.statusCode()).isEqualTo(303);
    String setCookie = String.join("\n", r.cookies());
    assertThat(setCookie).containsIgnoringCase("; Secure").containsIgnoringCase("HttpOnly")
        .containsIgnoringCase("SameSite=Strict");
    Matcher m = COOKIE.matcher(setCookie);
    assertThat(m.find()).as(setCookie).isTrue();
    assertThat(get(c, "/api/state", m.group(1)).statusCode()).isEqualTo(200);
    // A client that does not trust the project CA gets no connection at all.
    WebClient untrusting = WebClient.create(vertx, new WebClientOptions().setSsl(true).setVerifyHost(true)
        .setDefaultHost("127.0.0.1").setDefaultPort(httpsPort));
    clients.add(untrusting);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> untrusting.get("/login.html").send()
        .await(20, TimeUnit.SECONDS)).hasStackTraceContaining("PKIX");
  }

  @Test
  void overPlainHttpTheCookieIsNotMarkedSecure() throws Exception {
    start();
    HttpResponse<Buffer> r = login(from("127.0.0.1"), PASSWORD);
    assertThat(r.statusCode()).isEqualTo(303);
    assertThat(String.join("\n", r.cookies())).doesNotContainIgnoringCase("Secure");
  }

  // ------------------------------------------------------------------ the bridge

  /** A raw SockJS WebSocket on the bridge; frames received go to {@link #frames}. */
  private final class Bridge implements AutoCloseable {
    final BlockingQueue<JsonObject> frames = new LinkedBlockingQueue<>();
    final AtomicBoolean closed = new AtomicBoolean();
    final WebSocket socket;
    private final WebSocketClient client;

    Bridge(String cookie, String origin) throws Exception {
      client = vertx.createWebSocketClient();
      WebSocketConnectOptions o = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port)
          .setURI("/eventbus/websocket");
      if (cookie != null) {
        o.addHeader("Cookie", cookie);
      }
      o.addHeader("Origin", origin);
      socket = client.connect(o).await(20, TimeUnit.SECONDS);
      socket.handler(data -> frames.add(new JsonObject(data)));
      socket.closeHandler(v -> closed.set(true));
    }

    void send(JsonObject frame) {
      socket.writeTextMessage(frame.encode());
    }

    JsonObject next() throws InterruptedException {
      JsonObject f = frames.poll(10, TimeUnit.SECONDS);
      assertThat(f).as("a frame from the bridge (socket closed: " + closed.get() + ")").isNotNull();
      return f;
    }

    @Override
    public void close() throws Exception {
      client.close().await(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void theBridgeRefusesEveryAddressButThePermittedOnesAndNeedsTheLogin() throws Exception {
    start();
    WebClient c = from("127.0.0.1");
    String origin = "http://127.0.0.1:" + port;
    Addresses a = new Addresses(NET.registry().net());
    // No login, or another site's page: no socket.
    assertThat(bridgeRefused(null, origin)).contains("401");
    String cookie = session(c);
    assertThat(bridgeRefused(cookie, "http://evil.example")).contains("403");

    try (Bridge bridge = new Bridge(cookie, origin)) {
      for (String address : List.of(a.command(NET.id("pi1")), a.query(NET.id("pi1")), a.gossip(), "anything")) {
        bridge.send(new JsonObject().put("type", "send").put("address", address).put("body", new JsonObject())
            .put("replyAddress", "r1"));
        assertThat(bridge.next().getString("body")).as("send to " + address).isEqualTo("access_denied");
        bridge.send(new JsonObject().put("type", "register").put("address", address));
        assertThat(bridge.next().getString("body")).as("register " + address).isEqualTo("access_denied");
      }
      bridge.send(new JsonObject().put("type", "publish").put("address", a.dashboardBuy())
          .put("body", new JsonObject().put("node", "pi1").put("contract", "Receipt")));
      assertThat(bridge.next().getString("body")).as("publish to a permitted address").isEqualTo("rejected");
      // The permitted outbound address delivers observer events; a permitted send is answered.
      bridge.send(new JsonObject().put("type", "register").put("address", a.events()));
      Thread.sleep(300);
      vertx.eventBus().publish(a.events(), new JsonObject().put("type", "reading").put("node", "x"));
      JsonObject event = bridge.next();
      assertThat(event.getString("address")).isEqualTo(a.events());
      bridge.send(new JsonObject().put("type", "send").put("address", a.dashboardBuy())
          .put("body", new JsonObject().put("node", "nobody").put("contract", "Receipt")).put("replyAddress", "r2"));
      JsonObject reply = bridge.next();
      assertThat(reply.getString("type")).isEqualTo("err");
      assertThat(reply.getString("message")).startsWith("UNKNOWN_NODE");

      // After a logout the socket is closed at its next event.
      c.post("/logout").putHeader("Cookie", cookie).putHeader("Origin", origin).send().await(20, TimeUnit.SECONDS);
      vertx.eventBus().publish(a.events(), new JsonObject().put("type", "reading").put("node", "x"));
      long deadline = System.nanoTime() + 10_000_000_000L;
      while (!bridge.closed.get() && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      assertThat(bridge.closed).as("socket closed after the logout").isTrue();
    }
  }

  @Test
  void anExpiredSessionClosesTheBridgeSocket() throws Exception {
    long absolute = 6_000;
    start(new WebConfig.Sessions(60_000, absolute));
    long loginAt = System.nanoTime();
    String cookie = session(from("127.0.0.1"));
    Addresses a = new Addresses(NET.registry().net());
    try (Bridge bridge = new Bridge(cookie, "http://127.0.0.1:" + port)) {
      bridge.send(new JsonObject().put("type", "register").put("address", a.events()));
      Thread.sleep(300);
      vertx.eventBus().publish(a.events(), new JsonObject().put("type", "reading"));
      assertThat(bridge.next().getString("address")).isEqualTo(a.events());
      assertThat((System.nanoTime() - loginAt) / 1_000_000).as("the first event came within the session's life")
          .isLessThan(absolute);
      Thread.sleep(Math.max(0, absolute + 300 - (System.nanoTime() - loginAt) / 1_000_000));
      vertx.eventBus().publish(a.events(), new JsonObject().put("type", "reading"));
      long deadline = System.nanoTime() + 10_000_000_000L;
      while (!bridge.closed.get() && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      assertThat(bridge.closed).as("socket closed once the session expired").isTrue();
      assertThat(bridge.frames).as("no event after the expiry").isEmpty();
    }
  }

  private String bridgeRefused(String cookie, String origin) {
    try (Bridge b = new Bridge(cookie, origin)) {
      return "connected";
    } catch (Exception e) {
      return String.valueOf(e.getMessage());
    }
  }
}
