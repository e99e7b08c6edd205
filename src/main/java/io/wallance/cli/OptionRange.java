package io.wallance.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/**
 * Range checks of a command's numeric options, each failing as picocli's own errors do (usage
 * error, exit code 2) with one line: {@code --nodes must be 3-16, got 20}.
 */
final class OptionRange {
  private final CommandSpec spec;

  /** @param spec the command whose options are checked (for the usage error) */
  OptionRange(CommandSpec spec) {
    this.spec = spec;
  }

  /**
   * @param option the option's name, e.g. {@code --nodes}
   * @param value its value
   * @param min smallest allowed value
   * @param max largest allowed value
   * @param unit what the value counts, e.g. {@code seconds}, or empty
   * @return this, for the next check
   * @throws ParameterException when {@code value} is outside {@code [min, max]}
   */
  OptionRange check(String option, long value, long min, long max, String unit) {
    if (value < min || value > max) {
      throw fail(option + " must be " + min + "-" + max + (unit.isEmpty() ? "" : " " + unit) + ", got " + value);
    }
    return this;
  }

  /** {@link #check(String, long, long, long, String)} without a unit. */
  OptionRange check(String option, long value, long min, long max) {
    return check(option, value, min, max, "");
  }

  /** @return a usage error of this command with {@code message} */
  ParameterException fail(String message) {
    return new ParameterException(spec.commandLine(), message);
  }
}
