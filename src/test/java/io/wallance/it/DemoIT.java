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
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

/**
 * The README's main command, as a user runs it: {@code java -jar target/wallance.jar demo} in
 * its own process, driven with what it prints: in headless Chromium (log in, Buy), with the
 * real jar's {@code status} and {@code buy} and over HTTP, then stopped with SIGTERM (the JVM handles it as it handles Ctrl+C), or killed with SIGKILL.
 * No node process may outlive it. Everything is HTTPS with the CA the demo printed, trusted as
 * a user would: Chromium through its NSS database, {@code status}/{@code buy} with {@code --ca},
 * the printed {@code curl --cacert} line run as printed; no client ignores certificates.
 */
class DemoIT {
  private static final Duration UP = Duration.ofSeconds(120);
  private static final Duration CLIENT = Duration.ofSeconds(120);
  private static final Duration GONE = Duration.ofSeconds(40);
  private static final Pattern DIR = Pattern.compile("in (\\S*wallance-demo-\\S+)\\)");
  private static final Pattern DASHBOARD = Pattern.compile("dashboard: (\\S+)/  \\(user operator, password (\\S+)\\)");
  private static final Pattern CA = Pattern.compile("CA: +(\\S+/tls/ca\\.crt)  \\(.*");

  private static Path jar;
  private Process demo;
  private Thread reader;
  private final List<String> output = java.util.Collections.synchronizedList(new ArrayList<>());
  private final List<ProcessHandle> children = new ArrayList<>();
  /** The demo's CA certificate, as it printed it. */
  private String ca;

  @BeforeAll
  static void findJar() {
    jar = Path.of(System.getProperty("wallance.jar", "target/wallance.jar")).toAbsolutePath();
    assertThat(jar).as("the fat jar; run through `mvn verify`").isRegularFile();
  }

  @AfterEach
  void cleanUp() throws Exception {
    if (demo != null && demo.isAlive()) {
      demo.destroyForcibly();
    }
    children.forEach(ProcessHandle::destroyForcibly);
    synchronized (output) {
      for (String line : output) {
        Matcher m = DIR.matcher(line);
        if (m.find()) {
          deleteTree(Path.of(m.group(1)));
        }
      }
    }
  }

  @Test
  void demoServesStatusAndBuysAndStopsWithoutLeavingAProcess() throws Exception {
    int http = freePort();
    startDemo("--nodes", "4", "--http-port", Integer.toString(http));
    Matcher printed = DASHBOARD.matcher(output.stream().filter(l -> l.startsWith("dashboard: ")).findFirst()
        .orElseThrow());
    assertThat(printed.matches()).as("the dashboard line: " + output).isTrue();
    String url = printed.group(1);
    String pw = printed.group(2);
    assertThat(url).isEqualTo("https://127.0.0.1:" + http);
    Matcher caLine = CA.matcher(output.stream().filter(l -> l.startsWith("CA: ")).findFirst().orElseThrow());
    assertThat(caLine.matches()).as("the CA line: " + output).isTrue();
    ca = caLine.group(1);
    assertThat(Path.of(ca)).isRegularFile();
    assertThat(output).as("the demo prints status with the CA").anyMatch(l -> l.strip()
        .equals("try:  java -jar wallance.jar status --url " + url + " --ca " + ca + " --password " + pw));

    firstTimeUserBuysInTheBrowser(url, pw, Path.of(ca));

    Result untrusted = wallance("status", "--url", url, "--password", pw);
    assertThat(untrusted.exit()).isEqualTo(1);
    assertThat(untrusted.text()).contains("not trusted").contains("--ca");
    Result status = wallance("status", "--url", url, "--ca", ca, "--password", pw);
    assertThat(status.exit()).as(status.text()).isZero();
    assertThat(status.text()).contains("4 nodes, 4 online");
    for (String name : List.of("pi1", "pi2", "pi3", "pi4")) {
      assertThat(status.text()).containsPattern("(?m)^" + name + "\\s+yes\\s");
    }

    Result buy = wallance("buy", "--url", url, "--ca", ca, "--node", "pi1", "--contract", "Receipt", "--password", pw,
        "--wait", "--timeout", "90");
    assertThat(buy.exit()).as(buy.text()).isZero();
    Matcher done = Pattern.compile("purchase (\\d+): final; pi1 balance ([0-9.]+) → ([0-9.]+) DCoin").matcher(buy.text());
    assertThat(done.find()).as(buy.text()).isTrue();
    assertThat(Double.parseDouble(done.group(2)) - Double.parseDouble(done.group(3))).isCloseTo(1.0,
        org.assertj.core.data.Offset.offset(1e-9));

    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
        .sslContext(LocalNetwork.sslContext(Path.of(ca))).build();
    JsonObject state = new JsonObject(client.send(HttpRequest.newBuilder(URI.create(url + "/api/state"))
        .header("Authorization", basic(pw))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()).body());
    JsonArray finalized = state.getJsonArray("recentFinalized");
    assertThat(finalized.stream().map(JsonObject.class::cast)
        .anyMatch(f -> "pi1".equals(f.getString("buyerName")) && "Receipt".equals(f.getString("contract"))))
        .as(finalized.encodePrettily()).isTrue();

    HttpResponse<String> wrong = client.send(HttpRequest.newBuilder(URI.create(url + "/api/nodes/pi1/purchases"))
        .header("Authorization", "Basic " + Base64.getEncoder().encodeToString("operator:nope".getBytes(
            StandardCharsets.UTF_8)))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"contract\":\"Receipt\"}"))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(wrong.statusCode()).isEqualTo(401);
    HttpResponse<String> late = client.send(HttpRequest.newBuilder(URI.create(url + "/api/nodes/pi1/purchases/"
            + done.group(1)))
        .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(("operator:" + pw).getBytes(
            StandardCharsets.UTF_8)))
        .DELETE().timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(late.statusCode()).as(late.body()).isEqualTo(409);
    assertThat(new JsonObject(late.body()).getString("error")).isEqualTo("NOT_CANCELLABLE");
    Result refused = wallance("buy", "--url", url, "--ca", ca, "--node", "pi1", "--contract", "Receipt",
        "--password", "nope");
    assertThat(refused.exit()).isEqualTo(1);
    assertThat(refused.text()).contains("error: buy: refused: wrong operator password");

