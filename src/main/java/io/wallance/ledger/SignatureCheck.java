package io.wallance.ledger;

import io.wallance.protocol.Signed;
import io.wallance.util.BoundedMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Verifies message signatures, remembering recent results. Ed25519 verification is the
 * dominant CPU cost per purchase, and the same signed message reaches a node several times
 * (re-sent votes, relays, pull answers), so each distinct (body, signature) is verified once.
 * The cache is exact: a result is a pure function of the key.
 *
 * <p>Counts the Ed25519 verifications it ran and the answers it took from the cache, for
 * the node view and {@code bench}.
 */
public final class SignatureCheck {
  private final Map<String, Boolean> recent;
  private final LongSupplier cpuNanos;
  private long verified;
  private long cached;
  private long verifyNanos;

  /** A check remembering the last {@code capacity} results; it counts no time. */
  public SignatureCheck(int capacity) {
    this(capacity, () -> 0);
  }

  /**
   * A check remembering the last {@code capacity} results that also adds up the time its
   * verifications take, as read from {@code cpuNanos} before and after each (the node passes
   * the calling thread's CPU time: what verification really costs it, for {@code bench}).
   */
  public SignatureCheck(int capacity, LongSupplier cpuNanos) {
    this.recent = BoundedMap.accessOrder(capacity);
    this.cpuNanos = cpuNanos;
  }

  /** True when the message's signature verifies against its author's key. */
  public synchronized boolean verify(Signed<?> m) {
    String key = m.hash() + io.wallance.protocol.Crypto.hex(m.signature());
    Boolean ok = recent.get(key);
    if (ok == null) {
      verified++;
      long start = cpuNanos.getAsLong();
      ok = m.verifies();
      verifyNanos += cpuNanos.getAsLong() - start;
      recent.put(key, ok);
    } else {
      cached++;
    }
    return ok;
  }

  /** @return how many Ed25519 verifications ran (cache misses) */
  public synchronized long verified() {
    return verified;
  }

  /** @return nanoseconds the verifications took, by the clock given at construction */
  public synchronized long verifyNanos() {
    return verifyNanos;
  }

  /** @return how many answers came from the cache */
  public synchronized long cached() {
    return cached;
  }
}
