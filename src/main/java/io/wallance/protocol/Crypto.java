package io.wallance.protocol;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

/**
 * SHA-256 and Ed25519 (RFC 8032, pure, no context) through BouncyCastle's lightweight API,
 * the one crypto provider of the project.
 */
public final class Crypto {
  /** The all-zero state every wallet starts from. */
  public static final String GENESIS = "0".repeat(64);
  private static final HexFormat HEX = HexFormat.of();
  /** Most decoded public keys kept ({@link #publicKey}). */
  private static final int PUBLIC_KEY_CACHE = 1024;
  private static final Map<String, Ed25519PublicKeyParameters> PUBLIC_KEYS = new ConcurrentHashMap<>();

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
      Ed25519PublicKeyParameters key = publicKey(publicKey);
      return key != null && key.verify(Ed25519.Algorithm.Ed25519, null, message, 0, message.length, signature, 0);
    } catch (RuntimeException e) {
      return false; // BouncyCastle rejects some non-canonical points by throwing
    }
  }

  /**
   * The decoded public key (its curve point, checked once), from a small cache: a fleet
   * verifies messages of a few dozen members over and over, and decoding the point costs
   * about a tenth of a verification. Null for bytes that are not a valid point.
   */
  private static Ed25519PublicKeyParameters publicKey(byte[] encoded) {
    String id = hex(encoded);
    Ed25519PublicKeyParameters key = PUBLIC_KEYS.get(id);
    if (key == null) {
      try {
        key = new Ed25519PublicKeyParameters(encoded, 0);
      } catch (IllegalArgumentException e) {
        return null;
      }
      if (PUBLIC_KEYS.size() >= PUBLIC_KEY_CACHE) {
        PUBLIC_KEYS.clear(); // bounded: members are few; anything else just decodes again
      }
      PUBLIC_KEYS.put(id, key);
    }
    return key;
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
