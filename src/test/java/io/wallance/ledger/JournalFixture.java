package io.wallance.ledger;

import io.wallance.protocol.ProtocolException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Real journals for tests outside this package (the store's round trip). */
public final class JournalFixture {
  private JournalFixture() {}

  /**
   * The drains of four replicas after a seeded random scenario (shares, purchases, faults,
   * restarts, equivocation, commands, an epoch change, a member voting twice): per replica, the
   * list of non-empty drains in order. Seed 1 with 700 steps holds every change type.
   */
  public static List<List<List<LedgerChange>>> drains(long seed, int steps) throws ProtocolException {
    List<List<List<LedgerChange>>> out = new ArrayList<>();
    JournalReplayTest.Fleet fleet = new JournalReplayTest.Fleet(seed);
    fleet.recordDrains = true;
    Random rnd = new Random(seed);
    for (int i = 0; i < steps; i++) {
      int v = rnd.nextInt(1 << 20);
      fleet.step(i < 40 ? (v & ~31) | 12 : v);
    }
    fleet.heal();
    for (int i = 0; i < 4; i++) {
      out.add(fleet.drains.get(i));
    }
    return out;
  }

  /** The whole durable state, field by field, in a canonical order (equal strings = equal states). */
  public static String dump(LedgerState s) {
    return JournalReplayTest.dump(s);
  }

  /** Reward hashes resident in the state's books, over all wallets. */
  public static long residentRewards(LedgerState s) {
    return s.residentRewards();
  }
}
