package io.wallance.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.wallance.cluster.Addresses;
import io.wallance.protocol.Registry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link NodeMetrics} on a plain Vert.x with four fake members answering {@code query.<id>}:
 * meters follow the node's own observer events and views, readiness follows quorum and sync.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class NodeMetricsTest {
  private static final String NET = "mt";
  private static final List<String> IDS = List.of("a1".repeat(32), "b2".repeat(32), "c3".repeat(32), "d4".repeat(32));
  private static final Duration WAIT = Duration.ofSeconds(10);

  private final Addresses addresses = new Addresses(NET);
  private final Map<String, JsonObject> views = new ConcurrentHashMap<>();
  private final Map<String, MessageConsumer<Object>> answering = new ConcurrentHashMap<>();
  private final AtomicBoolean joined = new AtomicBoolean(true);
  private final HttpClient http = HttpClient.newHttpClient();
  private Vertx vertx;
  private NodeMetrics metrics;
  private int port;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    for (int i = 0; i < IDS.size(); i++) {
      views.put(IDS.get(i), view(IDS.get(i), "pi" + (i + 1), 10, 0));
      answer(IDS.get(i));
    }
    List<Registry.Party> members = new ArrayList<>();
    for (int i = 0; i < IDS.size(); i++) {
      members.add(new Registry.Party(IDS.get(i), "pi" + (i + 1)));
    }
    Registry genesis = new Registry(NET, 1, 0, 5, 2, 1, 5, members, List.of(new Registry.Party("e5".repeat(32),
        "operator")), Map.of("Receipt", 2L, "Nespresso", 3L), "e5".repeat(32));
    metrics = new NodeMetrics(addresses, IDS.get(0), "pi1", genesis, "127.0.0.1", 0, Observability.registry(),
        joined::get).roundMillis(200);
    vertx.deployVerticle(metrics).await(10, TimeUnit.SECONDS);
    port = metrics.actualPort();
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  private void answer(String id) throws Exception {
    MessageConsumer<Object> c = vertx.eventBus().consumer(addresses.query(id), m -> m.reply(views.get(id).copy()));
    c.completion().await(5, TimeUnit.SECONDS);
    answering.put(id, c);
  }

  private void silence(String id) throws Exception {
    answering.remove(id).unregister().await(5, TimeUnit.SECONDS);
  }

  /** A node view with every member holding {@code shares} shares; {@code extra} more for the first. */
  private static JsonObject check(JsonObject readiness, String id) {
    return readiness.getJsonArray("checks").stream().map(JsonObject.class::cast)
        .filter(c -> id.equals(c.getString("id"))).findFirst().orElseThrow(() -> new AssertionError("no check " + id
            + " in " + readiness.encode()));
  }

  private static JsonObject view(String id, String name, long shares, long extra) {
    JsonArray wallets = new JsonArray();
    for (int i = 0; i < IDS.size(); i++) {
      wallets.add(new JsonObject().put("id", IDS.get(i)).put("name", "pi" + (i + 1)).put("balanceUnits", 3)
          .put("shares", shares + (i == 0 ? extra : 0)).put("chain", 0));
    }
    return new JsonObject().put("id", id).put("name", name).put("net", NET).put("epoch", 1).put("quorum", 3)
        .put("balanceUnits", 12).put("balance", 2.4).put("shares", shares).put("chain", 1).put("pending", 0)
        .put("wallets", wallets).put("purchases", new JsonArray()
            .add(new JsonObject().put("purchase", 7).put("state", "waiting")))
        .put("rejections", new JsonObject().put("BAD_SIGNATURE", 2).put("RATE_LIMITED", 0))
        .put("misbehaviour", 1).put("catalogue", new JsonObject().put("differs", false));
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(WAIT).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private PromText.Exposition scrape() throws Exception {
    HttpResponse<String> r = get("/metrics");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type")).hasValue(Observability.CONTENT_TYPE);
    return PromText.parse(r.body());
  }

  private static void await(String what, BooleanSupplierEx condition) throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.get()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(50);
    }
  }

  private interface BooleanSupplierEx {
    boolean get() throws Exception;
  }

  private void publish(JsonObject event) {
    vertx.eventBus().publish(addresses.events(), event.put("name", "x"));
  }

  @Test
  void metersFollowOwnEventsAndViewsOnly() throws Exception {
    String me = IDS.get(0);
    String other = IDS.get(1);
    publish(new JsonObject().put("type", "purchase").put("node", me).put("purchase", 7).put("state", "waiting"));
    publish(new JsonObject().put("type", "purchase").put("node", me).put("purchase", 7).put("state", "waiting"));
    publish(new JsonObject().put("type", "purchase").put("node", me).put("purchase", 7).put("state", "published"));
    publish(new JsonObject().put("type", "vote").put("node", me).put("voter", me).put("request", "r"));
    publish(new JsonObject().put("type", "vote").put("node", me).put("voter", other).put("request", "r"));
    publish(new JsonObject().put("type", "vote").put("node", other).put("voter", other).put("request", "r"));
    publish(new JsonObject().put("type", "finalized").put("node", me).put("buyer", me).put("contract", "Receipt")
        .put("price", 2).put("latencyMs", 420).put("request", "r"));
    publish(new JsonObject().put("type", "finalized").put("node", other).put("buyer", me).put("contract", "Receipt")
        .put("price", 2).put("latencyMs", 9000).put("request", "r"));
    publish(new JsonObject().put("type", "purchase").put("node", me).put("purchase", 7).put("state", "final"));
    publish(new JsonObject().put("type", "rejected").put("node", me).put("reason", "BAD_SIGNATURE")
        .put("messageType", "share").put("author", other).put("detail", "signature does not verify"));
    publish(new JsonObject().put("type", "misbehaviour").put("node", me).put("kind", "DOUBLE_REQUEST")
        .put("offender", other));

    await("the meters", () -> scrape().value("wallance_purchases_finalized_total", "node", "pi1") == 1);
    PromText.Exposition x = scrape();
    assertThat(x.value("wallance_purchases_requested_total", "node", "pi1")).isEqualTo(1);
    assertThat(x.value("wallance_purchases_published_total", "node", "pi1")).isEqualTo(1);
    assertThat(x.value("wallance_votes_sent_total", "node", "pi1")).isEqualTo(1);
    assertThat(x.value("wallance_votes_received_total", "node", "pi1")).isEqualTo(1);
    assertThat(x.value("wallance_requests_finalized_total", "node", "pi1")).isEqualTo(1);
    assertThat(x.value("wallance_contracts_bought_total", "node", "pi1", "contract", "Receipt")).isEqualTo(1);
    assertThat(x.value("wallance_finality_latency_seconds_count", "node", "pi1")).isEqualTo(1);
    assertThat(x.value("wallance_finality_latency_seconds_bucket", "node", "pi1", "le", "0.5")).isEqualTo(1);
    assertThat(x.value("wallance_finality_latency_seconds_bucket", "node", "pi1", "le", "0.25")).isEqualTo(0);
    assertThat(x.value("wallance_misbehaviour_total", "node", "pi1", "kind", "DOUBLE_REQUEST")).isEqualTo(1);
    assertThat(x.value("wallance_misbehaviour_total", "node", "pi1", "kind", "EQUIVOCATING_VOTE")).isEqualTo(0);
    assertThat(x.value("wallance_contracts_bought_total", "node", "pi1", "contract", "Nespresso")).isEqualTo(0);
    assertThat(x.value("wallance_rejections_total", "node", "pi1", "reason", "BAD_POW")).isEqualTo(0);
    assertThat(x.types()).containsEntry("wallance_finality_latency_seconds", "histogram")
        .containsEntry("wallance_votes_sent_total", "counter").containsEntry("wallance_balance_dcoin", "gauge");
    await("the view meters", () -> scrape().value("wallance_balance_dcoin", "node", "pi1") == 2.4);
    x = scrape();
    assertThat(x.value("wallance_balance_units", "node", "pi1")).isEqualTo(12);
    assertThat(x.value("wallance_rejections_total", "node", "pi1", "reason", "BAD_SIGNATURE")).isEqualTo(2);
    assertThat(x.value("wallance_purchases_waiting", "node", "pi1")).isEqualTo(1);
    assertThat(x.value("wallance_misbehaviour_evidence", "node", "pi1")).isEqualTo(1);
    assertThat(x.value("wallance_shares_total", "node", "pi1")).isEqualTo(10);
    assertThat(x.value("wallance_members_online", "node", "pi1")).isEqualTo(4);
    assertThat(x.has("jvm_memory_used_bytes")).as("JVM metrics").isTrue();
  }

  @Test
  void purchaseStatesPastTheCapKeepOnlyTheNewest() throws Exception {
    String me = IDS.get(0);
    int purchases = NodeMetrics.PURCHASE_STATES + 100;
    for (int i = 1; i <= purchases; i++) {
      publish(new JsonObject().put("type", "purchase").put("node", me).put("purchase", i).put("state", "waiting"));
    }
    await("every purchase counted", () -> scrape().value("wallance_purchases_requested_total", "node", "pi1")
        == purchases);
    CompletableFuture<long[]> state = new CompletableFuture<>();
    vertx.runOnContext(v -> state.complete(new long[] {metrics.lastPurchaseState.size(),
        metrics.lastPurchaseState.dropped(), metrics.lastPurchaseState.containsKey("1") ? 1 : 0,
        metrics.lastPurchaseState.containsKey(Integer.toString(purchases)) ? 1 : 0}));
    long[] s = state.get(10, TimeUnit.SECONDS);
    assertThat(s[0]).as("remembered states").isEqualTo(NodeMetrics.PURCHASE_STATES);
    assertThat(s[1]).as("dropped").isEqualTo(100);
    assertThat(s[2]).as("the oldest is gone").isZero();
    assertThat(s[3]).as("the newest is kept").isOne();
  }

  @Test
  void readyWithQuorumAndInSyncNotReadyWithoutQuorumOrWhileBehind() throws Exception {
    await("ready", () -> get("/readiness").statusCode() == 200);
    assertThat(get("/health").statusCode()).isEqualTo(200);
    JsonObject body = new JsonObject(get("/readiness").body());
    assertThat(body.getString("status")).isEqualTo("UP");
    JsonObject node = check(body, "node").getJsonObject("data");
    assertThat(node.getString("id")).isEqualTo(IDS.get(0));
    assertThat(node.getString("name")).isEqualTo("pi1");
    assertThat(node.getLong("epoch")).isEqualTo(1);
    assertThat(check(body, "in-sync").getJsonObject("data").getBoolean("inSync")).isTrue();

    // Two of four members silent: 2 online < quorum 3.
    silence(IDS.get(2));
    silence(IDS.get(3));
    await("not ready without quorum", () -> get("/readiness").statusCode() == 503);
    assertThat(get("/readiness").body()).contains("quorum").contains("\"online\":2");
    assertThat(get("/health").statusCode()).as("still alive").isEqualTo(200);
    answer(IDS.get(2));
    answer(IDS.get(3));
    await("ready again", () -> get("/readiness").statusCode() == 200);

    // Two peers hold 40 more shares of pi1's wallet than pi1 itself: it is syncing.
    views.put(IDS.get(1), view(IDS.get(1), "pi2", 10, 40));
    views.put(IDS.get(2), view(IDS.get(2), "pi3", 10, 40));
    await("not ready while behind", () -> get("/readiness").statusCode() == 503);
    JsonObject syncing = check(new JsonObject(get("/readiness").body()), "in-sync");
    assertThat(syncing.getString("status")).isEqualTo("DOWN");
    assertThat(syncing.getJsonObject("data").getString("reason")).startsWith("syncing");
    views.put(IDS.get(0), view(IDS.get(0), "pi1", 10, 40)); // caught up
    await("ready once caught up", () -> get("/readiness").statusCode() == 200);

    // The node reports its own inSync (durable ledgers): that wins.
    views.put(IDS.get(0), view(IDS.get(0), "pi1", 10, 40).put("inSync", false));
    await("the node's own inSync", () -> get("/readiness").statusCode() == 503);
    views.put(IDS.get(0), view(IDS.get(0), "pi1", 10, 40).put("inSync", true));
    await("ready", () -> get("/readiness").statusCode() == 200);

    joined.set(false);
    await("not ready outside the cluster", () -> get("/readiness").statusCode() == 503);
    assertThat(scrape().value("wallance_ready", "node", "pi1")).isEqualTo(0);
  }

  @Test
  void livenessFailsWhenTheNodeDoesNotAnswer() throws Exception {
    await("alive", () -> get("/health").statusCode() == 200);
    silence(IDS.get(0));
    assertThat(get("/health").statusCode()).isEqualTo(503);
  }

}
