package io.wallance.ledger;

import java.util.EnumSet;
import java.util.Set;

/**
 * Deliberately broken rules, for testing only: the simulator must catch each of them
 * (mutation testing of the checker). A production replica always runs with {@link #none()}.
 * The same switches also let the simulator's Byzantine members misbehave from inside an
 * otherwise ordinary replica.
 */
public final class Rules {
  /** One deliberately broken rule. */
  public enum Mutation {
    /** Quorum one below the safe size. */
    QUORUM_MINUS_ONE,
    /** A member votes again for a different request on the same (buyer, previous state). */
    VOTE_TWICE,
    /** The new balance is computed from the replica's own share counter (the prototype's rule). */
    OWN_COUNTER,
    /** Rewards go to the first quorum of votes in local arrival order; late votes earn nothing. */
    REWARDS_BY_ARRIVAL,
    /** A reward already cited on the buyer's chain may be cited again. */
    REWARD_CITED_TWICE,
    /** Votes counted only against the request's own epoch, even across an epoch change. */
    OWN_EPOCH_ONLY,
    /** Signatures are not checked. */
    SKIP_SIGNATURE,
    /** Vote for every request at the head without checking funds, shares or rewards (Byzantine). */
    VOTE_BLINDLY,
    /** Reward differences shown by statuses are never repaired (no digest bisection). */
    NO_REWARD_REPAIR
  }

  private static final Rules NONE = new Rules(EnumSet.noneOf(Mutation.class));
  private final Set<Mutation> broken;

  private Rules(Set<Mutation> broken) {
    this.broken = Set.copyOf(broken);
  }

  /** The correct rules. */
  public static Rules none() {
    return NONE;
  }

  /** Rules with the given mutations. */
  public static Rules broken(Set<Mutation> mutations) {
    return mutations.isEmpty() ? NONE : new Rules(EnumSet.copyOf(mutations));
  }

  boolean has(Mutation m) {
    return broken.contains(m);
  }

  /** The mutations in force (empty for production). */
  public Set<Mutation> mutations() {
    return broken;
  }
}
