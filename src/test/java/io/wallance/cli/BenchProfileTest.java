package io.wallance.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The JVM profiles bundled for {@code bench --jvm-profile} (and installed by Ansible). */
class BenchProfileTest {

  @Test
  void piProfileCarriesItsFlagsAndItsEnvironment() throws Exception {
    List<String> flags = BenchCommand.profile("pi");
    assertThat(flags).contains("-XX:+UseSerialGC", "-Dwallance.vertx.workerPoolSize=6", "-XX:+ExitOnOutOfMemoryError");
    assertThat(flags).noneMatch(f -> f.startsWith("#") || f.isBlank());
    assertThat(BenchCommand.profileEnv("pi")).isEqualTo(Map.of("MALLOC_ARENA_MAX", "1"));
    assertThat(BenchCommand.profileEnv("pc")).isEmpty();
    assertThat(BenchCommand.profileEnv("default")).isEmpty();
  }

  @Test
  void thisJvmAcceptsEveryFlagOfThePiProfile() throws Exception {
    // An unknown or misspelt -XX flag stops a JVM at start: on a Pi that is a node that never runs.
    List<String> command = new ArrayList<>();
    command.add(LocalFleet.javaExecutable());
    command.addAll(BenchCommand.profile("pi"));
    command.add("-version");
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as(out).isZero();
  }

  @Test
  void environmentFilesAreKeyValueLinesAndAnythingElseIsRefused() {
    assertThat(BenchCommand.parseEnv("# comment\n\nA_B=2\n  C=x=y  \n"))
        .containsExactly(Map.entry("A_B", "2"), Map.entry("C", "x=y"));
    assertThatThrownBy(() -> BenchCommand.parseEnv("MALLOC_ARENA_MAX 2"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("not a KEY=VALUE line in a JVM profile's environment: MALLOC_ARENA_MAX 2");
    assertThatThrownBy(() -> BenchCommand.parseEnv("1X=2")).isInstanceOf(IllegalArgumentException.class);
    assertThat(Path.of("conf/jvm/pi.env")).exists();
  }
}
