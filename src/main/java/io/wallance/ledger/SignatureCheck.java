package io.wallance.ledger;

import io.wallance.protocol.Signed;
import io.wallance.util.BoundedMap;
import java.util.Map;

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
  private long verified;
  private long cached;

  /** A check remembering the last {@code capacity} results. */
  public SignatureCheck(int capacity) {
    this.recent = BoundedMap.accessOrder(capacity);
  }

  /** True when the message's signature verifies against its author's key. */
  public synchronized boolean verify(Signed<?> m) {
    String key = m.hash() + io.wallance.protocol.Crypto.hex(m.signature());
    Boolean ok = recent.get(key);
    if (ok == null) {
      verified++;
      ok = m.verifies();
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

  /** @return how many answers came from the cache */
  public synchronized long cached() {
    return cached;
  }
}
