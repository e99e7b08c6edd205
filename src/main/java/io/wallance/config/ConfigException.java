package io.wallance.config;

/** A configuration file is missing, unreadable or invalid; the message names the file and the field. */
public final class ConfigException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** @param message what is wrong, for people (control characters are escaped to keep it one line) */
  public ConfigException(String message) {
    super(oneLine(message));
  }

  /**
   * @param message what is wrong, for people
   * @param cause the underlying failure
   */
  public ConfigException(String message, Throwable cause) {
    super(oneLine(message), cause);
  }

  /** @return {@code s} with every control character written as {@code \\uXXXX} (a field name may hold any) */
  private static String oneLine(String s) {
    StringBuilder sb = new StringBuilder(s.length());
    for (char c : s.toCharArray()) {
      if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
        sb.append(String.format("\\u%04x", (int) c));
      } else {
        sb.append(c);
      }
    }
    return sb.toString();
  }
}
