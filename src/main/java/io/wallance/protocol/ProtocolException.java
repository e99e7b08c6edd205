package io.wallance.protocol;

/**
 * A message or registry that cannot be accepted, with a typed reason.
 *
 * <p>Decoders throw it for malformed input; it never carries a stack trace worth logging
 * because bad input is expected on an open network.
 */
public final class ProtocolException extends Exception {
  private static final long serialVersionUID = 1L;
  private final Reason reason;

  /** Creates the exception for {@code reason} with a human-readable {@code detail}. */
  public ProtocolException(Reason reason, String detail) {
    super(reason + ": " + detail, null, false, false);
    this.reason = reason;
  }

  /** The typed reason. */
  public Reason reason() {
    return reason;
  }
}
