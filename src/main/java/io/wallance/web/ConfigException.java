package io.wallance.web;

/** A configuration file is missing, unreadable or invalid; the message names the file and the field. */
public final class ConfigException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** @param message what is wrong, for people */
  public ConfigException(String message) {
    super(message);
  }

  /**
   * @param message what is wrong, for people
   * @param cause the underlying failure
   */
  public ConfigException(String message, Throwable cause) {
    super(message, cause);
  }
}
