package io.wallance.contract;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What a contract does when bought: a command run as an argument vector (never through a
 * shell), with a timeout, in a working directory inside the contract folder.
 *
 * @param command the program and its arguments; {@code command.get(0)} is looked up on the
 *     runner's {@code PATH} unless it contains a {@code /}, in which case it is resolved
 *     against the working directory
 * @param timeoutSeconds after this many seconds the process tree is killed
 * @param workingDir the working directory relative to the contract folder, normalized;
 *     {@code "."} for the contract folder itself
 */
public record ContractAction(List<String> command, int timeoutSeconds, String workingDir) {

  /** Longest timeout a descriptor may ask for; a stuck device should not hold a runner for long. */
  public static final int MAX_TIMEOUT_SECONDS = 3600;

  /** Validates and copies the command so the record stays immutable. */
  public ContractAction {
    command = List.copyOf(Objects.requireNonNull(command, "command"));
    if (command.isEmpty()) {
      throw new IllegalArgumentException("command must not be empty");
    }
    if (timeoutSeconds < 1 || timeoutSeconds > MAX_TIMEOUT_SECONDS) {
      throw new IllegalArgumentException("timeoutSeconds out of range: " + timeoutSeconds);
    }
    Objects.requireNonNull(workingDir, "workingDir");
  }

  /** @return the timeout as a duration */
  public Duration timeout() {
    return Duration.ofSeconds(timeoutSeconds);
  }
}
