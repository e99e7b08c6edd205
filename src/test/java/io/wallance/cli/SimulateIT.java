package io.wallance.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The simulator through the built jar, as the README runs it. */
class SimulateIT {

  @Test
  void theJarRunsTheSimulatorAndReportsNoViolation() throws Exception {
    Path jar = Path.of(System.getProperty("wallance.jar", "target/wallance.jar")).toAbsolutePath();
    assertThat(jar).isRegularFile();
    List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"), "-jar",
        jar.toString(), "simulate", "--nodes", "7", "--seeds", "10"));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    try {
      boolean done = p.waitFor(180, TimeUnit.SECONDS);
      assertThat(done).as("simulate finished within 180 s").isTrue();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.exitValue()).as(out).isZero();
      assertThat(out).contains("seeds=10 ").contains("violations=0").containsPattern("purchases_finalized=[1-9]");
    } finally {
      p.destroyForcibly();
    }
  }
}
