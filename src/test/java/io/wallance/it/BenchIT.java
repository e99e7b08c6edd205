package io.wallance.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Smoke test of {@code bench} through the real jar: a short run on 4 nodes finalizes
 * purchases and writes every documented JSON field. No timing is asserted (the machine is
 * shared); no node process may outlive the bench.
 */
class BenchIT {
  private static final long LIMIT_SECONDS = 150;

  @org.junit.jupiter.api.Test
  void shortBenchFinalizesPurchasesAndWritesEveryField() throws Exception {
    Path jar = Path.of(System.getProperty("wallance.jar", "target/wallance.jar")).toAbsolutePath();
    assertThat(jar).as("the fat jar; run through `mvn verify`").isRegularFile();
    Path json = Path.of("target", "bench.json").toAbsolutePath();
    Files.deleteIfExists(json);
    Path log = Files.createTempFile("bench-it", ".log");
    String java = ProcessHandle.current().info().command()
        .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    Process bench = new ProcessBuilder(java, "-jar", jar.toString(), "bench", "--nodes", "4", "--purchases", "10",
        "--warmup", "2", "--warmup-seconds", "12", "--json", json.toString()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    List<ProcessHandle> children = new ArrayList<>();
    List<Long> left = new ArrayList<>();
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(LIMIT_SECONDS);
      boolean done = false;
      while (!done && System.nanoTime() < deadline) {
        bench.descendants().filter(h -> !children.contains(h)).forEach(children::add); // the node processes
        done = bench.waitFor(1, TimeUnit.SECONDS);
      }
      assertThat(done).as("bench finished within %d s:\n%s", LIMIT_SECONDS, read(log)).isTrue();
      assertThat(bench.exitValue()).as(read(log)).isZero();
    } finally {
      bench.destroyForcibly();
      children.stream().filter(ProcessHandle::isAlive).forEach(h -> {
        left.add(h.pid());
        h.destroyForcibly();
      });
    }
    assertThat(left).as("node processes still running after bench exited").isEmpty();
    JsonObject r = new JsonObject(Files.readString(json, StandardCharsets.UTF_8));
    assertThat(r.getInteger("nodes")).isEqualTo(4);
    assertThat(r.getLong("purchases_finalized")).isPositive();
    for (String field : List.of("throughput_per_s", "bound_per_s", "bound_ratio", "cpu_ms_per_purchase",
        "signatures_verified_per_purchase_per_node", "messages_per_purchase", "verify_per_s_per_core",
        "frames_per_purchase", "event_messages_per_purchase", "verify_cpu_ms_per_purchase", "verify_us_in_nodes",
        "verify_share_of_node_cpu", "contract_cpu_ms_per_purchase")) {
      assertThat(r.getValue(field)).as(field).isInstanceOf(Number.class);
    }
    // Messages go out in frames of one or more; the nodes timed their own verifications.
    assertThat(r.getDouble("frames_per_purchase")).isPositive().isLessThanOrEqualTo(r.getDouble("messages_per_purchase"));
    assertThat(r.getDouble("event_messages_per_purchase")).isPositive();
    assertThat(r.getDouble("verify_us_in_nodes")).isPositive();
    assertThat(r.getDouble("verify_share_of_node_cpu")).isBetween(0.0, 1.0);
    JsonObject latency = r.getJsonObject("latency_ms");
    for (String field : List.of("p50", "p90", "p99", "max")) {
      assertThat(latency.getValue(field)).as("latency_ms." + field).isInstanceOf(Number.class);
    }
    assertThat(r.getJsonArray("rss_mb")).hasSize(4);
    assertThat(r.getJsonArray("heap_mb")).hasSize(4);
    assertThat(r.getJsonArray("rss_mb").getDouble(0)).isPositive();
    assertThat(r.getJsonArray("samples")).isNotEmpty();
    // The warm-up went on after its 2 purchases, watching the node JVMs' JIT compilers over a
    // 10 s window: settled or not, it ended within its 12 s and measured the compilers' CPU.
    assertThat(r.getLong("warmup_purchases")).isGreaterThan(2);
    assertThat(r.getBoolean("jit_settled")).as("jit_settled").isNotNull();
    assertThat(r.getDouble("jit_cpu_cores_at_warmup_end")).isGreaterThanOrEqualTo(0.0);
    assertThat(r.getDouble("warmup_seconds")).isBetween(10.0, 12.0 + 60);
    assertThat(r.getDouble("jit_cpu_cores")).isGreaterThanOrEqualTo(0.0);
    assertThat(children).as("the bench started node processes").isNotEmpty();
    Files.deleteIfExists(log);
  }

  private static String read(Path log) throws IOException {
    return Files.readString(log, StandardCharsets.UTF_8);
  }
}
