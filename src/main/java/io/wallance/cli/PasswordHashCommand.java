package io.wallance.cli;

import io.wallance.web.PasswordHash;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code wallance password-hash}: reads the operator password from the first line of stdin
 * and prints its hash line, for the dashboard's {@code passwordHashFile}.
 */
@Command(
    name = "password-hash",
    mixinStandardHelpOptions = true,
    description = {
        "Reads a password from the first line of stdin and prints its PBKDF2 hash line",
        "for the dashboard's passwordHashFile, e.g.:",
        "  printf '%s\\n' \"$PW\" | wallance password-hash > operator.password"
    })
final class PasswordHashCommand implements Callable<Integer> {

  @Spec
  private CommandSpec spec;

  @Option(names = "--iterations", paramLabel = "N", defaultValue = "" + PasswordHash.DEFAULT_ITERATIONS,
      description = "PBKDF2 iterations. Default: ${DEFAULT-VALUE}.")
  private int iterations;

  @Override
  public Integer call() throws Exception {
    String line = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
    if (line == null || line.isEmpty()) {
      throw new IllegalStateException("no password on stdin");
    }
    spec.commandLine().getOut().println(PasswordHash.create(line, iterations).line());
    spec.commandLine().getOut().flush();
    return 0;
  }
}
