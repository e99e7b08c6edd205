package io.wallance.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** {@code chaos} refuses bad arguments before touching the machine (no root needed for that). */
class ChaosCommandTest {

  @Test
  void helpListsEveryFault() {
    CliRun run = CliRun.of("chaos", "--help");
    assertThat(run.exitCode()).isZero();
    for (String fault : ChaosFault.names()) {
      assertThat(run.out()).contains(fault);
    }
  }

  @Test
  void tooFewNodesIsAUsageError() {
    CliRun run = CliRun.of("chaos", "--nodes", "3");
    assertThat(run.exitCode()).isEqualTo(Main.EXIT_USAGE);
    assertThat(run.err()).startsWith("--nodes must be 4-9, got 3");
  }

  @Test
  void anUnknownFaultIsNamedWithTheKnownOnes() {
    CliRun run = CliRun.of("chaos", "--faults", "kill,boom");
    assertThat(run.exitCode()).isEqualTo(Main.EXIT_USAGE);
    assertThat(run.err()).startsWith("--faults: unknown fault 'boom'; known: [kill, pause, partition, loss, delay,"
        + " skew, disk]");
  }

  @Test
  void outOfRangeFaultParametersAreUsageErrors() {
    assertThat(CliRun.of("chaos", "--hold", "5").err()).startsWith("--hold must be 6-600 seconds, got 5");
    assertThat(CliRun.of("chaos", "--loss", "95").err()).startsWith("--loss must be 1-90 percent, got 95");
    assertThat(CliRun.of("chaos", "--delay", "0").err()).startsWith("--delay must be 1-10000 ms, got 0");
    assertThat(CliRun.of("chaos", "--skew", "0").err()).startsWith("--skew must be 1-1440 minutes, got 0");
  }

  @Test
  void faultNamesParseCaseInsensitively() {
    assertThat(ChaosFault.parse(" Kill ")).isEqualTo(ChaosFault.KILL);
    assertThat(ChaosFault.parse("disk")).isEqualTo(ChaosFault.DISK);
  }
}
