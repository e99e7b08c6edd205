package io.wallance.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.BugDetectors;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.wallance.cluster.Addresses;
import io.wallance.cluster.ClusterOptions;
import io.wallance.fuzz.Corpus;
import io.wallance.fuzz.Generated;
import io.wallance.fuzz.Input;
import io.wallance.fuzz.Mutator;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes the operator's inputs over real HTTP against a real {@link WebVerticle} on loopback
 * (no node anywhere, as in {@link OperatorApiTest}): purchase and cancel requests, the login
 * form and the frames of the SockJS event-bus bridge, plus the bridge's two consumers and the
 * small parsers directly. Whatever arrives, the answer is a typed one (a JSON error with its
 * code, a redirect, a bridge error), never a 500, never an unescaped echo, and the server
 * keeps answering.
 */
class OperatorHttpFuzzTest {
  private static final String PASSWORD = "s3cret";
  private static final TestRegistry NET = TestRegistry.of(4);
  private static final Addresses ADDRESSES = new Addresses(NET.registry().net());
  /** Statuses the API may answer with; a 5xx other than 502/503 (no node) is a finding. */
  private static final Set<Integer> API_STATUSES = Set.of(200, 202, 400, 401, 403, 404, 405, 409, 413, 415, 429, 502,
      503);
  private static final AtomicInteger PROBES = new AtomicInteger();

