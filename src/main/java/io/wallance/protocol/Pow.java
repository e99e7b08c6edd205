package io.wallance.protocol;

/**
 * Light proof-of-work: the SHA-256 of a transaction's canonical body must start with
 * {@code difficulty} zero hex digits. Mining counts the nonce up from 0, so the same body
 * always mines to the same nonce (re-sent votes are byte-identical).
 */
public final class Pow {
  private Pow() {}

  /** True when {@code hash} (hex) starts with {@code difficulty} zeros. */
  public static boolean satisfied(String hash, long difficulty) {
    for (int i = 0; i < difficulty; i++) {
      if (hash.charAt(i) != '0') {
        return false;
      }
    }
    return true;
  }

  /** The body with the smallest nonce that satisfies {@code difficulty}. */
  @SuppressWarnings("unchecked")
  public static <M extends Body.Mined> M mine(M body, long difficulty) {
    for (long n = 0; ; n++) {
      M candidate = (M) body.withNonce(n);
      if (satisfied(Crypto.sha256Hex(candidate.canonical()), difficulty)) {
        return candidate;
      }
    }
  }
}
