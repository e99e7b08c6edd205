package io.wallance.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wallance.ledger.Rules;
import org.junit.jupiter.api.Test;

class BrokenRulesTest {

  @Test
  void noPropertyMeansTheCorrectRules() {
    assertThat(BrokenRules.parse(null)).isSameAs(Rules.none());
    assertThat(BrokenRules.parse("  ")).isSameAs(Rules.none());
  }

  @Test
  void namesInLowerCaseWithDashes() {
    assertThat(BrokenRules.parse("rewards-by-arrival, quorum-minus-one").mutations())
        .containsExactlyInAnyOrder(Rules.Mutation.REWARDS_BY_ARRIVAL, Rules.Mutation.QUORUM_MINUS_ONE);
  }

  @Test
  void anUnknownNameFailsNamingTheKnownOnes() {
    assertThatThrownBy(() -> BrokenRules.parse("REWARDS_BY_ARRIVAL"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("unknown rule mutation 'REWARDS_BY_ARRIVAL'; one of quorum-minus-one, vote-twice, own-counter,"
            + " rewards-by-arrival, reward-cited-twice, own-epoch-only, skip-signature, vote-blindly, no-reward-repair");
  }
}
