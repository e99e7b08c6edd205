package io.wallance.contract;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * How a {@link ContractRunner} runs actions.
 *
 * @param receiptDirectory where actions leave their observable results; passed to them as
 *     {@code WALLANCE_RECEIPT_DIR} and created when missing
 * @param environment the whole base environment of an action; the node's own environment
 *     is deliberately not inherited, so secrets in it never reach a contract script
 * @param outputTailBytes how many trailing bytes of output a result keeps
 */
public record RunnerOptions(Path receiptDirectory, Map<String, String> environment, int outputTailBytes) {

  /** A {@code PATH} that finds the usual tools (sh, printf, gatttool) on Debian and Raspberry Pi OS. */
  public static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  /** The default output tail: enough for an error message, small enough for an event-bus message. */
  public static final int DEFAULT_OUTPUT_TAIL_BYTES = 4096;

  /** Validates and copies the environment. */
  public RunnerOptions {
    receiptDirectory = Objects.requireNonNull(receiptDirectory, "receiptDirectory").toAbsolutePath().normalize();
    environment = Map.copyOf(Objects.requireNonNull(environment, "environment"));
    if (outputTailBytes < 1 || outputTailBytes > 1024 * 1024) {
      throw new IllegalArgumentException("outputTailBytes out of range: " + outputTailBytes);
    }
  }

  /**
   * @param receiptDirectory where actions leave their results
   * @return options with {@code PATH=}{@value #DEFAULT_PATH} as the only base variable and
   *     a {@value #DEFAULT_OUTPUT_TAIL_BYTES}-byte output tail
   */
  public static RunnerOptions defaults(Path receiptDirectory) {
    return new RunnerOptions(receiptDirectory, Map.of("PATH", DEFAULT_PATH), DEFAULT_OUTPUT_TAIL_BYTES);
  }
}
