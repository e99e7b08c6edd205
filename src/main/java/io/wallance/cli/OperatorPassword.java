package io.wallance.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The operator password options shared by the API clients ({@code buy}, {@code status}):
 * {@code --password}, {@code --password-file}, or the environment variable
 * {@value #PASSWORD_ENV}. Every API call but {@code /health} needs it (docs/API.md).
 */
final class OperatorPassword {
  /** The environment variable read when neither --password nor --password-file is given. */
  static final String PASSWORD_ENV = "WALLANCE_PASSWORD";

  @Option(names = "--password", paramLabel = "PW",
      description = "The operator password (visible to other users in the process list; prefer"
          + " --password-file or " + PASSWORD_ENV + ").")
  private String password;

  @Option(names = "--password-file", paramLabel = "FILE", description = "A file whose first line is the password.")
  private Path passwordFile;

  /** @return the password from the option, the file or the environment; fails with one line when none is given */
  String get() throws IOException {
    if (password != null) {
      return password;
    }
    if (passwordFile != null) {
      List<String> lines = Files.readAllLines(passwordFile, StandardCharsets.UTF_8);
      if (lines.isEmpty() || lines.get(0).isEmpty()) {
        throw new IllegalStateException("password file " + passwordFile + " is empty");
      }
      return lines.get(0);
    }
    String env = System.getenv(PASSWORD_ENV);
    if (env != null && !env.isEmpty()) {
      return env;
    }
    throw new IllegalStateException("give the operator password with --password, --password-file or "
        + PASSWORD_ENV);
  }
}
