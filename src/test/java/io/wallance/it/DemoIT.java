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

/**
 * The README's main command, as a user runs it: {@code java -jar target/wallance.jar demo} in
 * its own process, driven with the real jar's {@code status} and {@code buy} and over HTTP,
 * then stopped with SIGTERM (the JVM handles it as it handles Ctrl+C), or killed with SIGKILL.
 * No node process may outlive it.
 */
class DemoIT {
  private static final Duration UP = Duration.ofSeconds(120);
  private static final Duration CLIENT = Duration.ofSeconds(120);
  private static final Duration GONE = Duration.ofSeconds(40);
  private static final Pattern DIR = Pattern.compile("in (\\S*wallance-demo-\\S+)\\)");

  private static Path jar;
  private Process demo;
  private Thread reader;
  private final List<String> output = java.util.Collections.synchronizedList(new ArrayList<>());
  private final List<ProcessHandle> children = new ArrayList<>();

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
    String url = "http://127.0.0.1:" + http;
    startDemo("--nodes", "4", "--http-port", Integer.toString(http), "--password", "pw");

    Result status = wallance("status", "--url", url, "--password", "pw");
    assertThat(status.exit()).as(status.text()).isZero();
    assertThat(status.text()).contains("4 nodes, 4 online");
    for (String name : List.of("pi1", "pi2", "pi3", "pi4")) {
      assertThat(status.text()).containsPattern("(?m)^" + name + "\\s+yes\\s");
    }

    Result buy = wallance("buy", "--url", url, "--node", "pi1", "--contract", "Receipt", "--password", "pw",
        "--wait", "--timeout", "90");
    assertThat(buy.exit()).as(buy.text()).isZero();
    Matcher done = Pattern.compile("purchase (\\d+): final; pi1 balance ([0-9.]+) → ([0-9.]+) DCoin").matcher(buy.text());
    assertThat(done.find()).as(buy.text()).isTrue();
    assertThat(Double.parseDouble(done.group(2)) - Double.parseDouble(done.group(3))).isCloseTo(1.0,
        org.assertj.core.data.Offset.offset(1e-9));

    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    JsonObject state = new JsonObject(client.send(HttpRequest.newBuilder(URI.create(url + "/api/state"))
        .header("Authorization", "Basic " + Base64.getEncoder().encodeToString("operator:pw".getBytes(
            StandardCharsets.UTF_8)))
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
        .header("Authorization", "Basic " + Base64.getEncoder().encodeToString("operator:pw".getBytes(
            StandardCharsets.UTF_8)))
        .DELETE().timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(late.statusCode()).as(late.body()).isEqualTo(409);
    assertThat(new JsonObject(late.body()).getString("error")).isEqualTo("NOT_CANCELLABLE");
    Result refused = wallance("buy", "--url", url, "--node", "pi1", "--contract", "Receipt", "--password", "nope");
    assertThat(refused.exit()).isEqualTo(1);
    assertThat(refused.text()).contains("error: buy: refused: wrong operator password");

    // SIGTERM: what a service manager sends, and handled like Ctrl+C (SIGINT is ignored by
    // processes started in the background of a non-interactive shell, as CI may be).
    // Through the handle: Process.destroy() would also close our end of its output.
    demo.toHandle().destroy();

    assertThat(demo.waitFor(GONE.toSeconds(), TimeUnit.SECONDS)).as("demo exits after SIGTERM").isTrue();
    assertChildrenGone();
    reader.join(5_000); // the last lines of a finished process
    assertThat(String.join("\n", lines())).contains("demo: stopped");
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
    Path log = Files.createTempFile("wallance-cli-", ".log");
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
      if (!p.waitFor(CLIENT.toSeconds(), TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError("wallance " + String.join(" ", args) + " did not finish:\n" + Files.readString(log));
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
