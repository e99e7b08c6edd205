package io.wallance.fuzz;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Structured reading of a fuzz input: a byte picks one of n choices, a length byte and that
 * many bytes give a string, the rest is a body. Every byte sequence reads as something (a
 * short input reads as choice 0 and empty strings), so the fuzzer and the mutator can change
 * any byte. {@link Writer} builds seed inputs in the same layout.
 */
public final class Input {
  private final byte[] bytes;
  private int pos;

  /** @param bytes the raw input */
  public Input(byte[] bytes) {
    this.bytes = bytes;
  }

  /** @return a choice in {@code [0, n)} */
  public int choice(int n) {
    return pos < bytes.length ? (bytes[pos++] & 0xff) % n : 0;
  }

  /** @return a string of up to 255 bytes, decoded as UTF-8 (invalid sequences become U+FFFD) */
  public String text() {
    int len = Math.min(choice(256), bytes.length - pos);
    String s = new String(bytes, pos, len, StandardCharsets.UTF_8);
    pos += len;
    return s;
  }

  /** @return every byte not read yet */
  public byte[] rest() {
    byte[] out = Arrays.copyOfRange(bytes, Math.min(pos, bytes.length), bytes.length);
    pos = bytes.length;
    return out;
  }

  /** Builds a seed in the layout {@link Input} reads. */
  public static final class Writer {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    /** @return this, with choice {@code i} */
    public Writer choice(int i) {
      out.write(i);
      return this;
    }

    /** @return this, with string {@code s} (at most 255 bytes of UTF-8) */
    public Writer text(String s) {
      byte[] b = s.getBytes(StandardCharsets.UTF_8);
      if (b.length > 255) {
        throw new IllegalArgumentException("a text field holds at most 255 bytes");
      }
      out.write(b.length);
      out.writeBytes(b);
      return this;
    }

    /** @return the input, ending with {@code rest} */
    public byte[] rest(String rest) {
      out.writeBytes(rest.getBytes(StandardCharsets.UTF_8));
      return out.toByteArray();
    }
  }
}