  private static Path dir;
  private static Vertx vertx;
  private static WebClient client;
  private static WebSocketClient sockets;
  private static int port;
  private static String cookie;
  private static WebSocket socket;
  private static WebSocket rawSocket;
  private static final LinkedBlockingQueue<String> FRAMES = new LinkedBlockingQueue<>();
  @BeforeAll
  static void start() throws Exception {
    dir = Files.createTempDirectory("wallance-http-fuzz");
    vertx = Vertx.vertx();
    WebConfig config = new WebConfig(dir.resolve("r"), dir.resolve("k"), dir.resolve("p"), dir.resolve("data"),
        "127.0.0.1", 0, ClusterOptions.loopback("unused", List.of(5701), 5701, true, 5));
    WebVerticle verticle = new WebVerticle(config, NET.registry(), NET.operator(), PasswordHash.create(PASSWORD, 1_000));
    vertx.deployVerticle(verticle).await(20, TimeUnit.SECONDS);
    port = verticle.actualPort();
    client = WebClient.create(vertx, new WebClientOptions().setFollowRedirects(false));
    sockets = vertx.createWebSocketClient();
    HttpResponse<Buffer> login = client.post(port, "127.0.0.1", "/login")
        .putHeader("Content-Type", "application/x-www-form-urlencoded")
        .sendBuffer(Buffer.buffer("password=" + PASSWORD)).await(20, TimeUnit.SECONDS);
    assertThat(login.statusCode()).isEqualTo(303);
    assertThat(login.getHeader("Location")).isEqualTo("/");
    cookie = login.cookies().stream().filter(c -> c.startsWith(OperatorSessions.COOKIE + "=")).findFirst()
        .orElseThrow().split(";", 2)[0];
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().await(20, TimeUnit.SECONDS);
    try (var files = Files.walk(dir)) {
      for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  // ------------------------------------------------------------------ the properties

  /** A purchase: any node segment, credentials, content type and body. */
  static void checkPurchase(byte[] bytes) throws Exception {
    Input in = new Input(bytes);
    String node = node(in);
    HttpRequest<Buffer> r = client.request(HttpMethod.POST, port, "127.0.0.1", "/api/nodes/" + segment(node)
        + "/purchases");
    credentials(in, r);
    String type = switch (in.choice(4)) {
      case 0 -> "application/json";
      case 1 -> "application/json; charset=utf-8";
      case 2 -> "text/plain";
      default -> header(in.text());
    };
    if (!type.isEmpty()) {
      r.putHeader("Content-Type", type);
    }
    expectApiAnswer(r.sendBuffer(Buffer.buffer(in.rest())).await(20, TimeUnit.SECONDS));
  }

  /** A cancel: any node and purchase segments, any credentials. */
  static void checkCancel(byte[] bytes) throws Exception {
    Input in = new Input(bytes);
    String node = node(in);
    String purchase = in.choice(2) == 0 ? Long.toString(in.choice(256)) : in.text();
    HttpRequest<Buffer> r = client.request(HttpMethod.DELETE, port, "127.0.0.1", "/api/nodes/" + segment(node)
        + "/purchases/" + segment(purchase));
    credentials(in, r);
    expectApiAnswer(r.send().await(20, TimeUnit.SECONDS));
  }

  /** The login form: any origin, content type and body. */
  static void checkLogin(byte[] bytes) throws Exception {
    Input in = new Input(bytes);
    HttpRequest<Buffer> r = client.post(port, "127.0.0.1", "/login");
    switch (in.choice(4)) {
      case 0 -> { }
      case 1 -> r.putHeader("Origin", "http://127.0.0.1:" + port);
      case 2 -> r.putHeader("Origin", "http://evil.example");
      default -> r.putHeader("Origin", header(in.text()));
    }
    String type = switch (in.choice(3)) {
      case 0 -> "application/x-www-form-urlencoded";
      case 1 -> "multipart/form-data; boundary=x";
      default -> header(in.text());
    };
    if (!type.isEmpty()) {
      r.putHeader("Content-Type", type);
    }
    HttpResponse<Buffer> a = r.sendBuffer(Buffer.buffer(in.rest())).await(20, TimeUnit.SECONDS);
    if (a.statusCode() == 303) {
      assertThat(a.getHeader("Location")).isIn("/", "/login.html?failed");
    } else {
      expectApiAnswer(a);
      assertThat(a.statusCode()).as(a.bodyAsString()).isIn(400, 403, 413, 429);
    }
  }

  /**
   * Frames on the logged-in bridge socket: up to three, each a raw string or a bridge message
   * of any type, address and body; then the bridge must still answer a probe, and no frame
   * may carry a 500.
   */
  static void checkBridge(byte[] bytes) throws Exception {
    checkFrames(bytes, false);
  }

  /**
   * The same frames on the bridge's raw WebSocket endpoint, {@code /eventbus/websocket}: SockJS
   * serves it without its framing (one bridge message per WebSocket text frame), so nothing of
   * the SockJS layer stands between the input and the bridge.
   */
  static void checkRawBridge(byte[] bytes) throws Exception {
    checkFrames(bytes, true);
  }

  private static void checkFrames(byte[] bytes, boolean raw) throws Exception {
    Input in = new Input(bytes);
    WebSocket ws = socket(raw);
    int frames = 1 + in.choice(3);
    for (int i = 0; i < frames && !ws.isClosed(); i++) {
      String frame;
      if (in.choice(4) == 0) {
        frame = i == frames - 1 ? new String(in.rest(), StandardCharsets.UTF_8) : in.text();
      } else {
        String type = List.of("send", "publish", "register", "unregister", "ping").get(in.choice(5));
        String address = switch (in.choice(5)) {
          case 0 -> ADDRESSES.dashboardBuy();
          case 1 -> ADDRESSES.dashboardCancel();
          case 2 -> ADDRESSES.events();
          case 3 -> ADDRESSES.command(NET.id("pi1"));
          default -> in.text();
        };
        String body = i == frames - 1 ? new String(in.rest(), StandardCharsets.UTF_8) : in.text();
        frame = "{\"type\":" + Json.encode(type) + ",\"address\":" + Json.encode(address) + ",\"body\":"
            + (body.isEmpty() ? "null" : body) + ",\"replyAddress\":\"fuzz-" + i + "\"}";
      }
      if (frame.isEmpty()) {
        continue;
      }
      // As SockJS sends it (a JSON array of frames), or now and then as raw text; the raw
      // endpoint takes the frame itself, or now and then a SockJS array it must not unwrap.
      boolean other = in.choice(8) == 0;
      String text = raw != other ? frame : Json.encode(List.of(frame));
      try {
        ws.writeTextMessage(text).await(10, TimeUnit.SECONDS);
      } catch (IllegalStateException | io.vertx.core.VertxException e) {
        if (!ws.isClosed()) {
          throw e;
        }
      }
    }
    // SockJS drops a socket on broken framing: then the bridge must still serve a new one.
    if (!probe(ws, raw)) {
      assertThat(probe(socket(raw), raw)).as("a new socket's probe is answered").isTrue();
    }
  }

  /**
   * Sends a buy for an unknown node and waits for the bridge's 404; no frame on the way may
   * carry a 500.
   *
   * @return true when answered, false when the socket closed first
   */
  private static boolean probe(WebSocket ws, boolean raw) throws Exception {
    String probe = "probe-" + PROBES.incrementAndGet();
    String message = new JsonObject().put("type", "send").put("address", ADDRESSES.dashboardBuy())
        .put("replyAddress", probe).put("body", new JsonObject().put("node", "nobody").put("contract", "Receipt"))
        .encode();
    try {
      ws.writeTextMessage(raw ? message : Json.encode(List.of(message))).await(10, TimeUnit.SECONDS);
    } catch (IllegalStateException | io.vertx.core.VertxException e) {
      if (ws.isClosed()) {
        return false;
      }
      throw e;
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    List<String> seen = new ArrayList<>();
    while (System.nanoTime() < deadline) {
      String f = FRAMES.poll(100, TimeUnit.MILLISECONDS);
      if (f == null) {
        if (ws.isClosed()) {
          return false;
        }
        continue;
      }
      seen.add(f);
      JsonObject frame = new JsonObject(f);
      assertThat(frame.getInteger("failureCode", 0)).as(f).isNotEqualTo(500);
      assertThat(f).doesNotContain("INTERNAL");
      if (probe.equals(frame.getString("address"))) {
        assertThat(frame.getString("type")).isEqualTo("err");
        assertThat(frame.getInteger("failureCode")).isEqualTo(404);
        return true;
      }
    }
    throw new AssertionError("no answer to " + probe + " in 20 s; frames before it: " + seen);
  }

  /**
   * The bridge's two consumers, directly over the event bus, and the small parsers of
   * client-supplied strings: a typed answer for any body and any string.
   */
  static void checkParsers(byte[] bytes) throws Exception {
    Input in = new Input(bytes);
    String address = in.choice(2) == 0 ? ADDRESSES.dashboardBuy() : ADDRESSES.dashboardCancel();
    String header = in.text();
    String text = new String(in.rest(), StandardCharsets.UTF_8);
    Object body;
    try {
      body = Json.decodeValue(text);
    } catch (DecodeException e) {
      body = text;
    }
    Future<?> reply = vertx.eventBus().request(address, body, new DeliveryOptions().setSendTimeout(10_000));
    try {
      reply.await(20, TimeUnit.SECONDS);
    } catch (ReplyException e) {
      assertThat(e.failureType()).as(e.getMessage()).isEqualTo(ReplyFailure.RECIPIENT_FAILURE);
      assertThat(e.failureCode()).as(e.getMessage()).isIn(400, 404, 409, 503);
      assertThat(e.getMessage()).matches("[A-Z_]+: .*");
    }
    String password = OperatorAuth.passwordOf(header);
    if (password != null) {
      assertThat(password).isNotEmpty();
    }
    assertThat(OperatorApi.quote(text)).matches("'[A-Za-z0-9._ \\\\u-]*'…?");
    ApiError refused = ApiError.refused(text);
    assertThat(refused.status).isIn(404, 409, 429, 502);
    assertThat(refused.toJson().getString("error")).isNotBlank();
  }

  // ------------------------------------------------------------------ pieces

  /** Tells Jazzer's SSRF detector that loopback connections, all this test makes, are fine. */
  private static void allowLoopback() {
    try {
      BugDetectors.allowNetworkConnections((host, p) -> host.equals("127.0.0.1") || host.equals("localhost"));
    } catch (IllegalStateException e) {
      // no Jazzer agent in this JVM (the plain test run): no detector to configure
    }
  }

  private static String node(Input in) {
    return switch (in.choice(4)) {
      case 0 -> NET.id("pi1");
      case 1 -> "pi2";
      case 2 -> "nobody";
      default -> in.text();
    };
  }

  private static void credentials(Input in, HttpRequest<Buffer> r) {
    switch (in.choice(5)) {
      case 0 -> { }
      case 1 -> r.basicAuthentication(OperatorAuth.USER, PASSWORD);
      case 2 -> r.basicAuthentication(OperatorAuth.USER, "wrong");
      case 3 -> r.putHeader("Cookie", cookie).putHeader(OperatorSessions.CSRF_HEADER, header(in.text()));
      default -> r.putHeader("Authorization", header(in.text()));
    }
  }

  /** Every byte but unreserved ones percent-encoded, so any string is one path segment. */
  private static String segment(String s) {
    StringBuilder sb = new StringBuilder();
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      char c = (char) (b & 0xff);
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.'
          || c == '_' || c == '~') {
        sb.append(c);
      } else {
        sb.append(String.format("%%%02X", b & 0xff));
      }
    }
    return sb.length() == 0 ? "%20" : sb.toString();
  }

  /** A header value HTTP can carry: visible ASCII and spaces only. */
  private static String header(String s) {
    return s.replaceAll("[^\\x20-\\x7e]", "").strip();
  }

  private static void expectApiAnswer(HttpResponse<Buffer> a) {
    String body = a.bodyAsString();
    assertThat(a.statusCode()).as(body).isIn(API_STATUSES);
    if (a.statusCode() >= 400) {
      assertThat(a.getHeader("Content-Type")).as(body).startsWith("application/json");
      JsonObject error = new JsonObject(body);
      assertThat(error.getString("error")).matches("[A-Z_]+");
      assertThat(error.getString("message")).isNotBlank();
      assertThat(body).as("no client string echoed unescaped").doesNotContain("<", ">");
    }
  }

  private static WebSocket socket(boolean raw) throws Exception {
    if (raw) {
      if (rawSocket == null || rawSocket.isClosed()) {
        FRAMES.clear();
        rawSocket = connect("/eventbus/websocket");
        // The raw transport answers in binary frames (UTF-8 JSON): take every frame.
        rawSocket.handler(frame -> FRAMES.add(frame.toString(StandardCharsets.UTF_8)));
      }
      return rawSocket;
    }
    if (socket == null || socket.isClosed()) {
      FRAMES.clear();
      // SockJS's WebSocket transport, as the page's SockJS client uses it.
      socket = connect("/eventbus/000/fuzz" + PROBES.incrementAndGet() + "/websocket");
      socket.textMessageHandler(OperatorHttpFuzzTest::onSockJs);
    }
    return socket;
  }

  private static WebSocket connect(String uri) throws Exception {
    return sockets.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI(uri)
        .addHeader("Cookie", cookie)).await(20, TimeUnit.SECONDS);
  }

