package io.wallance.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonObject;
import io.wallance.cluster.ClusterOptions;
import io.wallance.it.LocalNetwork.Node;
import io.wallance.metrics.PromText;
import io.wallance.node.RegistryFile;
import io.wallance.protocol.Command;
import io.wallance.protocol.Crypto;
import io.wallance.protocol.Registry;
import io.wallance.web.PasswordHash;
import io.wallance.web.WebConfig;
import io.wallance.web.WebVerticle;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * Four real node processes with metrics ports, and the web verticle on the fixture's observer
 * Vert.x: {@code /metrics} parses (Debian's {@code promtool check metrics}, the reference
 * parser, and {@link PromText}), carries every meter of docs/METRICS.md with its type, and
 * moves as a purchase happens; {@code /readiness} is 200 with all members up and 503 on the
 * running nodes (and the web verticle) while two of four are paused (no quorum); a node
 * restarted after missing purchases answers 503 (in-sync: syncing) until it holds them, then 200.
 * Every server is HTTPS with a certificate of the network's project CA, and every request here
 * trusts exactly that CA (as Prometheus with {@code tls_config: ca_file} and the Ansible readiness
 * waits do); a client that does not trust it, or speaks plain HTTP, gets nothing.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class MetricsIT {
  private static final Duration WAIT = Duration.ofSeconds(40);
  private static final Path PROMTOOL = Path.of("/usr/bin/promtool");
  private static final Pattern ROW = Pattern.compile("^\\| `(wallance_[a-z_]+)` \\| (counter|gauge|histogram) \\|"
      + " ([^|]*) \\|([^|]*)\\|([^|]*)\\|$");

  private static LocalNetwork network;
  private static WebVerticle web;
  private static HttpClient http;

  @BeforeAll
  static void start() throws Exception {
    assertThat(PROMTOOL).as("promtool (Debian package prometheus; run bash .ci/setup)").isExecutable();
    network = LocalNetwork.start("MetricsIT", LocalNetwork.options(4, 10, 300).withMetrics());
    Path dir = network.dir();
    Registry registry = RegistryFile.read(dir.resolve("registry.txt")).body();
    Crypto.KeyPair operator = network.operator();
    WebConfig config = new WebConfig(dir.resolve("registry.txt"), dir.resolve("keys/operator.key"),
        dir.resolve("operator.password"), dir.resolve("data/web"), "127.0.0.1", 0,
        new ClusterOptions("unused", List.of("127.0.0.1:1"), "127.0.0.1", 1, "127.0.0.1", 0, true, 10))
        .withTls(network.issueCertificate("web"));
    http = network.httpClient();
    web = new WebVerticle(config, registry, operator, PasswordHash.create("pw", 1000));
    network.observer().deployVerticle(web).await(30, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stop() {
    if (network != null) {
      network.close();
    }
  }

  private static String nodeUrl(Node node) {
    return network.metricsUrl(node);
  }

  private static String webUrl() {
    return "https://127.0.0.1:" + web.actualPort();
  }

  private static HttpResponse<String> get(String url) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static int status(String url) {
    try {
      return get(url).statusCode();
    } catch (Exception e) {
      return -1;
    }
  }

  private static String scrapeText(String base) throws Exception {
    HttpResponse<String> r = get(base + "/metrics");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type").orElse("")).startsWith("text/plain; version=0.0.4");
    return r.body();
  }

  private static PromText.Exposition scrape(String base) throws Exception {
    return PromText.parse(scrapeText(base));
  }

  /** The reference parser: exit 1 is a parse error; lint findings (exit 3) must not concern our meters. */
  private static void promtool(String text) throws Exception {
    Process p = new ProcessBuilder(PROMTOOL.toString(), "check", "metrics").redirectErrorStream(true).start();
    p.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("promtool check metrics: " + out).isIn(0, 3);
    assertThat(out).as("lint findings on wallance meters").doesNotContain("wallance_");
  }

  /** docs/METRICS.md's meter table: name → {type, labels, source}. */
  private static Map<String, String[]> documented() throws Exception {
    Map<String, String[]> rows = new LinkedHashMap<>();
    for (String line : Files.readAllLines(Path.of("docs/METRICS.md"))) {
      Matcher m = ROW.matcher(line);
      if (m.matches()) {
        rows.put(m.group(1), new String[] {m.group(2), m.group(3).trim(), m.group(4).trim() + " " + m.group(5)});
      }
    }
    assertThat(rows).hasSizeGreaterThan(30);
    return rows;
  }

  @Test
  @Order(1)
  void everyMemberBecomesReadyAndServesLiveness() throws Exception {
    for (Node node : network.nodes()) {
      LocalNetwork.awaitTrue(node.name() + " ready", WAIT, () -> status(nodeUrl(node) + "/readiness") == 200);
      assertThat(status(nodeUrl(node) + "/health")).isEqualTo(200);
    }
    LocalNetwork.awaitTrue("web ready", WAIT, () -> status(webUrl() + "/readiness") == 200);
    JsonObject body = new JsonObject(get(nodeUrl(network.node(0)) + "/readiness").body());
    assertThat(body.getString("status")).isEqualTo("UP");
    assertThat(body.encode()).contains("\"id\":\"in-sync\"").contains("\"id\":\"quorum\"")
        .contains("\"id\":\"cluster\"").contains("\"id\":\"store\"");
    // HTTPS only, and only for a client trusting the project CA.
    assertThat(nodeUrl(network.node(0))).startsWith("https://");
    HttpClient untrusting = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    for (String url : List.of(nodeUrl(network.node(0)) + "/readiness", webUrl() + "/readiness")) {
      assertThatThrownBy(() -> untrusting.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
          .build(), HttpResponse.BodyHandlers.ofString())).as(url).isInstanceOf(javax.net.ssl.SSLHandshakeException.class);
      String plain = url.replace("https://", "http://");
      assertThat(status(plain)).as(plain).isNotEqualTo(200);
    }
  }

  @Test
  @Order(2)
  void metricsParseAreDocumentedAndMoveWithAPurchase() throws Exception {
    Node buyer = network.node(0);
    Node voter = network.node(1);
    // Expected bad input: counted by reason, logged in one line without a stack trace.
    try {
      network.send(buyer, "not a signed message");
    } catch (Exception refused) {
      // 400 MALFORMED
    }
    LocalNetwork.awaitTrue("rejection counted", WAIT, () -> {
      try {
        return scrape(nodeUrl(buyer)).value("wallance_rejections_total", "node", buyer.name(), "reason", "MALFORMED") >= 1;
      } catch (Exception e) {
        return false;
      }
    });
    PromText.Exposition before = scrape(nodeUrl(buyer));
    PromText.Exposition voterBefore = scrape(nodeUrl(voter));

    network.command(buyer, Command.Action.BUY, "Receipt", 1);
    String request = PurchaseIT.awaitRequest(network, buyer, 1);
    PurchaseIT.awaitFinalEverywhere(network, request);
    LocalNetwork.awaitTrue("buyer's meters", WAIT, () -> {
      try {
        PromText.Exposition x = scrape(nodeUrl(buyer));
        return x.value("wallance_purchases_finalized_total", "node", buyer.name()) == 1
            && x.value("wallance_balance_units", "node", buyer.name()) != before.value("wallance_balance_units");
      } catch (Exception e) {
        return false;
      }
    });
    PromText.Exposition after = scrape(nodeUrl(buyer));
    String n = buyer.name();
    assertThat(after.value("wallance_purchases_requested_total", "node", n)).isEqualTo(1);
    assertThat(after.value("wallance_purchases_published_total", "node", n)).isEqualTo(1);
    assertThat(after.value("wallance_contracts_bought_total", "node", n, "contract", "Receipt")).isEqualTo(1);
    assertThat(after.value("wallance_finality_latency_seconds_count", "node", n))
        .isGreaterThan(before.value("wallance_finality_latency_seconds_count", "node", n));
    assertThat(after.value("wallance_requests_finalized_total", "node", n))
        .isGreaterThan(before.value("wallance_requests_finalized_total", "node", n));
    assertThat(after.value("wallance_votes_received_total", "node", n))
        .isGreaterThan(before.value("wallance_votes_received_total", "node", n));
    assertThat(after.value("wallance_readings_total", "node", n))
        .isGreaterThan(before.value("wallance_readings_total", "node", n));
    PromText.Exposition voterAfter = scrape(nodeUrl(voter));
    assertThat(voterAfter.value("wallance_votes_sent_total", "node", voter.name()))
        .isGreaterThan(voterBefore.value("wallance_votes_sent_total", "node", voter.name()));

    // Names, types and labels as documented; the reference parser accepts both expositions.
    String nodeText = scrapeText(nodeUrl(buyer));
    String webText = scrapeText(webUrl());
    promtool(nodeText);
    promtool(webText);
    PromText.Exposition node = PromText.parse(nodeText);
    PromText.Exposition webX = PromText.parse(webText);
    for (Map.Entry<String, String[]> row : documented().entrySet()) {
      String name = row.getKey();
      String type = row.getValue()[0];
      PromText.Exposition x = row.getValue()[2].startsWith("web") ? webX : node;
      assertThat(x.types()).as(name).containsEntry(name, type);
      String sample = type.equals("histogram") ? name + "_count" : name;
      PromText.Sample s = x.samples().stream().filter(v -> v.name().equals(sample)).findFirst().orElseThrow();
      String labels = row.getValue()[1];
      List<String> expected = labels.equals("–") ? List.of() : List.of(labels.split(", "));
      assertThat(s.labels().keySet()).as(name + " labels").containsExactlyInAnyOrderElementsOf(expected);
    }
    assertThat(node.has("vertx_eventbus_processed_total") || node.has("vertx_eventbus_handlers"))
        .as("Vert.x event-bus meters").isTrue();
    assertThat(node.has("jvm_memory_used_bytes")).as("JVM meters").isTrue();
    assertThat(webX.value("wallance_fleet_nodes_agreeing")).isBetween(0.0, 4.0);
    LocalNetwork.awaitTrue("the fleet agrees", WAIT, () -> {
      try {
        return scrape(webUrl()).value("wallance_fleet_nodes_agreeing") == 4;
      } catch (Exception e) {
        return false;
      }
    });
    assertThat(Files.readString(buyer.log())).contains("rejected a command from an unknown sender: MALFORMED (")
        .contains("purchase of Receipt final in").doesNotContain("\tat io.");
  }

  @Test
  @Order(3)
  void notReadyWithoutQuorumReadyAgainWhenMembersContinue() throws Exception {
    Node a = network.node(0);
    Node b = network.node(1);
    Node c = network.node(2);
    Node d = network.node(3);
    network.pause(c);
    network.pause(d);
    try {
      for (Node up : List.of(a, b)) {
        LocalNetwork.awaitTrue(up.name() + " not ready", WAIT, () -> status(nodeUrl(up) + "/readiness") == 503);
        assertThat(get(nodeUrl(up) + "/readiness").body()).contains("\"online\":2");
        assertThat(status(nodeUrl(up) + "/health")).as("alive").isEqualTo(200);
        assertThat(scrape(nodeUrl(up)).value("wallance_quorum_reachable", "node", up.name())).isZero();
      }
      LocalNetwork.awaitTrue("web not ready", WAIT, () -> status(webUrl() + "/readiness") == 503);
    } finally {
      network.resume(c);
      network.resume(d);
    }
    for (Node node : network.nodes()) {
      LocalNetwork.awaitTrue(node.name() + " ready again", WAIT, () -> status(nodeUrl(node) + "/readiness") == 200);
    }
    LocalNetwork.awaitTrue("web ready again", WAIT, () -> status(webUrl() + "/readiness") == 200);
  }

  /** One answer of a node's /readiness while it restarts. */
  private record Probe(long atMillis, int status, String inSync, String reason, boolean missedFinalHere) {
    @Override
    public String toString() {
      return atMillis + "ms:" + status + "/" + inSync + (reason.isEmpty() ? "" : "(" + reason.split(":")[0] + ")")
          + (missedFinalHere ? "/held" : "/missing");
    }
  }

  @Test
  @Order(4)
  void aNodeRestartedAfterMissingPurchasesIsNotReadyWhileSyncingAndReadyOnceItHoldsThem() throws Exception {
    Node buyer = network.node(0);
    Node late = network.node(3);
    network.stop(late);
    List<String> missed = new java.util.ArrayList<>();
    for (long purchase = 2; purchase <= 3; purchase++) {
      network.command(buyer, Command.Action.BUY, "Receipt", purchase);
      String request = PurchaseIT.awaitRequest(network, buyer, purchase);
      LocalNetwork.awaitTrue("final on the three running nodes", WAIT, () -> PurchaseIT.finalizedOn(network, request)
          .containsAll(network.nodes().subList(0, 3).stream().map(Node::id).toList()));
      missed.add(request);
    }
    // Ready otherwise: three of four members (quorum 3) answer, and they are in sync.
    for (Node up : network.nodes().subList(0, 3)) {
      LocalNetwork.awaitTrue(up.name() + " ready with one member down", WAIT,
          () -> status(nodeUrl(up) + "/readiness") == 200);
    }
    assertThat(PurchaseIT.finalizedOn(network, missed.get(1))).doesNotContain(late.id());

    // Poll the late node's /readiness from before its start until it is ready (bounded).
    List<Probe> probes = new java.util.concurrent.CopyOnWriteArrayList<>();
    long t0 = System.nanoTime();
    Thread poller = new Thread(() -> {
      long deadline = t0 + Duration.ofSeconds(120).toNanos();
      int readyAnswers = 0;
      while (System.nanoTime() < deadline && readyAnswers < 5 && !Thread.currentThread().isInterrupted()) {
        Probe p = probe(late, t0, missed);
        probes.add(p);
        if (p.status() == 200) {
          readyAnswers++;
        }
        try {
          Thread.sleep(200);
        } catch (InterruptedException e) {
          return;
        }
      }
    }, "readiness-poller");
    poller.start();
    try {
      network.restart(late, List.of());
      LocalNetwork.awaitTrue(late.name() + " ready", Duration.ofSeconds(90),
          () -> probes.stream().anyMatch(p -> p.status() == 200));
    } finally {
      poller.interrupt();
      poller.join(10_000);
    }
    Probe firstReady = probes.stream().filter(p -> p.status() == 200).findFirst().orElseThrow();
    List<Probe> before = probes.subList(0, probes.indexOf(firstReady));
    System.out.println("MetricsIT: " + late.name() + " readiness while restarting: " + probes);
    assertThat(before).as("answers before the first 200").isNotEmpty()
        .allMatch(p -> p.status() != 200)
        .anyMatch(p -> p.status() == 503 && "DOWN".equals(p.inSync()) && p.reason().startsWith("syncing")
            && !p.missedFinalHere());
    assertThat(firstReady.missedFinalHere()).as("the missed purchases are final on the node when it is ready")
        .isTrue();
    assertThat(firstReady.inSync()).isEqualTo("UP");
    PurchaseIT.awaitSameCheckpoint(network);
    for (Node node : network.nodes()) {
      LocalNetwork.awaitTrue(node.name() + " ready", WAIT, () -> status(nodeUrl(node) + "/readiness") == 200);
    }
    String log = Files.readString(late.log());
    String restarted = log.substring(log.lastIndexOf(" joined the cluster"));
    assertThat(restarted).contains("is not in sync with its peers").contains(" is not ready: ")
        .contains("is in sync with its peers").contains(" is ready");
    assertThat(restarted.indexOf("is not in sync with its peers")).isLessThan(restarted.indexOf("is in sync with"));
  }

  private static Probe probe(Node node, long t0, List<String> missed) {
    long at = (System.nanoTime() - t0) / 1_000_000;
    try {
      HttpResponse<String> r = get(nodeUrl(node) + "/readiness");
      String inSync = "-";
      String reason = "";
      if (r.body().startsWith("{")) {
        for (Object c : new JsonObject(r.body()).getJsonArray("checks", new io.vertx.core.json.JsonArray())) {
          JsonObject check = (JsonObject) c;
          if ("in-sync".equals(check.getString("id"))) {
            inSync = check.getString("status");
            reason = check.getJsonObject("data", new JsonObject()).getString("reason", "");
          }
        }
      }
      return new Probe(at, r.statusCode(), inSync, reason, held(node, missed));
    } catch (Exception e) {
      return new Probe(at, -1, "-", String.valueOf(e.getClass().getSimpleName()), held(node, missed));
    }
  }

  /** Whether the node's finalized events of every missed request have reached the observer. */
  private static boolean held(Node node, List<String> missed) {
    return missed.stream().allMatch(r -> PurchaseIT.finalizedOn(network, r).contains(node.id()));
  }
}
