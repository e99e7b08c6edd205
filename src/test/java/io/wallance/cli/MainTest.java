package io.wallance.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import org.junit.jupiter.api.Test;

class MainTest {

  @Test
  void helpListsTheSubcommandsAndExitsZero() {
    CliRun run = CliRun.of("--help");

    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).contains("Usage: wallance").contains("Commands:").contains("keygen");
  }

  @Test
  void versionPrintsTheProjectVersion() {
    CliRun run = CliRun.of("--version");

    assertThat(run.exitCode()).isZero();
    // The Maven-filtered version, not the placeholder or "unknown".
    assertThat(run.out().strip()).matches("wallance \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?");
  }

  @Test
  void noSubcommandIsAUsageError() {
    CliRun run = CliRun.of();

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("Missing required subcommand").contains("Usage: wallance");
  }

  @Test
  void unknownSubcommandIsAUsageError() {
    CliRun run = CliRun.of("frobnicate");

    assertThat(run.exitCode()).isEqualTo(2);
    // picocli prints the usage, or "Did you mean" when a command name is close (e.g. status).
    assertThat(run.err()).contains("Unmatched argument").contains("'frobnicate'").containsAnyOf("Usage:", "Did you mean");
    assertThat(run.out()).isEmpty();
  }

  @Test
  void everySubcommandHasHelp() {
    for (String name : Main.commandLine().getSubcommands().keySet()) {
      CliRun run = CliRun.of(name, "--help");

      assertThat(run.exitCode()).as(name + " --help").isZero();
      assertThat(run.out()).as(name + " --help").contains("Usage: wallance " + name);
    }
  }

  @Test
  void fileSystemErrorsAreDescribedWithTheirReason() {
    assertThat(Main.describe(new AccessDeniedException("/etc/x.key"))).isEqualTo("access denied: /etc/x.key");
    assertThat(Main.describe(new NoSuchFileException("/a", null, "gone"))).isEqualTo("gone: /a");
    assertThat(Main.describe(new IllegalStateException("two\n  lines"))).isEqualTo("two lines");
    assertThat(Main.describe(new NullPointerException())).isEqualTo("java.lang.NullPointerException");
  }
}
