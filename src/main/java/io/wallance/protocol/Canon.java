package io.wallance.protocol;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The canonical line encoding shared by every message: printable ASCII lines
 * {@code key=value} each ending in a single LF, fields in a fixed order, integers in
 * decimal without leading zeros, hashes and keys in lowercase hex.
 *
 * <p>One encoding for signing, hashing and the wire means a message is never re-serialised
 * before its signature is checked (see {@code docs/PROTOCOL.md}, "Canonical encoding").
 */
public final class Canon {
  /** The protocol version this release writes. */
  public static final int VERSION = 1;
  /** The largest integer a field may carry (keeps every value exact in JSON and JavaScript). */
  public static final long MAX_UINT = 9_007_199_254_740_991L;

  static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");
  static final Pattern HEX128 = Pattern.compile("[0-9a-f]{128}");
  static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,32}");
  static final Pattern UINT = Pattern.compile("0|[1-9][0-9]{0,15}");
  static final Pattern INT = Pattern.compile("0|-?[1-9][0-9]{0,15}");
  static final Pattern KEY = Pattern.compile("[a-z]{1,16}");

  private Canon() {}

  /** Appends fields in order; the caller decides the order, the writer the bytes. */
  public static final class Writer {
    private final StringBuilder out = new StringBuilder(256);

    /** Appends {@code key=value\n}. */
    public Writer put(String key, String value) {
      out.append(key).append('=').append(value).append('\n');
      return this;
    }

    /** Appends {@code key=<decimal>\n}. */
    public Writer put(String key, long value) {
      return put(key, Long.toString(value));
    }

    /** The encoded bytes so far. */
    public byte[] bytes() {
      return out.toString().getBytes(StandardCharsets.US_ASCII);
    }
  }

  /** Reads fields in the order the type dictates, rejecting anything else. */
  public static final class Reader {
    private final List<String[]> lines;
    private int next;

    Reader(List<String[]> lines) {
      this.lines = lines;
    }

    /** Splits {@code bytes} into lines, checking the character set and line grammar. */
    public static Reader of(byte[] bytes, int maxBytes) throws ProtocolException {
      if (bytes.length > maxBytes) {
        throw new ProtocolException(Reason.TOO_LARGE, bytes.length + " bytes > " + maxBytes);
      }
      if (bytes.length == 0 || bytes[bytes.length - 1] != '\n') {
        throw new ProtocolException(Reason.MALFORMED, "message must end with LF");
      }
      List<String[]> lines = new ArrayList<>();
      int start = 0;
      for (int i = 0; i < bytes.length; i++) {
        byte b = bytes[i];
        if (b == '\n') {
          int eq = start;
          while (eq < i && bytes[eq] != '=') {
            eq++;
          }
          if (eq == i || !isKey(bytes, start, eq)) {
            throw new ProtocolException(Reason.MALFORMED, "line " + (lines.size() + 1) + " is not key=value");
          }
          lines.add(new String[] {new String(bytes, start, eq - start, StandardCharsets.US_ASCII),
              new String(bytes, eq + 1, i - eq - 1, StandardCharsets.US_ASCII)});
          start = i + 1;
        } else if (b < 0x20 || b > 0x7e) {
          throw new ProtocolException(Reason.MALFORMED, "byte " + (b & 0xff) + " at offset " + i);
        }
      }
      return new Reader(lines);
    }

    /** Position of the next unread line (to slice the signed body). */
    int position() {
      return next;
    }

    /** True when another line with this key follows. */
    public boolean peek(String key) {
      return next < lines.size() && lines.get(next)[0].equals(key);
    }

    /** The raw value of the next line, which must carry {@code key}. */
    public String text(String key) throws ProtocolException {
      if (next >= lines.size()) {
        throw new ProtocolException(Reason.BAD_FIELDS, "missing field '" + key + "'");
      }
      String[] kv = lines.get(next);
      if (!kv[0].equals(key)) {
        throw new ProtocolException(Reason.BAD_FIELDS, "expected field '" + key + "' but found '" + kv[0] + "'");
      }
      next++;
      return kv[1];
    }

    /** A field matching {@code grammar} (the grammars of this class are checked without regex). */
    public String match(String key, Pattern grammar) throws ProtocolException {
      String v = text(key);
      if (!matches(grammar, v)) {
        throw new ProtocolException(Reason.BAD_VALUE, "field '" + key + "' has a malformed value");
      }
      return v;
    }

    /** A 64-digit lowercase hex field (keys, hashes, states). */
    public String hex64(String key) throws ProtocolException {
      return match(key, HEX64);
    }

    /** A name field ({@code [A-Za-z0-9_.-]{1,32}}). */
    public String name(String key) throws ProtocolException {
      return match(key, NAME);
    }

    /** An unsigned integer field within {@code [min, max]}. */
    public long uint(String key, long min, long max) throws ProtocolException {
      return range(key, Long.parseLong(match(key, UINT)), min, max);
    }

    /** A signed integer field within {@code [min, max]}. */
    public long sint(String key, long min, long max) throws ProtocolException {
      return range(key, Long.parseLong(match(key, INT)), min, max);
    }

    private static long range(String key, long v, long min, long max) throws ProtocolException {
      if (v < min || v > max) {
        throw new ProtocolException(Reason.BAD_VALUE, "field '" + key + "' = " + v + " outside [" + min + ", " + max + "]");
      }
      return v;
    }

    /** Fails unless every line was read. */
    public void end() throws ProtocolException {
      if (next != lines.size()) {
        throw new ProtocolException(Reason.BAD_FIELDS, "unexpected field '" + lines.get(next)[0] + "'");
      }
    }
  }

  /** True for a 64-digit lowercase hex string. */
  public static boolean isHex64(String s) {
    return s != null && isHex(s, 64);
  }

  /** True for a valid name. */
  public static boolean isName(String s) {
    return s != null && isNameText(s);
  }

  // Hand-written equivalents of the grammars above: decoding runs for every message a node
  // receives, and java.util.regex allocated and cost more than the rest of the decoder
  // (bench profile, docs/BENCHMARKS.md). CanonGrammarTest checks each against its regex.

  /** {@code grammar.matcher(v).matches()}, without a regex for this class's own grammars. */
  static boolean matches(Pattern grammar, String v) {
    if (grammar == HEX64) {
      return isHex(v, 64);
    } else if (grammar == HEX128) {
      return isHex(v, 128);
    } else if (grammar == NAME) {
      return isNameText(v);
    } else if (grammar == UINT) {
      return isDecimal(v, false);
    } else if (grammar == INT) {
      return isDecimal(v, true);
    } else if (grammar == KEY) {
      byte[] b = v.getBytes(StandardCharsets.ISO_8859_1);
      return v.chars().allMatch(c -> c < 0x80) && isKey(b, 0, b.length);
    }
    return grammar.matcher(v).matches();
  }

  static boolean isHex(String v, int length) {
    if (v.length() != length) {
      return false;
    }
    for (int i = 0; i < length; i++) {
      char c = v.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
        return false;
      }
    }
    return true;
  }

  static boolean isNameText(String v) {
    int n = v.length();
    if (n < 1 || n > 32) {
      return false;
    }
    for (int i = 0; i < n; i++) {
      char c = v.charAt(i);
      if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.'
          || c == '-')) {
        return false;
      }
    }
    return true;
  }

  /** {@code 0|[1-9][0-9]{0,15}}, or with {@code signed} {@code 0|-?[1-9][0-9]{0,15}}. */
  static boolean isDecimal(String v, boolean signed) {
    int n = v.length();
    int i = signed && n > 0 && v.charAt(0) == '-' ? 1 : 0;
    int digits = n - i;
    if (digits < 1 || digits > 16) {
      return false;
    }
    if (v.charAt(i) == '0') {
      return n == 1; // "0" only: no leading zeros, no "-0"
    }
    for (; i < n; i++) {
      char c = v.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return true;
  }

  /** {@code [a-z]{1,16}} over {@code bytes[from, to)}. */
  static boolean isKey(byte[] bytes, int from, int to) {
    int n = to - from;
    if (n < 1 || n > 16) {
      return false;
    }
    for (int i = from; i < to; i++) {
      if (bytes[i] < 'a' || bytes[i] > 'z') {
        return false;
      }
    }
    return true;
  }
}
