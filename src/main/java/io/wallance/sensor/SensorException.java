package io.wallance.sensor;

import java.util.Objects;

/** A sensor could not produce a reading. The message says what to check. */
public final class SensorException extends Exception {

  private static final long serialVersionUID = 1L;

  /** Why a reading failed. */
  public enum Reason {
    /** The device file does not exist (for example not a Raspberry Pi). */
    MISSING,
    /** The device exists but could not be read. */
    UNREADABLE,
    /** The device returned something that is not an integer reading. */
    MALFORMED
  }

  private final Reason reason;

  /**
   * @param reason why the reading failed
   * @param message what happened and what to check
   * @param cause the underlying failure, or {@code null}
   */
  public SensorException(Reason reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = Objects.requireNonNull(reason, "reason");
  }

  /** @return why the reading failed */
  public Reason reason() {
    return reason;
  }
}
