package io.wallance.ledger;

/**
 * Timers and bounds of a replica, all in the caller's time unit (milliseconds on a node,
 * logical milliseconds in the simulator). None of them affects validity: they only decide
 * how eagerly a replica re-sends, reports and pulls, and how much it buffers.
 *
 * @param resendMillis how often own votes and requests are re-sent until final
 * @param statusMillis how often the signed status (anti-entropy summary) is broadcast
 * @param pullMillis the least time between two identical pulls
 * @param maxPending most requests (and vote sets) held while not final
 * @param maxFuturePerBuyer most requests buffered per buyer for states not reached yet
 * @param maxAheadShares how far past its contiguous prefix a share may be buffered
 */
public record ReplicaOptions(long resendMillis, long statusMillis, long pullMillis, int maxPending,
    int maxFuturePerBuyer, int maxAheadShares) {
  /** Defaults for a node on a LAN. */
  public static ReplicaOptions defaults() {
    return new ReplicaOptions(1000, 2000, 500, 1024, 4, 4096);
  }
}
