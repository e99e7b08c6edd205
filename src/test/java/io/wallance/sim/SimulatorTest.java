package io.wallance.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.wallance.ledger.Rules.Mutation;
import io.wallance.progress.Progress;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The simulator over a bounded seed budget: the correct rules hold on every seed with as many
 * Byzantine members as the fleet tolerates, and every deliberately broken rule is caught
 * within the same budget.
 */
class SimulatorTest {
  private static final int SEEDS = 200;

  private static SimulationOptions options(int nodes, Set<Mutation> mutations, boolean stop) {
    return new SimulationOptions(nodes, SEEDS, 1, 300, -1, true, true, mutations, stop);
  }

  private static void assertHolds(int nodes) {
    SimulationReport r = Simulator.run(options(nodes, Set.of(), false), Progress.silent());
    assertThat(r.violations()).as(r.summary()).isEmpty();
    assertThat(r.seeds()).isEqualTo(SEEDS);
    assertThat(r.minPurchasesPerSeed()).as("purchases finalized on every seed").isPositive();
    assertThat(r.faults()).containsKeys(Fault.DROP, Fault.DUPLICATE, Fault.LONG_DELAY, Fault.CRASH, Fault.RESTART,
        Fault.PARTITION, Fault.FORGED_SIGNATURE, Fault.IMPERSONATED_SHARE, Fault.EQUIVOCATING_SHARE,
        Fault.DOUBLE_SPEND, Fault.REWARD_CITED_TWICE, Fault.BALANCE_LIE, Fault.REPLAY, Fault.LATE_VOTE_LOSS);
    if (nodes >= 7) {
      assertThat(r.faults()).containsKey(Fault.EPOCH_DOUBLE_SPEND);
    }
  }

  @Test
  void fourNodesWithOneByzantineMemberNeverViolateAnInvariant() {
    assertHolds(4);
  }

  @Test
  void sevenNodesWithTwoByzantineMembersNeverViolateAnInvariant() {
    assertHolds(7);
  }

  @ParameterizedTest
  @EnumSource(value = Mutation.class, names = "VOTE_BLINDLY", mode = EnumSource.Mode.EXCLUDE)
  void everyBrokenRuleIsCaughtWithinTheSeedBudget(Mutation mutation) {
    // Breaking the joint quorum needs a registry epoch that grows the fleet, which a
    // 7-member fleet grown from 4 gives; every other rule is caught in the 4-member fleet too.
    int nodes = mutation == Mutation.OWN_EPOCH_ONLY ? 7 : 4;
    SimulationReport r = Simulator.run(options(nodes, EnumSet.of(mutation), true), Progress.silent());
    assertThat(r.violations()).as(mutation + ": " + r.summary()).isNotEmpty();
    SimulationReport.Violation v = r.violations().get(0);
    assertThat(v.trace()).as("a trace to read").isNotEmpty();
    // The reported seed and step count reproduce the violation on their own.
    SimulationOptions again = new SimulationOptions(nodes, 1, v.seed(), v.steps(), -1, true, true,
        EnumSet.of(mutation), true);
    assertThat(Simulator.run(again, Progress.silent()).violations()).isNotEmpty();
  }

  @Test
  void afterMoreMembersDieThanTheFleetToleratesAContinuingEpochRestoresLivenessWithoutBreakingAnInvariant() {
    // Five members (quorum 4) lose two for good; seven (quorum 5) lose three and keep one liar.
    // Every honest survivor's request must finalize after the operator's continuing epoch.
    for (int nodes : new int[] {5, 7}) {
      int seeds = nodes == 5 ? 12 : 8; // few seeds: SimulatorTest's CI time stays about the same
      SimulationOptions o = new SimulationOptions(nodes, seeds, 1, 300, -1, true, false, Set.of(), false, true);
      SimulationReport r = Simulator.run(o, Progress.silent());
      assertThat(r.violations()).as(nodes + " nodes: " + r.summary()).isEmpty();
      assertThat(r.minPurchasesPerSeed()).as("purchases finalized on every seed").isPositive();
      assertThat(r.faults()).containsKeys(Fault.CRASH, Fault.DROP, Fault.PARTITION);
      int dying = nodes - io.wallance.protocol.Registry.safeQuorum(nodes) + 1;
      assertThat(r.faults().get(Fault.DEATH)).isEqualTo((long) seeds * dying);
    }
  }

  @Test
  void aSeedAlwaysReplaysTheSameRun() {
    SimulationOptions o = new SimulationOptions(5, 3, 41, 200, -1, true, true, Set.of(), false);
    SimulationReport a = Simulator.run(o, Progress.silent());
    SimulationReport b = Simulator.run(o, Progress.silent());
    assertThat(a.summary().replaceAll("time=\\S+", "")).isEqualTo(b.summary().replaceAll("time=\\S+", ""));
    assertThat(a.purchases()).isPositive();
  }

  @Test
  void optionsOutOfRangeAreRefusedWithAClearMessage() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> new SimulationOptions(2, 1, 1, 300, -1, true, true,
        Set.of(), false)).hasMessageContaining("--nodes must be between 3 and 31");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> new SimulationOptions(4, 0, 1, 300, -1, true, true,
        Set.of(), false)).hasMessageContaining("--seeds");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> new SimulationOptions(4, 1, 1, 10, -1, true, true,
        Set.of(), false)).hasMessageContaining("--steps");
  }
}
