package io.wallance.node;

import java.util.HashMap;
import java.util.Map;

/**
 * One token bucket per key: at most {@code burst} messages at once, refilled at
 * {@code perSecond}. The node keys it by the <em>claimed</em> author of a message, before
 * the signature is checked, so a flood cannot burn the CPU on Ed25519 (a Vert.x consumer
 * cannot see the real TCP peer). A flood in a victim's name may delay the victim, but what
 * is dropped is recovered by pulls and re-sent votes.
 *
 * <p>The caller bounds the number of keys (it maps every author outside the registry to one
 * shared key), so memory stays bounded. Time is the caller's monotonic milliseconds. Not
 * thread-safe: used on the node's event loop only.
 */
public final class TokenBuckets {

  private final double burst;
  private final double perMilli;
  private final Map<String, double[]> buckets = new HashMap<>();

  /**
   * @param burst bucket capacity, at least 1
   * @param perSecond refill per second, at least 1
   */
  public TokenBuckets(int burst, int perSecond) {
    if (burst < 1 || perSecond < 1) {
      throw new IllegalArgumentException("burst and perSecond must be positive");
    }
    this.burst = burst;
    this.perMilli = perSecond / 1000.0;
  }

  /**
   * Takes one token for {@code key}.
   *
   * @param key the claimed sender
   * @param nowMillis monotonic time in milliseconds
   * @return false when the key's bucket is empty (drop the message)
   */
  public boolean tryAcquire(String key, long nowMillis) {
    double[] b = buckets.computeIfAbsent(key, k -> new double[] {burst, nowMillis});
    double tokens = Math.min(burst, b[0] + Math.max(0, nowMillis - (long) b[1]) * perMilli);
    b[1] = nowMillis;
    if (tokens < 1) {
      b[0] = tokens;
      return false;
    }
    b[0] = tokens - 1;
    return true;
  }
}
