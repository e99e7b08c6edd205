package io.wallance.node;

import io.wallance.protocol.Codec;
import io.wallance.protocol.ProtocolException;
import io.wallance.protocol.Registry;
import io.wallance.protocol.Signed;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Reads a registry file: the wire text of one signed registry, exactly as the
 * {@code registry} command writes it. Decoding is the protocol's own, so a file is accepted
 * only if it is canonical; the signature is checked when the replica installs it.
 */
public final class RegistryFile {

  private RegistryFile() {
  }

  /**
   * @param file the registry file
   * @return the decoded signed registry
   * @throws IOException with a one-line message when the file is missing, unreadable or not
   *     a registry
   */
  public static Signed<Registry> read(Path file) throws IOException {
    byte[] bytes;
    try {
      if (Files.size(file) > Codec.MAX_BYTES) {
        throw new IOException("registry file " + file + " is larger than any registry (" + Codec.MAX_BYTES + " bytes)");
      }
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new IOException("registry file " + file + " does not exist (create it with 'wallance registry')", e);
    }
    try {
      return Codec.decode(bytes, Registry.class);
    } catch (ProtocolException e) {
      throw new IOException("registry file " + file + " is not a valid signed registry: " + e.getMessage(), e);
    }
  }
}
