package io.wallance.web;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * The operator password, stored hashed with PBKDF2-HMAC-SHA256 from the JDK, as one line:
 * {@code pbkdf2-sha256$<iterations>$<salt, base64>$<hash, base64>}.
 *
 * <p>Verification costs {@code iterations} HMACs on purpose (tens of milliseconds): call it
 * off the event loop. The comparison is constant-time.
 *
 * @param iterations PBKDF2 iterations
 * @param salt the random salt
 * @param hash the derived key
 */
public record PasswordHash(int iterations, byte[] salt, byte[] hash) {
  /** Iterations for new hashes (OWASP's 2023 figure for PBKDF2-HMAC-SHA256 is 600 000; a Pi is slow). */
  public static final int DEFAULT_ITERATIONS = 210_000;
  private static final String SCHEME = "pbkdf2-sha256";
  private static final Pattern LINE = Pattern.compile(
      "pbkdf2-sha256\\$([1-9][0-9]{0,8})\\$([A-Za-z0-9+/]{16,88}={0,2})\\$([A-Za-z0-9+/]{43}=)");
  private static final SecureRandom RANDOM = new SecureRandom();

  /** Copies the arrays and checks the parameters. */
  public PasswordHash {
    if (iterations < 1_000) {
      throw new IllegalArgumentException("at least 1000 iterations, got " + iterations);
    }
    salt = Objects.requireNonNull(salt, "salt").clone();
    hash = Objects.requireNonNull(hash, "hash").clone();
    if (salt.length < 16 || hash.length != 32) {
      throw new IllegalArgumentException("a salt of at least 16 bytes and a 32-byte hash are needed");
    }
  }

  /**
   * Hashes a new password with a fresh random salt.
   *
   * @param password the password; not empty
   * @param iterations PBKDF2 iterations
   * @return the hash
   */
  public static PasswordHash create(String password, int iterations) {
    if (password == null || password.isEmpty()) {
      throw new IllegalArgumentException("the password must not be empty");
    }
    byte[] salt = new byte[16];
    RANDOM.nextBytes(salt);
    return new PasswordHash(iterations, salt, derive(password, salt, iterations));
  }

  /**
   * Parses a hash line.
   *
   * @param line {@code pbkdf2-sha256$<iterations>$<salt>$<hash>}
   * @return the hash
   * @throws IllegalArgumentException when the line is not in that form
   */
  public static PasswordHash parse(String line) {
    Matcher m = LINE.matcher(Objects.requireNonNull(line, "line").strip());
    if (!m.matches()) {
      throw new IllegalArgumentException("expected one line 'pbkdf2-sha256$<iterations>$<salt base64>$<hash base64>'"
          + " (make it with the password-hash command)");
    }
    Base64.Decoder b64 = Base64.getDecoder();
    return new PasswordHash(Integer.parseInt(m.group(1)), b64.decode(m.group(2)), b64.decode(m.group(3)));
  }

  /** @return the hash line */
  public String line() {
    Base64.Encoder b64 = Base64.getEncoder();
    return SCHEME + "$" + iterations + "$" + b64.encodeToString(salt) + "$" + b64.encodeToString(hash);
  }

  /**
   * @param candidate a password to check
   * @return true when it is the password; takes the same time for any wrong password of a length
   */
  public boolean matches(String candidate) {
    if (candidate == null || candidate.isEmpty()) {
      return false;
    }
    return MessageDigest.isEqual(hash, derive(candidate, salt, iterations));
  }

  private static byte[] derive(String password, byte[] salt, int iterations) {
    char[] chars = password.toCharArray();
    PBEKeySpec spec = new PBEKeySpec(chars, salt, iterations, 256);
    try {
      return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("every Java 17 platform has PBKDF2WithHmacSHA256", e);
    } finally {
      spec.clearPassword();
      Arrays.fill(chars, '\0');
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PasswordHash p && p.iterations == iterations && Arrays.equals(p.salt, salt)
        && Arrays.equals(p.hash, hash);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(hash);
  }

  @Override
  public String toString() {
    return SCHEME + "$" + iterations + "$…";
  }
}
