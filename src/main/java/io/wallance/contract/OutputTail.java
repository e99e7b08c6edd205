package io.wallance.contract;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Keeps the last {@code capacity} bytes of a stream, so a chatty or hostile action cannot
 * exhaust memory however much it prints. Filled by one thread, read by another.
 */
final class OutputTail {

  private final byte[] ring;
  private long total;

  OutputTail(int capacity) {
    this.ring = new byte[capacity];
  }

  /** Reads {@code in} to its end; returns quietly if the stream breaks (the process died). */
  void drain(InputStream in) {
    byte[] buffer = new byte[8192];
    try (in) {
      int n;
      while ((n = in.read(buffer)) > 0) {
        append(buffer, n);
      }
    } catch (IOException e) {
      // The pipe closes under us when the process tree is killed; what we have is the tail.
    }
  }

  synchronized void append(byte[] bytes, int length) {
    for (int i = 0; i < length; i++) {
      ring[(int) ((total + i) % ring.length)] = bytes[i];
    }
    total += length;
  }

  synchronized boolean truncated() {
    return total > ring.length;
  }

  /** @return the tail decoded as UTF-8, without a broken character at the cut */
  synchronized String text() {
    int size = (int) Math.min(total, ring.length);
    byte[] tail = new byte[size];
    long first = total - size;
    for (int i = 0; i < size; i++) {
      tail[i] = ring[(int) ((first + i) % ring.length)];
    }
    int start = 0;
    if (truncated()) {
      // Skip UTF-8 continuation bytes (10xxxxxx) left over from a character cut in half.
      while (start < size && (tail[start] & 0xC0) == 0x80) {
        start++;
      }
    }
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPLACE)
          .onUnmappableCharacter(CodingErrorAction.REPLACE)
          .decode(ByteBuffer.wrap(tail, start, size - start))
          .toString();
    } catch (java.nio.charset.CharacterCodingException e) {
      throw new IllegalStateException("a replacing decoder does not throw", e);
    }
  }
}
