package io.wallance.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What an operator with Prometheus and Grafana does: Debian's {@code prometheus} scrapes a
 * running {@code demo} (every node's metrics port and the web verticle, on loopback), and every
 * PromQL query of {@code conf/grafana/wallance.json} is run against it through its HTTP API and
 * must return data. Purchases happen while it scrapes, so rates and latency quantiles have
 * something to show. The demo serves every /metrics over HTTPS with its project CA, and
 * Prometheus scrapes with {@code scheme: https} and {@code tls_config: ca_file:} that CA (host
 * names verified); a job without the CA gets no sample ({@code up} 0). Everything started here
 * is stopped in {@link #cleanUp()}.
 */
@Timeout(value = 360, unit = TimeUnit.SECONDS)
class PrometheusDemoIT {
  private static final Path PROMETHEUS = Path.of("/usr/bin/prometheus");
  private static final Duration UP = Duration.ofSeconds(180);
  private static final Duration DATA = Duration.ofSeconds(90);
  private static final Pattern DIR = Pattern.compile("in (\\S*wallance-demo-\\S+)\\)");

  private final List<String> output = Collections.synchronizedList(new ArrayList<>());
  private final List<ProcessHandle> children = new ArrayList<>();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private Process demo;
  private Process prometheus;
  private Path work;

  @AfterEach
  void cleanUp() throws Exception {
    if (prometheus != null) {
      prometheus.destroy();
      if (!prometheus.waitFor(10, TimeUnit.SECONDS)) {
        prometheus.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    }
    if (demo != null) {
      demo.toHandle().destroy(); // SIGTERM: the demo stops its nodes
      if (!demo.waitFor(40, TimeUnit.SECONDS)) {
        demo.destroyForcibly();
      }
    }
    children.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    if (work != null) {
      deleteTree(work.resolve("tsdb"));
    }
  }

  @Test
  void prometheusScrapesTheDemoAndEveryGrafanaQueryReturnsData() throws Exception {
    assertThat(PROMETHEUS).as("Debian's prometheus (bash .ci/setup)").isExecutable();
    Path jar = Path.of(System.getProperty("wallance.jar", "target/wallance.jar")).toAbsolutePath();
    assertThat(jar).as("the fat jar; run through `mvn verify`").isRegularFile();
    work = Files.createDirectories(Path.of("target", "it", "PrometheusDemoIT-" + UUID.randomUUID().toString()
        .substring(0, 8)).toAbsolutePath());
    int httpPort = freePort();
    String url = "https://127.0.0.1:" + httpPort;

    demo = new ProcessBuilder(java(), "-jar", jar.toString(), "demo", "--nodes", "4", "--http-port",
        Integer.toString(httpPort), "--password", "pw", "--sensor-period", "500").redirectErrorStream(true).start();
    Thread reader = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(demo.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line = in.readLine(); line != null; line = in.readLine()) {
          output.add(line);
        }
      } catch (IOException ignored) {
        // the process ended
      }
    }, "demo-output");
    reader.setDaemon(true);
    reader.start();
    await("the demo's dashboard line", UP, () -> {
      assertThat(demo.isAlive()).as("demo exited:\n" + String.join("\n", output)).isTrue();
      return output.stream().anyMatch(l -> l.startsWith("dashboard: "));
    }, () -> String.join("\n", output));
    demo.children().forEach(children::add);
    assertThat(String.join("\n", output)).as("demo start-up shows progress (Progress)").contains("[demo] ");
    Path dir = output.stream().map(DIR::matcher).filter(Matcher::find).map(m -> Path.of(m.group(1))).findFirst()
        .orElseThrow();
    Path ca = dir.resolve("tls").resolve("ca.crt");
    assertThat(output).as("the demo names its CA").anyMatch(l -> l.startsWith("CA:        " + ca + "  "));
    HttpClient demoApi = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
        .sslContext(LocalNetwork.sslContext(ca)).build();

    // prometheus.yml: the nodes' metrics ports (metrics-targets.txt) and the web verticle.
    List<String> targets = new ArrayList<>();
    for (String line : Files.readAllLines(dir.resolve("metrics-targets.txt"))) {
      targets.add("'" + line.split(" ")[1] + "'");
    }
    assertThat(targets).hasSize(4);
    Path config = work.resolve("prometheus.yml");
    Files.writeString(config, """
        global:
          scrape_interval: 2s
          evaluation_interval: 2s
        scrape_configs:
          - job_name: wallance-nodes
            scheme: https
            tls_config:
              ca_file: %s
            static_configs:
              - targets: [%s]
          - job_name: wallance-web
            scheme: https
            tls_config:
              ca_file: %s
            static_configs:
              - targets: ['127.0.0.1:%d']
          - job_name: without-the-ca
            scheme: https
            static_configs:
              - targets: [%s]
        """.formatted(ca, String.join(", ", targets), ca, httpPort, targets.get(0)));
    int promPort = freePort();
    String prom = "http://127.0.0.1:" + promPort;
    prometheus = new ProcessBuilder(PROMETHEUS.toString(), "--config.file=" + config,
        "--storage.tsdb.path=" + work.resolve("tsdb"), "--web.listen-address=127.0.0.1:" + promPort,
        "--storage.tsdb.retention.time=1h").redirectErrorStream(true)
        .redirectOutput(work.resolve("prometheus.log").toFile()).start();
    await("all five targets up", DATA, () -> {
      assertThat(prometheus.isAlive()).as("prometheus exited: " + Files.readString(work.resolve("prometheus.log")))
          .isTrue();
      JsonArray up = query(prom, "up == 1");
      return up != null && up.size() == 5;
    });
    // The same node, scraped without the CA: the certificate is refused, no sample.
    await("the scrape without the CA refused", DATA, () -> {
      JsonArray refused = query(prom, "up{job=\"without-the-ca\"} == 0");
      return refused != null && refused.size() == 1;
    });
    assertThat(query(prom, "up{job=\"without-the-ca\"} == 1")).isEmpty();

    // Purchases while Prometheus scrapes: the buy queues until the node can afford it.
    for (String node : List.of("pi1", "pi2", "pi3")) {
      HttpResponse<String> r = demoApi.send(HttpRequest.newBuilder(URI.create(url + "/api/nodes/" + node + "/purchases"))
          .header("Authorization", "Basic " + Base64.getEncoder().encodeToString("operator:pw".getBytes(
              StandardCharsets.UTF_8)))
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString("{\"contract\":\"Receipt\"}"))
          .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as(r.body()).isBetween(200, 299);
    }

    Map<String, String> queries = grafanaQueries();
    assertThat(queries).hasSizeGreaterThan(20);
    Map<String, JsonArray> results = new LinkedHashMap<>();
    await("every Grafana query returns data", DATA, () -> {
      for (Map.Entry<String, String> q : queries.entrySet()) {
        if (!results.containsKey(q.getKey())) {
          JsonArray r = query(prom, q.getValue());
          if (r != null && !r.isEmpty() && hasNumber(r)) {
            results.put(q.getKey(), r);
          }
        }
      }
      return results.size() == queries.size();
    }, () -> "no data yet for " + queries.keySet().stream().filter(k -> !results.containsKey(k)).toList());
    // Every counter exists from the start (at 0), so "data" came before the purchases were final:
    // wait for the scraped total to count them (the buys queue until the nodes can afford them).
    await("the finalized purchases scraped", DATA, () -> {
      JsonArray r = query(prom, "sum(wallance_purchases_finalized_total)");
      return r != null && !r.isEmpty() && Double.parseDouble(r.getJsonObject(0).getJsonArray("value").getString(1)) > 0;
    });
  }

  /** Every {@code expr} of the dashboard, keyed by panel title and refId. */
  private static Map<String, String> grafanaQueries() throws IOException {
    JsonObject dashboard = new JsonObject(Files.readString(Path.of("conf/grafana/wallance.json")));
    Map<String, String> out = new LinkedHashMap<>();
    for (Object p : dashboard.getJsonArray("panels")) {
      JsonObject panel = (JsonObject) p;
      for (Object t : panel.getJsonArray("targets", new JsonArray())) {
        JsonObject target = (JsonObject) t;
        out.put(panel.getString("title") + " / " + target.getString("refId"), target.getString("expr"));
      }
    }
    return out;
  }

  /** An instant query; null when Prometheus does not answer yet. */
  private JsonArray query(String prom, String promql) {
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(prom + "/api/v1/query?query="
          + URLEncoder.encode(promql, StandardCharsets.UTF_8))).timeout(Duration.ofSeconds(10)).build(),
          HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        assertThat(r.statusCode()).as("query " + promql + ": " + r.body()).isNotEqualTo(400);
        return null;
      }
      JsonObject body = new JsonObject(r.body());
      assertThat(body.getString("status")).isEqualTo("success");
      return body.getJsonObject("data").getJsonArray("result");
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /** At least one series has a number (not NaN: a quantile over no observations is not data). */
  private static boolean hasNumber(JsonArray result) {
    for (Object o : result) {
      String v = ((JsonObject) o).getJsonArray("value").getString(1);
      if (!v.equals("NaN")) {
        return true;
      }
    }
    return false;
  }

  private interface Check {
    boolean holds() throws Exception;
  }

  private static void await(String what, Duration limit, Check check) throws Exception {
    await(what, limit, check, () -> "");
  }

  private static void await(String what, Duration limit, Check check, java.util.function.Supplier<String> detail)
      throws Exception {
    long deadline = System.nanoTime() + limit.toNanos();
    while (!check.holds()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + limit + " waiting for " + what + " " + detail.get());
      }
      Thread.sleep(500);
    }
  }

  private static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      return s.getLocalPort();
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (var walk = Files.walk(dir)) {
      walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
