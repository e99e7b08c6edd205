package io.wallance.sim;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The outcome of a simulation.
 *
 * @param seeds seeds run
 * @param steps steps run in all (faulty and healing phases)
 * @param purchases purchases finalized (distinct requests, summed over seeds)
 * @param minPurchasesPerSeed the fewest purchases any one seed finalized
 * @param delivered messages delivered
 * @param faults faults and attacks injected, by kind
 * @param violations every violation found (empty when the protocol held)
 * @param millis wall-clock run time
 */
public record SimulationReport(int seeds, long steps, long purchases, long minPurchasesPerSeed, long delivered,
    Map<Fault, Long> faults, List<Violation> violations, long millis) {
  /**
   * One broken invariant.
   *
   * @param seed the seed that reproduces it
   * @param steps the smallest faulty-phase step count found that still reproduces it
   * @param kind SAFETY, CONVERGENCE or LIVENESS
   * @param detail what was broken
   * @param trace the last scheduler events before it, for reading
   */
  public record Violation(long seed, int steps, String kind, String detail, List<String> trace) {}

  /** The one-line summary. */
  public String summary() {
    StringBuilder sb = new StringBuilder();
    sb.append("seeds=").append(seeds).append(" steps=").append(steps).append(" purchases_finalized=")
        .append(purchases).append(" min_per_seed=").append(minPurchasesPerSeed).append(" messages_delivered=")
        .append(delivered).append(" faults={");
    String sep = "";
    for (Map.Entry<Fault, Long> e : new EnumMap<>(faults).entrySet()) {
      sb.append(sep).append(e.getKey().label()).append('=').append(e.getValue());
      sep = " ";
    }
    sb.append("} violations=").append(violations.size()).append(" time=")
        .append(String.format(java.util.Locale.ROOT, "%.1fs", millis / 1000.0));
    return sb.toString();
  }
}
