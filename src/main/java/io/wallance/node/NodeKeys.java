package io.wallance.node;

import io.wallance.protocol.Crypto;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * Reads the key files {@code keygen} writes: {@code NAME.key} holds the 32-byte Ed25519 seed
 * and {@code NAME.pub} the 32-byte public key, each as 64 lowercase hex digits and a newline.
 * Errors are one-line messages naming the file, fit for a command line.
 */
public final class NodeKeys {

  private static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");
  /** A key file is one line; anything much longer is the wrong file. */
  private static final long MAX_BYTES = 1024;

  private NodeKeys() {
  }

  /**
   * @param file a private key file
   * @return the key pair of its seed
   * @throws KeyFileException if the file is missing, unreadable or not 64 hex digits
   */
  public static Crypto.KeyPair readPrivate(Path file) throws KeyFileException {
    return Crypto.KeyPair.fromSeed(Crypto.unhex(readHex(file, "private key")));
  }

  /**
   * @param file a public key file
   * @return the public key (member id) as 64 lowercase hex digits
   * @throws KeyFileException if the file is missing, unreadable or not 64 hex digits
   */
  public static String readPublic(Path file) throws KeyFileException {
    return readHex(file, "public key");
  }

  private static String readHex(Path file, String what) throws KeyFileException {
    String text;
    try {
      if (Files.size(file) > MAX_BYTES) {
        throw new KeyFileException(what + " file " + file + " is too large to be a key file");
      }
      text = Files.readString(file, StandardCharsets.US_ASCII);
    } catch (NoSuchFileException e) {
      throw new KeyFileException(what + " file " + file + " does not exist (create one with 'wallance keygen')");
    } catch (IOException e) {
      throw new KeyFileException("cannot read " + what + " file " + file + ": " + e.getMessage());
    }
    String hex = text.strip();
    if (!HEX64.matcher(hex).matches()) {
      throw new KeyFileException(what + " file " + file + " must hold 64 lowercase hex digits (as written by keygen)");
    }
    return hex;
  }

  /** A key file cannot be used; the message names the file and what is wrong. */
  public static final class KeyFileException extends Exception {
    private static final long serialVersionUID = 1L;

    /** @param message one line naming the file */
    public KeyFileException(String message) {
      super(message, null, false, false);
    }
  }
}