  /** SockJS frames: {@code o} (open), {@code h} (heartbeat), {@code a[...]} (messages), {@code c[...]} (close). */
  private static void onSockJs(String text) {
    if (text.startsWith("a")) {
      new io.vertx.core.json.JsonArray(text.substring(1)).forEach(m -> FRAMES.add((String) m));
    }
  }

  // ------------------------------------------------------------------ Jazzer and the bounded CI share

  @FuzzTest(maxDuration = "3m")
  void purchase(byte[] input) throws Exception {
    allowLoopback();
    checkPurchase(input);
  }

  @FuzzTest(maxDuration = "3m")
  void cancel(byte[] input) throws Exception {
    allowLoopback();
    checkCancel(input);
  }

  @FuzzTest(maxDuration = "3m")
  void login(byte[] input) throws Exception {
    allowLoopback();
    checkLogin(input);
  }

  @FuzzTest(maxDuration = "3m")
  void bridge(byte[] input) throws Exception {
    allowLoopback();
    checkBridge(input);
  }

  @FuzzTest(maxDuration = "3m")
  void rawBridge(byte[] input) throws Exception {
    allowLoopback();
    checkRawBridge(input);
  }

  @FuzzTest(maxDuration = "3m")
  void parsers(byte[] input) throws Exception {
    allowLoopback();
    checkParsers(input);
  }

