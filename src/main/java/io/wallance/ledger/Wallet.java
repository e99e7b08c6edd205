package io.wallance.ledger;

import io.wallance.protocol.Crypto;
import io.wallance.protocol.Share;
import io.wallance.protocol.Signed;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * One member's wallet as a replica knows it: its signed shares, its chain of finalized
 * purchases (the state hash chain) and the rewards its votes earned. The balance is derived,
 * never stored as a free-standing number.
 */
final class Wallet {
  final String id;
  /** The first epoch this member appears in: the epoch of its genesis state. */
  final long genesisEpoch;
  final TreeMap<Long, Signed<Share>> shares = new TreeMap<>();
  long contiguous;
  /** Finalized request hashes, in chain order. */
  final List<String> chain = new ArrayList<>();
  /** Every state this wallet has been in, with its chain index (genesis = 0). */
  final Map<String, Integer> states = new HashMap<>();
  String head = Crypto.GENESIS;
  long headShares;
  long headBalance;
  long headEpoch;
  /** Reward keys (purchase hashes) already counted by a request on this chain. */
  final Set<String> cited = new HashSet<>();
  /** Purchases on which this member's vote earned a reward. */
  final TreeSet<String> rewards = new TreeSet<>();
  final byte[] rewardXor = new byte[32];

  Wallet(String id, long genesisEpoch) {
    this.id = id;
    this.genesisEpoch = genesisEpoch;
    this.headEpoch = genesisEpoch;
    states.put(Crypto.GENESIS, 0);
  }

  /** Stores a share; returns the share already held for that seq, or null. */
  Signed<Share> addShare(Signed<Share> s) {
    Signed<Share> old = shares.putIfAbsent(s.body().seq(), s);
    if (old == null) {
      while (shares.containsKey(contiguous + 1)) {
        contiguous++;
      }
    }
    return old;
  }

  /** Shares held beyond the contiguous prefix (out of order, waiting for a gap to fill). */
  NavigableMap<Long, Signed<Share>> sharesAfter(long seq) {
    return shares.tailMap(seq, false);
  }

  boolean grant(String purchase) {
    if (!rewards.add(purchase)) {
      return false;
    }
    byte[] h = Crypto.unhex(purchase);
    for (int i = 0; i < 32; i++) {
      rewardXor[i] ^= h[i];
    }
    return true;
  }

  String rewardDigest() {
    return Crypto.hex(rewardXor);
  }

  /** Rewards earned but not yet cited by any request on the chain, ascending. */
  List<String> uncitedRewards() {
    List<String> out = new ArrayList<>();
    for (String r : rewards) {
      if (!cited.contains(r)) {
        out.add(r);
      }
    }
    return out;
  }

  /** Shares counted beyond the head position. */
  long freshShares() {
    return Math.max(0, contiguous - headShares);
  }
}
