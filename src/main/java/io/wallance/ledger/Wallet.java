package io.wallance.ledger;

import io.wallance.protocol.Crypto;
import io.wallance.protocol.Share;
import io.wallance.protocol.Signed;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * One member's wallet as a replica knows it: its signed shares, its chain of finalized
 * purchases (the state hash chain) and the rewards its votes earned. The balance is derived,
 * never stored as a free-standing number.
 *
 * <p>Only the recent part of the shares and of the chain is resident ({@link MemoryCaps});
 * the counts and the head are always complete; the reward book holds the live rewards and the
 * spent ones not yet durable ({@link LedgerState#durable}).
 */
final class Wallet {
  final String id;
  /** The first epoch this member appears in: the epoch of its genesis state. */
  final long genesisEpoch;
  /** Resident shares: the last {@code recentShares} of the contiguous prefix and every share past it. */
  final TreeMap<Long, Signed<Share>> shares = new TreeMap<>();
  long contiguous;
  /** The highest share sequence number stored (0 when none). */
  long lastSeq;
  /** Shares with {@code seq <= shareFloor} were evicted: they are in the archive only. */
  long shareFloor;
  /** Finalized purchases on the chain. */
  int chainLength;
  /** The last finalized request hashes, in chain order, ending at index {@code chainLength - 1}. */
  final ArrayDeque<String> recentChain = new ArrayDeque<>();
  /** The recent states of this wallet with their chain index (genesis = 0), the head included. */
  final LinkedHashMap<String, Integer> states = new LinkedHashMap<>();
  String head = Crypto.GENESIS;
  long headShares;
  long headBalance;
  long headEpoch;
  /** Granted and cited rewards: the live ones, and the spent ones not yet durable ({@link LedgerState#durable}). */
  final RewardBook book = new RewardBook();
  /** Rewards granted and not cited yet (purchase hash → the purchase's epoch), ascending. */
  final TreeMap<String, Long> uncited = new TreeMap<>();
  final byte[] rewardXor = new byte[32];
  /** Mixes this wallet into the keys of {@link LedgerState}'s filter of evicted rewards. */
  final long salt;

  Wallet(String id, long genesisEpoch) {
    this.id = id;
    this.genesisEpoch = genesisEpoch;
    this.headEpoch = genesisEpoch;
    states.put(Crypto.GENESIS, 0);
    this.salt = RewardFilter.salt(id);
  }

  /** Stores a share not held before and evicts the oldest resident ones beyond {@code keep}. */
  void addShare(Signed<Share> s, int keep) {
    long seq = s.body().seq();
    if (seq <= shareFloor || shares.putIfAbsent(seq, s) != null) {
      return;
    }
    lastSeq = Math.max(lastSeq, seq);
    while (shares.containsKey(contiguous + 1)) {
      contiguous++;
    }
    while (!shares.isEmpty() && shares.firstKey() <= contiguous - keep) {
      shareFloor = shares.pollFirstEntry().getKey();
    }
  }

  /** Shares held beyond the contiguous prefix (out of order, waiting for a gap to fill). */
  NavigableMap<Long, Signed<Share>> sharesAfter(long seq) {
    return shares.tailMap(seq, false);
  }

  /** Appends a finalized request and the state it produced, evicting beyond {@code keep}. */
  void appendChain(String request, String state, int keep) {
    chainLength++;
    recentChain.addLast(request);
    states.put(state, chainLength);
    while (recentChain.size() > keep) {
      recentChain.removeFirst();
    }
    Iterator<String> it = states.keySet().iterator();
    while (states.size() - 1 > keep && it.hasNext()) {
      it.next();
      it.remove();
    }
  }

  /** The resident chain entry at {@code index}, or null when evicted or out of range. */
  String chainEntry(long index) {
    long first = chainLength - recentChain.size();
    if (index < first || index >= chainLength) {
      return null;
    }
    Iterator<String> it = recentChain.iterator();
    for (long i = first; i < index; i++) {
      it.next();
    }
    return it.next();
  }

  /**
   * Records a reward granted on purchase {@code purchase} (its {@link RewardBook#key} is {@code k})
   * of epoch {@code epoch}; returns the book's flags for it now, or -1 when it was granted before.
   */
  int grant(String purchase, long[] k, long epoch) {
    int now = book.mark(purchase, k, RewardBook.GRANTED);
    if (now < 0) {
      return now;
    }
    if ((now & RewardBook.CITED) == 0) {
      uncited.put(purchase, epoch);
    }
    if (k != null) {
      for (int i = 0; i < 32; i++) {
        rewardXor[i] ^= (byte) (k[i >> 3] >>> (56 - 8 * (i & 7)));
      }
    } else {
      byte[] h = Crypto.unhex(purchase);
      for (int i = 0; i < 32; i++) {
        rewardXor[i] ^= h[i];
      }
    }
    return now;
  }

  /**
   * Records a reward cited by a finalized request ({@code k} is the purchase's
   * {@link RewardBook#key}); returns the book's flags for it now, or -1 when it was cited before.
   */
  int cite(String purchase, long[] k) {
    uncited.remove(purchase);
    return book.mark(purchase, k, RewardBook.CITED);
  }

  int rewardCount() {
    return book.grantedCount();
  }

  String rewardDigest() {
    return Crypto.hex(rewardXor);
  }

  /** Rewards earned but not yet cited by any request on the chain, ascending. */
  List<String> uncitedRewards() {
    return new ArrayList<>(uncited.keySet());
  }

  /** Shares counted beyond the head position. */
  long freshShares() {
    return Math.max(0, contiguous - headShares);
  }
}
