package io.wallance.cli;

/** Makes network-supplied text safe to print on a terminal (no control or escape sequences). */
final class Terminal {
  private Terminal() {
  }

  /**
   * @param text text from the network, or null
   * @return the text with every control character replaced by {@code ?}, or {@code -} for null
   */
  static String safe(Object text) {
    if (text == null) {
      return "-";
    }
    String s = text.toString();
    StringBuilder out = new StringBuilder(s.length());
    s.codePoints().forEach(c -> {
      if (Character.isISOControl(c) || Character.getType(c) == Character.FORMAT) {
        out.append('?');
      } else {
        out.appendCodePoint(c);
      }
    });
    return out.toString();
  }

  /** @return the first {@code n} characters of {@code text} followed by an ellipsis when longer */
  static String abridge(Object text, int n) {
    String s = safe(text);
    return s.length() <= n ? s : s.substring(0, n) + "…";
  }
}