  private void generated(String method, int count, Generated.Target target) {
    Mutator m = new Mutator(Generated.seed(), Corpus.inputs(getClass(), method), List.of("{", "}", "\"contract\"",
        "\"node\"", "\"purchase\"", "Receipt", "null", "1e999", "-1", "\\u0000", "<script>", "password=", "&", "%",
        "Basic ", "send", "register"));
    int ran = Generated.run("http " + method, Corpus.directory(getClass(), method), count, Duration.ofSeconds(4),
        Mutator::next, m, target);
    assertThat(ran).isPositive();
  }

  @Test
  void generatedPurchases() {
    generated("purchase", 400, OperatorHttpFuzzTest::checkPurchase);
  }

  @Test
  void generatedCancels() {
    generated("cancel", 300, OperatorHttpFuzzTest::checkCancel);
  }

  @Test
  void generatedLogins() {
    generated("login", 200, OperatorHttpFuzzTest::checkLogin);
  }

  @Test
  void generatedBridgeFrames() {
    generated("bridge", 200, OperatorHttpFuzzTest::checkBridge);
  }

  @Test
  void generatedRawBridgeFrames() {
    generated("rawBridge", 200, OperatorHttpFuzzTest::checkRawBridge);
  }

  @Test
  void generatedParserInputs() {
    generated("parsers", 2_000, OperatorHttpFuzzTest::checkParsers);
  }

