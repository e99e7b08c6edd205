package io.wallance.protocol;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A body with its Ed25519 signature: the unit that travels, is stored and is relayed.
 *
 * <p>The hash (the message id, and what votes approve) is SHA-256 over the canonical body
 * bytes alone; the wire form appends {@code sig=<128 hex>\n}.
 *
 * @param body the decoded body
 * @param bytes the canonical body bytes (hashed and signed)
 * @param hash SHA-256 of {@code bytes}, lowercase hex
 * @param signature the 64-byte Ed25519 signature over {@code bytes}
 */
public record Signed<B extends Body>(B body, byte[] bytes, String hash, byte[] signature) {
  /** Signs {@code body} with {@code key}; the key must be the body's author. */
  public static <B extends Body> Signed<B> sign(B body, Crypto.KeyPair key) {
    if (!body.author().equals(key.id())) {
      throw new IllegalArgumentException("a " + body.type().wire() + " must be signed by its author");
    }
    byte[] bytes = body.canonical();
    return new Signed<>(body, bytes, Crypto.sha256Hex(bytes), key.sign(bytes));
  }

  /** Wraps already-checked parts (used by the decoder and by tests forging signatures). */
  public static <B extends Body> Signed<B> of(B body, byte[] signature) {
    byte[] bytes = body.canonical();
    return new Signed<>(body, bytes, Crypto.sha256Hex(bytes), signature.clone());
  }

  /** True when the signature verifies against the author's key. */
  public boolean verifies() {
    return Crypto.verify(Crypto.unhex(body.author()), bytes, signature);
  }

  /** The wire bytes: the body followed by the signature line. */
  public byte[] wire() {
    byte[] tail = ("sig=" + Crypto.hex(signature) + "\n").getBytes(StandardCharsets.US_ASCII);
    byte[] out = Arrays.copyOf(bytes, bytes.length + tail.length);
    System.arraycopy(tail, 0, out, bytes.length, tail.length);
    return out;
  }

  /** The wire form as a string (it is ASCII). */
  public String wireText() {
    return new String(wire(), StandardCharsets.US_ASCII);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Signed<?> s && hash.equals(s.hash) && Arrays.equals(signature, s.signature);
  }

  @Override
  public int hashCode() {
    return hash.hashCode();
  }

  @Override
  public String toString() {
    return body.type().wire() + "#" + hash.substring(0, 12);
  }
}