    growByAFifthMember(client, url, pw);

    // SIGTERM: what a service manager sends, and handled like Ctrl+C (SIGINT is ignored by
    // processes started in the background of a non-interactive shell, as CI may be).
    // Through the handle: Process.destroy() would also close our end of its output.
    demo.toHandle().destroy();

    assertThat(demo.waitFor(GONE.toSeconds(), TimeUnit.SECONDS)).as("demo exits after SIGTERM").isTrue();
    assertChildrenGone();
    reader.join(5_000); // the last lines of a finished process
    assertThat(String.join("\n", lines())).contains("demo: stopped");
  }

  /**
   * "A first-time user buys within a minute": with only what the demo printed, log in, wait
   * for the nodes, press Buy, and see the purchase final with its balance change and its
   * contract's result. Bounded only loosely (liveness), never timed.
   */
  private static void firstTimeUserBuysInTheBrowser(String url, String password, Path ca) throws Exception {
    Duration wait = Duration.ofSeconds(90);
    try (Browser browser = Browser.start(1280, 900, ca)) {
      browser.login(url, password);
      browser.await("four nodes online", wait, () -> browser.all("article.node .badge.ok").size() == 4
          && browser.text("#connection").equals("live"));
      WebElement pi1 = browser.driver().findElement(By.cssSelector("article.node[data-node='pi1']"));
      new Select(pi1.findElement(By.cssSelector("select.picker"))).selectByValue("Receipt");
      pi1.findElement(By.cssSelector("button.buy")).click();

      browser.await("the purchase final", wait, () -> !browser.all("#finality li.final[data-buyer='pi1']").isEmpty());
      String row = browser.text("#finality li.final[data-buyer='pi1']");
      Matcher change = Pattern.compile("([0-9.]+) − 1 = ([0-9.]+) DCoin").matcher(row);
      assertThat(change.find()).as(row).isTrue();
      assertThat(new java.math.BigDecimal(change.group(2))).as(row)
          .isEqualByComparingTo(new java.math.BigDecimal(change.group(1)).subtract(java.math.BigDecimal.ONE));
      assertThat(row).containsPattern("voters pi[234]").containsPattern("latency pi\\d \\d+ ms");
      browser.await("the contract's result", wait, () -> browser.all("#results li.result[data-contract='Receipt']")
          .stream().anyMatch(r -> r.getText().startsWith("pi1 Receipt") && r.getText().contains("succeeded")));
      browser.fullScreenshot("demo-first-purchase");
    }
  }

  /**
   * The demo's "add a node": POST /api/demo/nodes makes pi5 a member of epoch 2 (signed by
   * the operator) and starts it under the demo; the running nodes learn the epoch, pi5 syncs
   * and votes, the quorum becomes 4 of 5, purchases go on and the checkpoint digests agree.
   */
  private void growByAFifthMember(HttpClient client, String url, String pw) throws Exception {
    HttpResponse<String> refused = client.send(HttpRequest.newBuilder(URI.create(url + "/api/demo/nodes"))
        .header("Authorization", basic("nope")).POST(HttpRequest.BodyPublishers.noBody())
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(refused.statusCode()).isEqualTo(401);
    // The line the demo printed, run as printed: curl trusting the demo's CA (--cacert), no -k.
    String curl = "curl --cacert " + ca + " -u operator:" + pw + " -X POST " + url + "/api/demo/nodes";
    assertThat(output).as("the demo says how to add a node").anyMatch(l -> l.strip().equals(curl));
    List<String> command = new ArrayList<>(List.of(curl.split(" ")));
    command.addAll(1, List.of("-s", "--max-time", "60", "-w", "\n%{http_code}"));
    Result add = run(command);
    assertThat(add.exit()).as(add.text()).isZero();
    String body = add.text().substring(0, add.text().lastIndexOf('\n'));
    assertThat(add.text().substring(add.text().lastIndexOf('\n') + 1)).as(add.text()).isEqualTo("201");
    JsonObject added = new JsonObject(body);
    assertThat(added.getString("name")).isEqualTo("pi5");
    assertThat(added.getLong("epoch")).isEqualTo(2);
    assertThat(added.getLong("members")).isEqualTo(5);
    assertThat(added.getLong("quorum")).isEqualTo(4);
    assertThat(output).anyMatch(l -> l.startsWith("demo: added pi5 as a member of epoch 2 (5 members, quorum 4"));
    // pi5 got a certificate of the demo's CA, and its metrics server is HTTPS with it.
    Path tls = Path.of(ca).getParent();
    new io.wallance.tls.TlsFiles(tls.resolve("ca.crt"), tls.resolve("pi5.crt"), tls.resolve("pi5.key")).check();
    Matcher metrics = Pattern.compile("metrics (https://127\\.0\\.0\\.1:\\d+)/metrics\\)").matcher(
        output.stream().filter(l -> l.startsWith("demo: added pi5")).findFirst().orElseThrow());
    assertThat(metrics.find()).as(output.toString()).isTrue();
    awaitTrue("pi5 ready over https", () -> client.send(HttpRequest.newBuilder(URI.create(metrics.group(1)
        + "/readiness")).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString())
        .statusCode() == 200);
    demo.children().filter(c -> !children.contains(c)).forEach(children::add);
    assertThat(children).as("the new node runs under the demo").hasSize(5);

    // Every node, old and new, in epoch 2 with quorum 4; pi5 in sync; digests at the cut agree.
    awaitState(client, url, pw, "all five in epoch 2, quorum 4, in sync, same checkpoint digest", state -> {
      JsonArray nodes = state.getJsonArray("nodes");
      return state.getLong("epoch") == 2 && state.getLong("quorum") == 4 && nodes.size() == 5
          && nodes.stream().map(JsonObject.class::cast).allMatch(n -> Boolean.TRUE.equals(n.getBoolean("online"))
              && Long.valueOf(2).equals(n.getLong("epoch")) && Long.valueOf(4).equals(n.getLong("quorum"))
              && Boolean.TRUE.equals(n.getBoolean("inSync")))
          && nodes.stream().map(n -> ((JsonObject) n).getString("ledgerDigest")).distinct().count() == 1;
    });
    Result status = wallance("status", "--url", url, "--ca", ca, "--password", pw);
    assertThat(status.text()).contains("5 nodes, 5 online");

    // Purchases go on, by an old member and by the new one; pi5 votes.
    for (String node : List.of("pi1", "pi5")) {
      Result buy = wallance("buy", "--url", url, "--ca", ca, "--node", node, "--contract", "Receipt",
          "--password", pw, "--wait", "--timeout", "90");
      assertThat(buy.exit()).as(buy.text()).isZero();
      assertThat(buy.text()).contains(": final; " + node + " balance");
    }
    awaitState(client, url, pw, "a vote by pi5 and one checkpoint digest", state ->
        state.getJsonArray("recentVotes").stream().map(JsonObject.class::cast)
            .anyMatch(v -> "pi5".equals(v.getString("voterName")))
        && state.getJsonArray("nodes").stream().map(n -> ((JsonObject) n).getString("ledgerDigest")).distinct()
            .count() == 1);
  }

  private static void awaitState(HttpClient client, String url, String pw, String what,
      java.util.function.Predicate<JsonObject> condition) throws Exception {
    long deadline = System.nanoTime() + UP.toNanos();
    JsonObject state = null;
    while (System.nanoTime() < deadline) {
      state = new JsonObject(client.send(HttpRequest.newBuilder(URI.create(url + "/api/state"))
          .header("Authorization", basic(pw)).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()).body());
      if (condition.test(state)) {
        return;
      }
      Thread.sleep(1000);
    }
    throw new AssertionError("not within " + UP + ": " + what + "; last state:\n"
        + (state == null ? null : state.getJsonArray("nodes").encodePrettily()));
  }

  private static String basic(String password) {
    return "Basic " + Base64.getEncoder().encodeToString(("operator:" + password).getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void nodesExitByThemselvesWhenTheDemoIsKilled() throws Exception {
    startDemo("--nodes", "3", "--http-port", Integer.toString(freePort()));

    demo.destroyForcibly(); // SIGKILL: no shutdown hook runs in the demo

    assertThat(demo.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertChildrenGone();
  }

  /** @return a copy of the demo's output so far (the reader thread appends meanwhile) */
  private List<String> lines() {
    synchronized (output) {
      return new ArrayList<>(output);
    }
  }

  /** Starts the demo and waits (bounded) for its dashboard line; remembers its node processes. */
  private void startDemo(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(java(), "-jar", jar.toString(), "demo"));
    command.addAll(List.of(args));
    demo = new ProcessBuilder(command).redirectErrorStream(true).start();
    reader = new Thread(() -> {
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
    long deadline = System.nanoTime() + UP.toNanos();
    while (lines().stream().noneMatch(l -> l.startsWith("dashboard: "))) {
      assertThat(demo.isAlive()).as("demo exited early:\n" + String.join("\n", lines())).isTrue();
      assertThat(System.nanoTime()).as("no dashboard line within " + UP + ":\n" + String.join("\n", lines()))
          .isLessThan(deadline);
      Thread.sleep(200);
    }
    demo.children().forEach(children::add);
    int nodes = Integer.parseInt(args[1]);
    assertThat(children).as("one JVM per node").hasSize(nodes);
  }

  private void assertChildrenGone() throws InterruptedException {
    long deadline = System.nanoTime() + GONE.toNanos();
    while (children.stream().anyMatch(ProcessHandle::isAlive) && System.nanoTime() < deadline) {
      Thread.sleep(200);
    }
    assertThat(children.stream().filter(ProcessHandle::isAlive).map(ProcessHandle::pid).toList())
        .as("node processes still alive " + GONE + " after the demo ended").isEmpty();
  }

  private record Result(int exit, String text) {}

  private static Result wallance(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(java(), "-jar", jar.toString()));
    command.addAll(List.of(args));
    return run(command);
  }

  /** Waits (bounded by {@link #UP}) until {@code condition} holds; an exception counts as not yet. */
  private static void awaitTrue(String what, java.util.concurrent.Callable<Boolean> condition) throws Exception {
    long deadline = System.nanoTime() + UP.toNanos();
    Exception last = null;
    while (System.nanoTime() < deadline) {
      try {
        if (condition.call()) {
          return;
        }
      } catch (Exception e) {
        last = e;
      }
      Thread.sleep(1000);
    }
    throw new AssertionError("not within " + UP + ": " + what, last);
  }

  private static Result run(List<String> command) throws Exception {
    Path log = Files.createTempFile("wallance-cli-", ".log");
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
      if (!p.waitFor(CLIENT.toSeconds(), TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError(String.join(" ", command) + " did not finish:\n" + Files.readString(log));
      }
      return new Result(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(log);
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
