package io.wallance.protocol;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Transport framing ({@code docs/PROTOCOL.md} 4.8): one event-bus frame carries one or more
 * whole wire messages back to back. Every message ends with its {@code sig=} line, the only
 * line of that key a valid message holds, so a frame is cut after each such line. A frame of
 * one message is exactly that message's bytes, as before framing existed.
 *
 * <p>Splitting checks nothing else: each part is decoded on its own ({@link Codec#decode}),
 * so a malformed part is refused with its own reason and the others still count. A frame
 * larger than {@link #MAX_BYTES} or of more than {@link #MAX_MESSAGES} parts is refused whole
 * ({@code TOO_LARGE}) before any part is looked at.
 */
public final class Frames {
  /** The largest frame: four of the largest messages. */
  public static final int MAX_BYTES = 4 * Codec.MAX_BYTES;
  /** The most messages in one frame. */
  public static final int MAX_MESSAGES = 256;
  private static final byte[] SIG_LINE = {'\n', 's', 'i', 'g', '='};

  private Frames() {}

  /**
   * Cuts a frame into its messages' bytes: after the LF that ends each line whose key is
   * {@code sig}. Bytes after the last such line (there are none in a well-formed frame) are a
   * part of their own, which then fails to decode. A frame without a {@code sig} line is one part.
   *
   * @param frame the frame's bytes
   * @return the parts, in order; never empty
   * @throws ProtocolException {@code TOO_LARGE} for a frame over {@link #MAX_BYTES} bytes or
   *     {@link #MAX_MESSAGES} parts
   */
  public static List<byte[]> split(byte[] frame) throws ProtocolException {
    if (frame.length > MAX_BYTES) {
      throw new ProtocolException(Reason.TOO_LARGE, "frame of " + frame.length + " bytes > " + MAX_BYTES);
    }
    List<byte[]> parts = new ArrayList<>(1);
    int start = 0;
    while (start < frame.length) {
      int sig = sigLine(frame, start);
      if (sig < 0) {
        break;
      }
      int lf = indexOf(frame, (byte) '\n', sig + SIG_LINE.length);
      if (lf < 0) {
        break; // the last line has no LF: the rest is one (malformed) part
      }
      add(parts, frame, start, lf + 1);
      start = lf + 1;
    }
    if (start < frame.length || parts.isEmpty()) {
      add(parts, frame, start, frame.length);
    }
    return parts;
  }

  /** Adds bytes {@code from} to {@code to} of the frame as a part (the frame itself when that is all of it). */
  private static void add(List<byte[]> parts, byte[] frame, int from, int to) throws ProtocolException {
    if (parts.size() == MAX_MESSAGES) {
      throw new ProtocolException(Reason.TOO_LARGE, "frame of more than " + MAX_MESSAGES + " messages");
    }
    parts.add(from == 0 && to == frame.length ? frame : Arrays.copyOfRange(frame, from, to));
  }

  /** The index of the {@code s} of the first line {@code sig=...} at or after {@code from}, or -1. */
  private static int sigLine(byte[] frame, int from) {
    outer:
    for (int i = from; i + SIG_LINE.length <= frame.length; i++) {
      for (int k = 0; k < SIG_LINE.length; k++) {
        if (frame[i + k] != SIG_LINE[k]) {
          continue outer;
        }
      }
      return i + 1;
    }
    return -1;
  }

  private static int indexOf(byte[] bytes, byte b, int from) {
    for (int i = from; i < bytes.length; i++) {
      if (bytes[i] == b) {
        return i;
      }
    }
    return -1;
  }
}