  @Test
  void seedsAreCommitted() throws IOException {
    for (Map.Entry<String, Map<String, byte[]>> e : seeds().entrySet()) {
      Corpus.checkSeeds(getClass(), e.getKey(), e.getValue());
    }
  }

  /** Valid and near-valid inputs of each method, in {@link Input}'s layout. */
  static Map<String, Map<String, byte[]>> seeds() {
    Map<String, Map<String, byte[]>> all = new LinkedHashMap<>();
    Map<String, byte[]> purchase = new LinkedHashMap<>();
    purchase.put("valid", new Input.Writer().choice(0).choice(1).choice(0).rest("{\"contract\":\"Receipt\"}"));
    purchase.put("by-name-session", new Input.Writer().choice(1).choice(3).text("x").choice(1)
        .rest("{\"contract\":\"Nespresso\"}"));
    purchase.put("raw-node", new Input.Writer().choice(3).text("pi1/../x").choice(4).text("Basic b3BlcmF0b3I6")
        .choice(3).text("application/json;x").rest("[\"Receipt\"]"));
    all.put("purchase", purchase);
    Map<String, byte[]> cancel = new LinkedHashMap<>();
    cancel.put("valid", new Input.Writer().choice(0).choice(0).choice(7).choice(1).rest(""));
    cancel.put("text-id", new Input.Writer().choice(3).text("pi3").choice(1).text("00012").choice(1).rest(""));
    all.put("cancel", cancel);
    Map<String, byte[]> login = new LinkedHashMap<>();
    login.put("right", new Input.Writer().choice(1).choice(0).rest("password=" + PASSWORD));
    login.put("wrong", new Input.Writer().choice(0).choice(0).rest("password=guess&password=other"));
    login.put("multipart", new Input.Writer().choice(1).choice(1)
        .rest("--x\r\nContent-Disposition: form-data; name=\"password\"\r\n\r\nguess\r\n--x--\r\n"));
    all.put("login", login);
    Map<String, byte[]> bridge = new LinkedHashMap<>();
    bridge.put("buy", new Input.Writer().choice(0).choice(1).choice(0).choice(0)
        .rest("{\"node\":\"pi1\",\"contract\":\"Receipt\"}"));
    bridge.put("cancel", new Input.Writer().choice(0).choice(1).choice(0).choice(1)
        .rest("{\"node\":\"pi1\",\"purchase\":1}"));
    bridge.put("register-and-raw", new Input.Writer().choice(1).choice(1).choice(2).choice(2).text("{}")
        .choice(0).rest("{\"type\":\"send\""));
    all.put("bridge", bridge);
    all.put("rawBridge", bridge);
    Map<String, byte[]> parsers = new LinkedHashMap<>();
    parsers.put("buy", new Input.Writer().choice(0).text("Basic " + Base64.getEncoder().encodeToString(
        ("operator:" + PASSWORD).getBytes(StandardCharsets.UTF_8))).rest("{\"node\":\"pi1\",\"contract\":\"Receipt\"}"));
    parsers.put("cancel", new Input.Writer().choice(1).text("basic !!").rest("{\"node\":\"pi2\",\"purchase\":1.5}"));
    parsers.put("refusal", new Input.Writer().choice(1).text("").rest("NOT_CANCELLABLE: purchase 3 is final"));
    all.put("parsers", parsers);
    return all;
  }
}
