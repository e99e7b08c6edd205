package io.wallance.store;

import io.wallance.ledger.LedgerChange;
import io.wallance.protocol.Crypto;
import io.wallance.protocol.Pow;
import io.wallance.protocol.Registry;
import io.wallance.protocol.Share;
import io.wallance.protocol.Signed;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The child process of the kill -9 test: appends deterministic batches to the store in
 * {@code args[0]} forever, printing {@code committed <batch>} after each commit. Batch k holds
 * (k = 1: the genesis registry, then) {@link #SHARES} shares with seqs (k−1)·SHARES+1 ..
 * k·SHARES, a command counter k and a reward, so the parent can check every batch is whole.
 */
public final class KillFixture {
  static final int SHARES = 40;
  static final Crypto.KeyPair MEMBER = Crypto.KeyPair.fromSeed(new byte[32]);
  static final Crypto.KeyPair OPERATOR = Crypto.KeyPair.fromSeed(filled((byte) 1));

  private KillFixture() {}

  private static byte[] filled(byte b) {
    byte[] x = new byte[32];
    java.util.Arrays.fill(x, b);
    return x;
  }

  static Signed<Registry> genesis() {
    return Signed.sign(new Registry("kill", 1, 0, 5, 2, 1, 5, List.of(new Registry.Party(MEMBER.id(), "pi1")),
        List.of(new Registry.Party(OPERATOR.id(), "op")), Map.of("Tea", 1L), OPERATOR.id()), OPERATOR);
  }

  /** Batch {@code k} (1-based). */
  static List<LedgerChange> batch(long k) {
    List<LedgerChange> out = new ArrayList<>();
    if (k == 1) {
      out.add(new LedgerChange.RegistryAdopted(genesis()));
    }
    for (long seq = (k - 1) * SHARES + 1; seq <= k * SHARES; seq++) {
      Share s = Pow.mine(new Share("kill", MEMBER.id(), seq, "virtual", 20_000 + seq % 100, 0), 1);
      out.add(new LedgerChange.ShareStored(Signed.sign(s, MEMBER)));
    }
    out.add(new LedgerChange.CommandCounter(OPERATOR.id(), k));
    out.add(new LedgerChange.RewardGranted(MEMBER.id(),
        Crypto.sha256Hex(("purchase " + k).getBytes(StandardCharsets.US_ASCII)), 1));
    return out;
  }

  public static void main(String[] args) throws Exception {
    try (LedgerStore store = LedgerStore.open(StoreOptions.in(Path.of(args[0])))) {
      System.out.println("open " + store.batches());
      System.out.flush();
      for (long k = store.batches() + 1; ; k++) {
        store.append(batch(k));
        System.out.println("committed " + k);
        System.out.flush();
      }
    }
  }
}
