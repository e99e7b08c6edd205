package io.wallance.ledger;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One wallet's rewards in a compact form: for every purchase hash it holds, whether the
 * reward was granted (the wallet's vote on it earned one) and whether a request on the
 * wallet's chain cited it, as raw 256-bit keys in an open-addressing table (32 bytes of key
 * and one flag byte per slot, at most 5/8 full: 53–106 bytes per purchase hash instead of
 * ~250 for a {@code String} in two hash sets). Keys that are not 64 lowercase hex digits (only
 * hand-made test requests) are kept in a side map.
 *
 * <p>A replica that has an archive removes a reward once it is spent (granted and cited) and
 * durable ({@link #evict}): the book then keeps only the live part (granted not yet cited,
 * cited before its grant arrived) and, for the rewards it evicted, their count and XOR per
 * coarse bucket of the reward space ({@link #COARSE} buckets), which answers the first two
 * levels of a reward-repair bisection without reading the archive. Whether a hash was evicted
 * is {@link LedgerState}'s business (a filter in front of the archive).
 */
final class RewardBook {
  static final byte GRANTED = 1;
  static final byte CITED = 2;

  private long[] keys = new long[4 * 16];
  private byte[] flags = new byte[16];
  private int size;
  private final Map<String, Byte> odd = new HashMap<>();
  private int granted;
  /** Rewards evicted: spent and durable, in the archive only. */
  private long evicted;
  /** Per coarse bucket of the reward space: evicted rewards (count) and their XOR (four words); null until one. */
  private long[] coarseCounts;
  private long[] coarseXors;

  /** Coarse buckets of the reward space kept for evicted rewards: the parts of the space's first two bisection levels. */
  static final int COARSE = io.wallance.protocol.Sums.PARTS * io.wallance.protocol.Sums.PARTS;
  /** Width of one coarse bucket. */
  static final long COARSE_WIDTH = io.wallance.protocol.Sums.SPACE / COARSE;

  /** The flags held for {@code hash}, whose {@link #key} is {@code k} (0 when unknown). */
  byte flags(String hash, long[] k) {
    if (k == null) {
      return odd.getOrDefault(hash, (byte) 0);
    }
    int slot = find(k);
    return slot < 0 ? 0 : flags[slot];
  }

  /**
   * Sets {@code flag} on {@code hash}, whose {@link #key} is {@code k}; returns the flags held
   * now, or -1 when {@code flag} was already set.
   */
  int mark(String hash, long[] k, byte flag) {
    byte before;
    if (k == null) {
      before = odd.getOrDefault(hash, (byte) 0);
      odd.put(hash, (byte) (before | flag));
    } else {
      int slot = find(k);
      if (slot < 0) {
        if ((size + 1) * 8 > flags.length * 5) {
          grow();
          slot = find(k);
        }
        slot = -slot - 1;
        System.arraycopy(k, 0, keys, 4 * slot, 4);
        size++;
      }
      before = flags[slot];
      flags[slot] = (byte) (before | flag);
    }
    if ((before & flag) != 0) {
      return -1;
    }
    if (flag == GRANTED) {
      granted++;
    }
    return before | flag;
  }

  /** Rewards granted, the evicted ones included. */
  int grantedCount() {
    return granted;
  }

  /** Purchase hashes resident in the book. */
  int resident() {
    return size + odd.size();
  }

  /** Rewards evicted so far. */
  long evicted() {
    return evicted;
  }

  /**
   * Removes a spent reward (granted and cited) from the book, keeping it in the coarse sums;
   * returns false when the {@link #key} {@code k} is null or not a spent reward held here (those
   * stay resident).
   */
  boolean evict(long[] k) {
    if (k == null) {
      return false;
    }
    int slot = find(k);
    if (slot < 0 || flags[slot] != (GRANTED | CITED)) {
      return false;
    }
    remove(slot);
    if (coarseCounts == null) {
      coarseCounts = new long[COARSE];
      coarseXors = new long[4 * COARSE];
    }
    int c = (int) (bucketKey(k) / COARSE_WIDTH);
    coarseCounts[c]++;
    for (int w = 0; w < 4; w++) {
      coarseXors[4 * c + w] ^= k[w];
    }
    evicted++;
    if (size * 16 < flags.length && flags.length > 16) {
      resize(flags.length / 2);
    }
    return true;
  }

  /**
   * Adds the evicted rewards to the sums of the 16 parts of the bucket from {@code from} of
   * width {@code width}, which must be a multiple of 16 coarse buckets (the space's first two
   * bisection levels); returns false (adding nothing) for a narrower bucket.
   */
  boolean evictedSums(long from, long width, long[] counts, long[][] xors) {
    long part = width / io.wallance.protocol.Sums.PARTS;
    if (part < COARSE_WIDTH || part % COARSE_WIDTH != 0) {
      return false;
    }
    if (coarseCounts == null) {
      return true;
    }
    for (int c = (int) (from / COARSE_WIDTH); c < (from + width) / COARSE_WIDTH; c++) {
      int i = (int) ((c * COARSE_WIDTH - from) / part);
      counts[i] += coarseCounts[c];
      for (int w = 0; w < 4; w++) {
        xors[i][w] ^= coarseXors[4 * c + w];
      }
    }
    return true;
  }

  /** Resident hashes carrying {@code flag}, ascending. */
  List<String> sorted(byte flag) {
    List<String> out = new ArrayList<>();
    for (int slot = 0; slot < flags.length; slot++) {
      if ((flags[slot] & flag) != 0) {
        out.add(hex(keys, 4 * slot));
      }
    }
    odd.forEach((h, f) -> {
      if ((f & flag) != 0) {
        out.add(h);
      }
    });
    out.sort(null);
    return out;
  }

  /**
   * Sums of the resident granted rewards over the 16 parts of the reward-space bucket starting at
   * {@code from} of width {@code width} (bucket keys: see {@link io.wallance.protocol.Sums}): per part the
   * count, and the XOR of the hashes as four big-endian words. One pass over the table.
   */
  void sums(long from, long width, long[] counts, long[][] xors) {
    long part = width / io.wallance.protocol.Sums.PARTS;
    eachGranted(from, from + width - 1, (slot, bucketKey) -> {
      int i = (int) ((bucketKey - from) / part);
      counts[i]++;
      for (int w = 0; w < 4; w++) {
        xors[i][w] ^= keys[4 * slot + w];
      }
    });
  }

  /** Resident granted hashes whose bucket key is in {@code [from, to]}, ascending, at most {@code max}. */
  List<String> granted(long from, long to, int max) {
    List<String> out = new ArrayList<>();
    eachGranted(from, to, (slot, bucketKey) -> out.add(hex(keys, 4 * slot)));
    out.sort(null);
    return out.size() > max ? new ArrayList<>(out.subList(0, max)) : out;
  }

  /** What {@link #eachGranted} calls for each granted slot in the range. */
  private interface SlotVisitor {
    void visit(int slot, long bucketKey);
  }

  /** Calls {@code visitor} for every granted slot whose bucket key is in {@code [from, to]}. */
  private void eachGranted(long from, long to, SlotVisitor visitor) {
    for (int slot = 0; slot < flags.length; slot++) {
      if ((flags[slot] & GRANTED) != 0) {
        long bucketKey = keys[4 * slot + 3] & (io.wallance.protocol.Sums.SPACE - 1);
        if (bucketKey >= from && bucketKey <= to) {
          visitor.visit(slot, bucketKey);
        }
      }
    }
  }

  /** Four big-endian words from {@code at} as 64 lowercase hex digits. */
  static String hex(long[] words, int at) {
    StringBuilder sb = new StringBuilder(64);
    for (int i = 0; i < 4; i++) {
      String h = Long.toHexString(words[at + i]);
      sb.append("0".repeat(16 - h.length())).append(h);
    }
    return sb.toString();
  }

  /** Slot index of {@code k}, or {@code -(insertion slot) - 1} when absent. */
  private int find(long[] k) {
    int mask = flags.length - 1;
    int slot = home(k[0], k[1], mask);
    while (flags[slot] != 0) {
      int b = 4 * slot;
      if (keys[b] == k[0] && keys[b + 1] == k[1] && keys[b + 2] == k[2] && keys[b + 3] == k[3]) {
        return slot;
      }
      slot = (slot + 1) & mask;
    }
    return -slot - 1;
  }

  /** The bucket key (see {@link io.wallance.protocol.Sums}) of a hash's key words. */
  static long bucketKey(long[] k) {
    return k[3] & (io.wallance.protocol.Sums.SPACE - 1);
  }

  private static int home(long k0, long k1, int mask) {
    return (int) (k0 ^ k0 >>> 32 ^ k1) & mask;
  }

  /** Empties {@code slot}, shifting back the entries of its probe run so that every one stays findable. */
  private void remove(int slot) {
    int mask = flags.length - 1;
    int hole = slot;
    int j = slot;
    while (true) {
      j = (j + 1) & mask;
      if (flags[j] == 0) {
        break;
      }
      int h = home(keys[4 * j], keys[4 * j + 1], mask);
      // The entry at j may move into the hole unless its home lies cyclically in (hole, j].
      boolean stays = hole <= j ? hole < h && h <= j : hole < h || h <= j;
      if (!stays) {
        System.arraycopy(keys, 4 * j, keys, 4 * hole, 4);
        flags[hole] = flags[j];
        hole = j;
      }
    }
    flags[hole] = 0;
    java.util.Arrays.fill(keys, 4 * hole, 4 * hole + 4, 0L);
    size--;
  }

  private void grow() {
    resize(flags.length * 2);
  }

  private void resize(int slots) {
    long[] oldKeys = keys;
    byte[] oldFlags = flags;
    keys = new long[4 * slots];
    flags = new byte[slots];
    for (int slot = 0; slot < oldFlags.length; slot++) {
      if (oldFlags[slot] != 0) {
        long[] k = {oldKeys[4 * slot], oldKeys[4 * slot + 1], oldKeys[4 * slot + 2], oldKeys[4 * slot + 3]};
        int to = -find(k) - 1;
        System.arraycopy(k, 0, keys, 4 * to, 4);
        flags[to] = oldFlags[slot];
      }
    }
  }

  /** The four big-endian words of a 64-digit lowercase hex hash, or null for any other string. */
  static long[] key(String hash) {
    if (hash.length() != 64) {
      return null;
    }
    long[] k = new long[4];
    for (int i = 0; i < 64; i++) {
      char c = hash.charAt(i);
      int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
      if (d < 0) {
        return null;
      }
      k[i >> 4] = k[i >> 4] << 4 | d;
    }
    return k;
  }
}
