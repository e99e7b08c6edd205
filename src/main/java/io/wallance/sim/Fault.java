package io.wallance.sim;

/** Every kind of fault or attack the simulator injects, as counted in its summary. */
public enum Fault {
  DROP, DUPLICATE, LONG_DELAY, PARTITION, CRASH, RESTART,
  FORGED_SIGNATURE, IMPERSONATED_SHARE, FORGED_VOTE, EQUIVOCATING_SHARE, DOUBLE_SPEND,
  EPOCH_DOUBLE_SPEND, REWARD_CITED_TWICE, BALANCE_LIE, REPLAY,
  /** A member dies for good (the mass-crash scenario). */
  DEATH,
  /** A broadcast vote for a request already final at the receiver is lost (late-vote loss). */
  LATE_VOTE_LOSS;

  /** The name used in the summary line. */
  public String label() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
