package io.wallance.ledger;

import java.nio.charset.StandardCharsets;

/**
 * A Bloom filter of the (wallet, purchase) rewards evicted from the books: it answers "surely
 * not evicted" without reading the archive, so granting a fresh reward costs no read. Its size is
 * fixed ({@link #BITS} bits, 1 MiB) whatever the ledger's length; with three probes its false
 * "maybe" rate is (1 - e^(-3n/2^23))^3 for n evicted rewards (by that formula: 0.004 % at
 * 100 000, 2.7 % at a million). A false "maybe" only costs a read of the archive, which then
 * answers exactly.
 */
final class RewardFilter {
  /** Filter size in bits (a power of two). */
  static final int BITS = 1 << 23;
  private static final int PROBES = 3;
  private final long[] words = new long[BITS / 64];

  /** A wallet's salt: the first eight bytes of a SHA-256 of its id. */
  static long salt(String wallet) {
    byte[] h = io.wallance.protocol.Crypto.sha256(wallet.getBytes(StandardCharsets.UTF_8));
    long s = 0;
    for (int i = 0; i < 8; i++) {
      s = s << 8 | (h[i] & 0xff);
    }
    return s;
  }

  void add(long salt, long[] key) {
    for (int i = 0; i < PROBES; i++) {
      int bit = bit(salt, key, i);
      words[bit >>> 6] |= 1L << bit;
    }
  }

  boolean mightContain(long salt, long[] key) {
    for (int i = 0; i < PROBES; i++) {
      int bit = bit(salt, key, i);
      if ((words[bit >>> 6] & 1L << bit) == 0) {
        return false;
      }
    }
    return true;
  }

  /** Probe {@code i}: word {@code i} of the (already uniform) SHA-256 key, mixed with the salt. */
  private static int bit(long salt, long[] key, int i) {
    long x = (key[i] ^ salt) * 0x9E3779B97F4A7C15L;
    x ^= x >>> 29;
    x *= 0xBF58476D1CE4E5B9L;
    return (int) (x >>> (64 - Integer.numberOfTrailingZeros(BITS)));
  }
}
