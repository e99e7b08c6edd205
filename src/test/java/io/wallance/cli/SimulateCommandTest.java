package io.wallance.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The {@code simulate} command's interface: arguments, summary line, exit codes. */
class SimulateCommandTest {

  @Test
  void aCleanRunPrintsTheSummaryAndExitsZero() {
    CliRun run = CliRun.of("simulate", "--nodes", "4", "--seeds", "3", "--steps", "150");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).containsPattern("seeds=3 steps=\\d+ purchases_finalized=[1-9]\\d* ")
        .contains("messages_delivered=").contains("faults={").contains("violations=0");
  }

  @Test
  void aBrokenRuleIsReportedWithItsSeedATraceAndExitCodeOne() {
    CliRun run = CliRun.of("simulate", "--nodes", "4", "--seeds", "50", "--mutation", "SKIP_SIGNATURE",
        "--stop-at-first");

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.out()).contains("VIOLATION SAFETY seed=").contains("reproduce: java -jar target/wallance.jar simulate")
        .contains("--mutation SKIP_SIGNATURE").contains("  | t=").contains("violations=1");
  }

  @Test
  void outOfRangeOptionsAreUsageErrors() {
    CliRun run = CliRun.of("simulate", "--nodes", "40");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("--nodes must be between 3 and 31");
  }

  @Test
  void anUnknownMutationIsAUsageError() {
    CliRun run = CliRun.of("simulate", "--mutation", "NOPE");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("NOPE");
  }
}
