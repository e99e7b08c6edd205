package io.wallance.ledger;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One wallet's rewards in a compact form: for every purchase hash it ever saw, whether the
 * reward was granted (the wallet's vote on it earned one) and whether a request on the
 * wallet's chain cited it. A replica needs both forever (a reward may be cited once only, and
 * a reward cited before its grant arrives must not count again), so they stay in memory,
 * as raw 256-bit keys in an open-addressing table (32 bytes of key and one flag byte per slot,
 * between 5/16 and 5/8 full: 53–106 bytes per purchase hash instead of ~250 for a {@code String} in
 * two hash sets). Keys that are not 64 lowercase hex digits (only hand-made test requests)
 * are kept in a side map.
 */
final class RewardBook {
  static final byte GRANTED = 1;
  static final byte CITED = 2;

  private long[] keys = new long[4 * 16];
  private byte[] flags = new byte[16];
  private int size;
  private final Map<String, Byte> odd = new HashMap<>();
  private int granted;

  /** The flags held for {@code hash} (0 when unknown). */
  byte flags(String hash) {
    long[] k = key(hash);
    if (k == null) {
      return odd.getOrDefault(hash, (byte) 0);
    }
    int slot = find(k);
    return slot < 0 ? 0 : flags[slot];
  }

  boolean isGranted(String hash) {
    return (flags(hash) & GRANTED) != 0;
  }

  boolean isCited(String hash) {
    return (flags(hash) & CITED) != 0;
  }

  /** Sets {@code flag} on {@code hash}; returns false when it was already set. */
  boolean mark(String hash, byte flag) {
    long[] k = key(hash);
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
      return false;
    }
    if (flag == GRANTED) {
      granted++;
    }
    return true;
  }

  /** Rewards granted. */
  int grantedCount() {
    return granted;
  }

  /** Hashes carrying {@code flag}, ascending. */
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
   * Sums of the granted rewards over the 16 parts of the reward-space bucket starting at
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

  /** Granted hashes whose bucket key is in {@code [from, to]}, ascending, at most {@code max}. */
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
    int slot = (int) (k[0] ^ k[0] >>> 32 ^ k[1]) & mask;
    while (flags[slot] != 0) {
      int b = 4 * slot;
      if (keys[b] == k[0] && keys[b + 1] == k[1] && keys[b + 2] == k[2] && keys[b + 3] == k[3]) {
        return slot;
      }
      slot = (slot + 1) & mask;
    }
    return -slot - 1;
  }

  private void grow() {
    long[] oldKeys = keys;
    byte[] oldFlags = flags;
    keys = new long[oldKeys.length * 2];
    flags = new byte[oldFlags.length * 2];
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
  private static long[] key(String hash) {
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
