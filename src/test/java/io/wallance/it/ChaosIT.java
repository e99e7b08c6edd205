package io.wallance.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The real {@code chaos} command through the jar (as root, like CI): a bounded run of every
 * fault on 4 node processes in network namespaces. It must exit 0 with 0 divergences, no
 * conflicting finality, no negative balance, and after every heal a new purchase final on
 * every node and the victim voting again (for the pause: after failure detection declared it
 * dead, so its consumers' cluster subscriptions were removed) within the loose 120 s bound.
 * No timing goal is asserted. Its namespaces and processes are gone afterwards, also when the
 * harness is stopped with SIGTERM halfway, and namespaces of a dead earlier harness are swept.
 */
class ChaosIT {
  private static final long LIMIT_SECONDS = 600;
  /** Every fault `chaos` knows, once each. */
  static final String FAULTS = "kill,pause,partition,loss,delay,skew,disk";

  private static Path jar() {
    Path jar = Path.of(System.getProperty("wallance.jar", "target/wallance.jar")).toAbsolutePath();
    assertThat(jar).as("the fat jar; run through `mvn verify`").isRegularFile();
    return jar;
  }

  private static String java() {
    return ProcessHandle.current().info().command()
        .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
  }

  @Test
  void everyFaultHealsWithoutDivergenceAndPurchasesResume() throws Exception {
    Path json = Path.of("target", "chaos.json").toAbsolutePath();
    Files.deleteIfExists(json);
    Path log = Path.of("target", "chaos-it.log").toAbsolutePath();
    // A namespace of a harness that died without cleaning up (its pid is gone): swept at the start.
    Process gone = new ProcessBuilder("true").start();
    gone.waitFor();
    String stale = "wlc" + gone.pid() + "-br";
    run("ip", "netns", "add", stale);

    Process chaos = new ProcessBuilder(java(), "-jar", jar().toString(), "chaos", "--faults", FAULTS, "--hold", "6",
        "--recovery-limit", "120", "--json", json.toString())
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    List<ProcessHandle> children = new ArrayList<>();
    List<Long> left = new ArrayList<>();
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(LIMIT_SECONDS);
      boolean done = false;
      while (!done && System.nanoTime() < deadline) {
        chaos.descendants().filter(h -> !children.contains(h)).forEach(children::add);
        done = chaos.waitFor(1, TimeUnit.SECONDS);
      }
      assertThat(done).as("chaos finished within %d s:\n%s", LIMIT_SECONDS, read(log)).isTrue();
      assertThat(chaos.exitValue()).as(read(log)).isZero();
    } finally {
      chaos.destroy();
      chaos.waitFor(60, TimeUnit.SECONDS);
      children.stream().filter(ProcessHandle::isAlive).forEach(h -> {
        left.add(h.pid());
        h.destroyForcibly();
      });
    }
    assertThat(left).as("processes still running after chaos exited").isEmpty();
    assertThat(namespaces()).as("namespaces left").noneMatch(ns -> ns.startsWith("wlc" + chaos.pid() + "-"))
        .doesNotContain(stale);
    assertThat(read(log)).contains("removed namespaces left by an earlier run: " + stale);

    JsonObject r = new JsonObject(Files.readString(json, StandardCharsets.UTF_8));
    assertThat(r.getInteger("divergences")).as("divergences").isZero();
    assertThat(r.getJsonArray("conflicting_finality")).as("conflicting finality").isEmpty();
    assertThat(r.getJsonArray("negative_balances")).as("negative balances").isEmpty();
    assertThat(r.getBoolean("liveness")).isTrue();
    assertThat(r.getLong("purchases_finalized")).isPositive();
    assertThat(r.getJsonObject("digests").size()).isEqualTo(4);
    assertThat(r.getJsonObject("digests").stream().map(e -> e.getValue()).distinct().count()).isEqualTo(1);
    JsonArray episodes = r.getJsonArray("episodes");
    assertThat(episodes.stream().map(e -> ((JsonObject) e).getString("fault")).toList())
        .containsExactly(FAULTS.split(","));
    for (Object o : episodes) {
      JsonObject e = (JsonObject) o;
      assertThat(e.getDouble("recovery_s")).as("recovery after %s", e.getString("fault")).isNotNull()
          .isLessThanOrEqualTo(120.0);
      assertThat(e.getDouble("victim_voting_again_s")).as("victim votes again after %s", e.getString("fault"))
          .isNotNull().isLessThanOrEqualTo(120.0);
    }
    assertThat(r.getJsonObject("faults").getMap()).containsOnlyKeys(List.of(FAULTS.split(",")));
    // The faults took effect: the full disk stopped the node's store; the skewed node ran minutes off and voted.
    assertThat(detail(episodes, "disk")).contains("store failed after");
    assertThat(detail(episodes, "skew")).containsPattern("its readings' clock [+-][45]\\.[0-9] min off")
        .contains("voting while skewed: yes");
  }

  private static String detail(JsonArray episodes, String fault) {
    return episodes.stream().map(e -> (JsonObject) e).filter(e -> e.getString("fault").equals(fault))
        .map(e -> e.getString("detail")).findFirst().orElseThrow();
  }

  @Test
  void sigtermRemovesTheNamespacesAndEveryProcess() throws Exception {
    Path log = Path.of("target", "chaos-it-sigterm.log").toAbsolutePath();
    Process chaos = new ProcessBuilder(java(), "-jar", jar().toString(), "chaos", "--faults", "pause")
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    String prefix = "wlc" + chaos.pid() + "-";
    List<ProcessHandle> children = new ArrayList<>();
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
      while (!read(log).contains("chaos start") && System.nanoTime() < deadline && chaos.isAlive()) {
        chaos.descendants().filter(h -> !children.contains(h)).forEach(children::add);
        Thread.sleep(500);
      }
      chaos.descendants().filter(h -> !children.contains(h)).forEach(children::add);
      assertThat(read(log)).as("the nodes were starting").contains("chaos start");
      assertThat(namespaces()).as("the run's namespaces").filteredOn(ns -> ns.startsWith(prefix)).hasSize(6);
      chaos.destroy(); // SIGTERM
      assertThat(chaos.waitFor(120, TimeUnit.SECONDS)).as("chaos stops on SIGTERM").isTrue();
    } finally {
      chaos.destroyForcibly();
    }
    Thread.sleep(1000);
    assertThat(namespaces()).as("namespaces left after SIGTERM").noneMatch(ns -> ns.startsWith(prefix));
    java.util.regex.Matcher files = java.util.regex.Pattern.compile("\\(files in (\\S+)\\)").matcher(read(log));
    assertThat(files.find()).as("the run names its directory").isTrue();
    assertThat(Path.of(files.group(1))).as("the run's directory after SIGTERM").doesNotExist();
    assertThat(children.stream().filter(ProcessHandle::isAlive).map(ProcessHandle::pid).toList())
        .as("processes left after SIGTERM").isEmpty();
  }

  @Test
  void withoutRootItSaysSoInOneLine() throws Exception {
    Process chaos = new ProcessBuilder("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", java(), "-jar",
        jar().toString(), "chaos").redirectErrorStream(true).start();
    String output = new String(chaos.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(chaos.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(chaos.exitValue()).as(output).isEqualTo(1);
    assertThat(output.strip()).isEqualTo(
        "error: chaos needs root for network namespaces and nftables rules (run it with sudo)");
  }

  private static List<String> namespaces() throws Exception {
    Process p = new ProcessBuilder("ip", "netns", "list").redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor(20, TimeUnit.SECONDS);
    List<String> names = new ArrayList<>();
    for (String line : out.split("\n")) {
      if (!line.isBlank()) {
        names.add(line.strip().split("\\s+")[0]);
      }
    }
    return names;
  }

  private static void run(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(String.join(" ", command) + ": " + out).isZero();
  }

  private static String read(Path log) throws IOException {
    return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
  }
}
