package io.wallance.protocol;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The operator tooling's rule for a continuing epoch (PROTOCOL.md 9.10): from the views of the
 * live members (each member's idea of every wallet's chain length and head), the head to
 * continue each wallet from is the one at the longest chain any live member holds. Chains
 * held by honest members are certified and never conflict, so every shorter one is a prefix
 * of it and the members holding it serve the missing certificates. Two views that report the
 * same length with different heads are refused: that is evidence of a double spend or of a
 * lying member, for the operator to look at, not to paper over.
 */
public final class Continuations {
  private Continuations() {}

  /**
   * Chooses the head to continue every wallet from.
   *
   * @param views one map per live member: wallet id → (wallet, head, chain length) it holds
   * @return one entry per wallet named in any view, ascending by wallet id
   * @throws IllegalArgumentException when no view is given, two views conflict, or there are
   *     more wallets than a registry may continue
   */
  public static List<Registry.Continue> choose(Collection<Map<String, Registry.Continue>> views) {
    if (views.isEmpty()) {
      throw new IllegalArgumentException("no live member's view to continue from");
    }
    TreeMap<String, Registry.Continue> best = new TreeMap<>();
    for (Map<String, Registry.Continue> view : views) {
      for (Registry.Continue c : view.values()) {
        if (!Canon.isHex64(c.wallet()) || !Canon.isHex64(c.head()) || c.chain() < 0
            || (c.chain() == 0) != c.head().equals(Crypto.GENESIS)) {
          throw new IllegalArgumentException("malformed head for wallet " + c.wallet() + ": " + c.head() + " at chain "
              + c.chain());
        }
        Registry.Continue held = best.get(c.wallet());
        if (held == null || c.chain() > held.chain()) {
          best.put(c.wallet(), c);
        } else if (c.chain() == held.chain() && !c.head().equals(held.head())) {
          throw new IllegalArgumentException("views conflict on wallet " + c.wallet().substring(0, 12) + " at chain "
              + c.chain() + ": head " + held.head().substring(0, 12) + " vs " + c.head().substring(0, 12)
              + " (evidence of a double spend or a lying member; do not continue from either)");
        }
      }
    }
    if (best.size() > Registry.MAX_CONTINUES) {
      throw new IllegalArgumentException(best.size() + " wallets; a registry continues at most "
          + Registry.MAX_CONTINUES);
    }
    return new ArrayList<>(best.values());
  }
}
