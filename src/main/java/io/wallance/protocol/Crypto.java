package io.wallance.protocol;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;

/**
 * SHA-256 and Ed25519 (RFC 8032, pure, no context) through BouncyCastle's lightweight API,
 * the one crypto provider of the project.
 */
public final class Crypto {
  /** The all-zero state every wallet starts from. */
  public static final String GENESIS = "0".repeat(64);
  private static final HexFormat HEX = HexFormat.of();

  private Crypto() {}

  /** SHA-256 of {@code data}. */
  public static byte[] sha256(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(data);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }

  /** SHA-256 of {@code data} as lowercase hex. */
  public static String sha256Hex(byte[] data) {
    return HEX.formatHex(sha256(data));
  }

  /** Lowercase hex of {@code bytes}. */
  public static String hex(byte[] bytes) {
    return HEX.formatHex(bytes);
  }

  /** Bytes of a hex string (any case); throws IllegalArgumentException when malformed. */
  public static byte[] unhex(String hex) {
    return HEX.parseHex(hex);
  }

  /**
   * Verifies an Ed25519 signature. Any malformed key or signature is simply "does not
   * verify": callers treat that as {@link Reason#BAD_SIGNATURE}.
   */
  public static boolean verify(byte[] publicKey, byte[] message, byte[] signature) {
    if (publicKey.length != 32 || signature.length != 64) {
      return false;
    }
    try {
      Ed25519Signer v = new Ed25519Signer();
      v.init(false, new Ed25519PublicKeyParameters(publicKey, 0));
      v.update(message, 0, message.length);
      return v.verifySignature(signature);
    } catch (RuntimeException e) {
      return false; // BouncyCastle rejects some non-canonical points by throwing
    }
  }

  /** An Ed25519 key pair; the private half never leaves this object except as its seed. */
  public static final class KeyPair {
    private final Ed25519PrivateKeyParameters key;
    private final String publicHex;

    private KeyPair(Ed25519PrivateKeyParameters key) {
      this.key = key;
      this.publicHex = hex(key.generatePublicKey().getEncoded());
    }

    /** The key pair of a 32-byte RFC 8032 private key (seed). */
    public static KeyPair fromSeed(byte[] seed) {
      if (seed.length != 32) {
        throw new IllegalArgumentException("an Ed25519 private key is 32 bytes, got " + seed.length);
      }
      return new KeyPair(new Ed25519PrivateKeyParameters(seed, 0));
    }

    /** The member id: the public key in lowercase hex. */
    public String id() {
      return publicHex;
    }

    /** The 32-byte seed, for storing the key. */
    public byte[] seed() {
      return key.getEncoded();
    }

    /** Signs {@code message}. Deterministic: the same message always gives the same signature. */
    public byte[] sign(byte[] message) {
      Ed25519Signer s = new Ed25519Signer();
      s.init(true, key);
      s.update(message, 0, message.length);
      return s.generateSignature();
    }
  }
}
