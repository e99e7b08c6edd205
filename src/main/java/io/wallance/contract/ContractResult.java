package io.wallance.contract;

import io.vertx.core.json.JsonObject;
import java.util.Locale;
import java.util.Objects;

/**
 * What happened when a contract's action ran.
 *
 * @param contract the contract's name
 * @param purchaseId the purchase the action ran for
 * @param status how the run ended
 * @param exitCode the process exit code, or {@link #NO_EXIT_CODE} when the process did not
 *     exit by itself (timed out, cancelled or never started)
 * @param durationMillis from starting the process until it exited or was killed
 * @param outputTail the last bytes of standard output and error, interleaved, decoded as
 *     UTF-8; for {@link Status#NOT_STARTED} the reason the process could not start
 * @param outputTruncated whether earlier output was dropped to keep only the tail
 */
public record ContractResult(
    String contract,
    String purchaseId,
    Status status,
    int exitCode,
    long durationMillis,
    String outputTail,
    boolean outputTruncated) {

  /** The exit code reported when the process did not exit by itself. */
  public static final int NO_EXIT_CODE = -1;

  /** How a run ended. */
  public enum Status {
    /** The process exited with code 0. */
    SUCCEEDED,
    /** The process exited with a non-zero code. */
    FAILED,
    /** The timeout elapsed; the process tree was killed. */
    TIMED_OUT,
    /** The runner was closed while the action ran; the process tree was killed. */
    CANCELLED,
    /** The process could not be started (no such program, no permission, ...). */
    NOT_STARTED
  }

  /** Checks the components are present. */
  public ContractResult {
    Objects.requireNonNull(contract, "contract");
    Objects.requireNonNull(purchaseId, "purchaseId");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(outputTail, "outputTail");
  }

  /** @return whether the action succeeded (exit code 0 within the timeout) */
  public boolean success() {
    return status == Status.SUCCEEDED;
  }

  /** @return whether the timeout killed the action */
  public boolean timedOut() {
    return status == Status.TIMED_OUT;
  }

  /**
   * The result as JSON for observers (the dashboard): {@code contract}, {@code purchaseId},
   * {@code status} (lowercase), {@code success}, {@code exitCode} (null without one),
   * {@code durationMs}, {@code output}, {@code outputTruncated}.
   *
   * @return a new JSON object
   */
  public JsonObject toJson() {
    return new JsonObject()
        .put("contract", contract)
        .put("purchaseId", purchaseId)
        .put("status", status.name().toLowerCase(Locale.ROOT))
        .put("success", success())
        .put("exitCode", exitCode == NO_EXIT_CODE ? null : exitCode)
        .put("durationMs", durationMillis)
        .put("output", outputTail)
        .put("outputTruncated", outputTruncated);
  }
}
