package io.wallance.sim;

import io.wallance.ledger.Rules;
import java.util.Set;

/**
 * What to simulate.
 *
 * @param nodes members in the fleet (after any growth), at least 3
 * @param seeds how many seeds to run
 * @param firstSeed the first seed; seeds are {@code firstSeed .. firstSeed + seeds - 1}
 * @param steps steps of the faulty phase per seed (a step is 10 ms of logical time)
 * @param byzantine Byzantine members, or -1 for as many as the fleet tolerates
 * @param faults whether network and crash faults are injected (attacks are separate)
 * @param epochChanges whether seeds change the registry epoch (catalogue change or growth)
 * @param mutations deliberately broken rules for honest replicas (tests only)
 * @param stopAtFirstViolation stop after the first seed with a violation
 * @param massCrash the mass-crash scenario instead of epoch changes: more members die for good
 *     than the fleet tolerates, purchases stall, and the operator publishes a continuing epoch
 *     without them (PROTOCOL.md 9.10)
 */
public record SimulationOptions(int nodes, int seeds, long firstSeed, int steps, int byzantine, boolean faults,
    boolean epochChanges, Set<Rules.Mutation> mutations, boolean stopAtFirstViolation, boolean massCrash) {
  /** Validates the options. */
  public SimulationOptions {
    if (nodes < 3 || nodes > 31) {
      throw new IllegalArgumentException("--nodes must be between 3 and 31, got " + nodes);
    }
    if (seeds < 1) {
      throw new IllegalArgumentException("--seeds must be at least 1, got " + seeds);
    }
    if (steps < 50 || steps > 100_000) {
      throw new IllegalArgumentException("--steps must be between 50 and 100000, got " + steps);
    }
    if (byzantine < -1 || byzantine > nodes) {
      throw new IllegalArgumentException("--byzantine must be -1 (as many as tolerated) or 0.." + nodes);
    }
    mutations = Set.copyOf(mutations);
  }

  /** Options without the mass-crash scenario. */
  public SimulationOptions(int nodes, int seeds, long firstSeed, int steps, int byzantine, boolean faults,
      boolean epochChanges, Set<Rules.Mutation> mutations, boolean stopAtFirstViolation) {
    this(nodes, seeds, firstSeed, steps, byzantine, faults, epochChanges, mutations, stopAtFirstViolation, false);
  }

  /** Defaults: 4 nodes, 100 seeds from 1, 300 steps, as many Byzantine members as tolerated, all faults. */
  public static SimulationOptions defaults() {
    return new SimulationOptions(4, 100, 1, 300, -1, true, true, Set.of(), false);
  }
}
