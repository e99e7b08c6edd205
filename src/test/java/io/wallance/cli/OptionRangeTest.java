package io.wallance.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * {@code bench} and {@code demo} refuse out-of-range options with one usage line and exit code 2,
 * before starting anything ({@code chaos}: {@link ChaosCommandTest}).
 */
class OptionRangeTest {

  private static void refused(String expected, String... args) {
    CliRun run = CliRun.of(args);
    assertThat(run.exitCode()).as(String.join(" ", args)).isEqualTo(Main.EXIT_USAGE);
    assertThat(run.err()).as(String.join(" ", args)).startsWith(expected);
  }

  @Test
  void benchChecksItsRanges() {
    refused("--nodes must be 3-64, got 2", "bench", "--nodes", "2");
    refused("--processes must be 1-4, got 5", "bench", "--nodes", "4", "--processes", "5");
    refused("--failure-detection must be 2-600, got 1", "bench", "--nodes", "4", "--failure-detection", "1");
    refused("--sensor-period must be 100-10000, got 99", "bench", "--nodes", "4", "--sensor-period", "99");
    refused("--concurrency, --purchases, --duration, --rate and --sample-seconds must be positive",
        "bench", "--nodes", "4", "--concurrency", "0");
  }

  @Test
  void demoChecksItsRanges() {
    refused("--nodes must be 3-16, got 17", "demo", "--nodes", "17");
    refused("--http-port must be 1-65535, got 0", "demo", "--http-port", "0");
    refused("--sensor-period must be 100-10000, got 10001", "demo", "--sensor-period", "10001");
    refused("--password must not be empty", "demo", "--password", "");
  }
}
