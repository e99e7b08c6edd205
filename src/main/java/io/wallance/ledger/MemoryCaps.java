package io.wallance.ledger;

/**
 * How much of the durable ledger a replica keeps in memory; everything older is answered from
 * its {@link LedgerArchive} (the node's SQLite store). None of these bounds affects validity or
 * the digest: they only decide what is resident. What always stays in memory, whatever the
 * caps: every wallet's head (state, share position, balance, epoch, chain length), its shares
 * past the contiguous prefix, its granted-but-uncited rewards, and the live part of its
 * {@link RewardBook} (53–106 bytes per purchase hash); a spent reward leaves it once durable
 * ({@link LedgerState#durable}), leaving a trace in fixed-size structures (coarse sums, a
 * {@link RewardFilter}). See {@code docs/ARCHITECTURE.md}, "Memory model".
 *
 * @param recentShares signed shares kept per wallet below its contiguous count
 * @param recentChain chain entries (request hash and resulting state) kept per wallet
 * @param recentFinals finalized requests kept with their certificates, over all wallets
 */
public record MemoryCaps(int recentShares, int recentChain, int recentFinals) {
  /** Nothing is evicted: for a replica without an archive (tests, tools). */
  public static final MemoryCaps UNBOUNDED = new MemoryCaps(Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE);

  /** A node's caps: a few seconds to minutes of history at fleet rates, a few MB at most. */
  public static final MemoryCaps DEFAULT = new MemoryCaps(256, 32, 512);

  public MemoryCaps {
    if (recentShares < 1 || recentChain < 1 || recentFinals < 1) {
      throw new IllegalArgumentException("memory caps must be at least 1");
    }
  }

  /** True when nothing is ever evicted. */
  public boolean unbounded() {
    return recentShares == Integer.MAX_VALUE && recentChain == Integer.MAX_VALUE
        && recentFinals == Integer.MAX_VALUE;
  }
}
