package io.wallance.protocol;

import java.util.List;

/**
 * The answer to a {@code sums} pull: how many rewards a voter's wallet holds, and their XOR
 * digest, in each of the 16 equal parts of one bucket of the reward hash space. The asker
 * compares each part with its own and descends only into the parts that differ (digest
 * bisection, PROTOCOL.md 9.2), so a missing reward is found in a few small round trips
 * instead of paging the voter's whole reward list. Like a status it is a signed summary that
 * is never trusted: it only decides what to pull, and what is pulled verifies itself.
 *
 * <p>The reward hash space is the last {@link #KEY_DIGITS} hex digits of the purchase hash
 * (its first digits carry the proof-of-work zeros, its last ones are uniform), read as an
 * integer in {@code [0, SPACE)}: a purchase's bucket key. A bucket is a range {@code [from, to]} of
 * width {@code 16^k} ({@code 1 ≤ k ≤ 6}) with {@code from} a multiple of the width.
 *
 * @param net network id
 * @param node the reporting member
 * @param voter the wallet whose rewards are summed
 * @param from the bucket's first prefix
 * @param to the bucket's last prefix (inclusive)
 * @param parts the 16 parts of the bucket, in ascending order
 */
public record Sums(String net, String node, String voter, long from, long to, List<Part> parts) implements Body {
  /** Trailing hex digits of a purchase hash that place it in the reward hash space. */
  public static final int KEY_DIGITS = 6;
  /** Size of the reward hash space: {@code 16^6}. */
  public static final long SPACE = 1L << (4 * KEY_DIGITS);
  /** Parts per bucket. */
  public static final int PARTS = 16;

  /** Copies the list so the record stays immutable. */
  public Sums {
    parts = List.copyOf(parts);
  }

  /**
   * One part of the bucket as the reporter holds it.
   *
   * @param count rewards whose purchase hash falls in the part
   * @param digest XOR of those purchase hashes (64 zeros when none)
   */
  public record Part(long count, String digest) {
    String encode() {
      return count + "," + digest;
    }

    static Part decode(String s) throws ProtocolException {
      int comma = s.indexOf(',');
      String n = comma < 0 ? "" : s.substring(0, comma);
      String d = comma < 0 ? "" : s.substring(comma + 1);
      if (!Canon.isHex64(d) || !Canon.isDecimal(n, false) || n.length() > 16) {
        throw new ProtocolException(Reason.BAD_VALUE, "malformed sums part");
      }
      long count = Long.parseLong(n);
      if (count > Canon.MAX_UINT) {
        throw new ProtocolException(Reason.BAD_VALUE, "sums count out of range");
      }
      return new Part(count, d);
    }
  }

  /** True when {@code [from, to]} is a bucket of the reward hash space (see the class comment). */
  public static boolean isBucket(long from, long to) {
    if (from < 0 || to < from || to >= SPACE) {
      return false;
    }
    long width = to - from + 1;
    for (long w = PARTS; w <= SPACE; w *= PARTS) {
      if (w == width) {
        return from % width == 0;
      }
    }
    return false;
  }

  /** The bucket key of a 64-digit lowercase hex purchase hash (its last digits), or -1 for any other string. */
  public static long key(String hash) {
    if (!Canon.isHex64(hash)) {
      return -1;
    }
    return Long.parseLong(hash.substring(64 - KEY_DIGITS), 16);
  }

  @Override
  public String author() {
    return node;
  }

  @Override
  public Type type() {
    return Type.SUMS;
  }

  @Override
  public void writeFields(Canon.Writer w) {
    w.put("node", node).put("voter", voter).put("from", from).put("to", to);
    for (Part p : parts) {
      w.put("part", p.encode());
    }
  }

  static Sums read(String net, Canon.Reader r) throws ProtocolException {
    String node = r.hex64("node");
    String voter = r.hex64("voter");
    long from = r.uint("from", 0, SPACE - 1);
    long to = r.uint("to", 0, SPACE - 1);
    if (!isBucket(from, to)) {
      throw new ProtocolException(Reason.BAD_VALUE, "sums range is not a bucket of the reward hash space");
    }
    Part[] parts = new Part[PARTS];
    for (int i = 0; i < PARTS; i++) {
      parts[i] = Part.decode(r.text("part"));
    }
    return new Sums(net, node, voter, from, to, List.of(parts));
  }
}
