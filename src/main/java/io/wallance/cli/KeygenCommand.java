package io.wallance.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.crypto.generators.Ed25519KeyPairGenerator;
import org.bouncycastle.crypto.params.Ed25519KeyGenerationParameters;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.util.encoders.Hex;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code wallance keygen}: creates a member's Ed25519 key pair.
 *
 * <p>Writes {@code DIR/NAME.key} (the 32-byte private seed, lowercase hex, one line,
 * mode 600 where the file system is POSIX) and {@code DIR/NAME.pub} (the 32-byte public
 * key, lowercase hex, one line), and prints the registry line {@code member NAME PUBHEX}
 * on stdout. It never overwrites an existing key.
 */
@Command(
    name = "keygen",
    mixinStandardHelpOptions = true,
    description = {
        "Generates a member's Ed25519 key pair.",
        "Writes DIR/NAME.key (private seed in hex, mode 600) and DIR/NAME.pub",
        "(public key in hex) and prints the registry line 'member NAME PUBHEX'.",
        "Refuses to overwrite an existing key."
    })
final class KeygenCommand implements Callable<Integer> {

  /** A name is a file name and one token of a registry line: no separators, no spaces. */
  static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

  @Spec
  private CommandSpec spec;

  @Option(names = "--out", required = true, paramLabel = "DIR",
      description = "Directory for the key files (created if missing).")
  private Path out;

  @Option(names = "--name", paramLabel = "NAME", defaultValue = "node",
      description = "Member name; also the files' base name. Letters, digits, '.', '_', '-';"
          + " at most 64 characters. Default: ${DEFAULT-VALUE}.")
  private String name;

  @Override
  public Integer call() throws IOException {
    if (!NAME.matcher(name).matches()) {
      throw new ParameterException(spec.commandLine(),
          "Invalid value for option '--name': '" + name + "' (use letters, digits, '.', '_', '-';"
              + " start with a letter or digit; at most 64 characters)");
    }
    Path keyFile = out.resolve(name + ".key");
    Path pubFile = out.resolve(name + ".pub");
    String publicHex = writeKeyPair(out, name);

    spec.commandLine().getOut().println("member " + name + " " + publicHex);
    spec.commandLine().getOut().flush();
    spec.commandLine().getErr().println("keygen: wrote " + keyFile + " (secret) and " + pubFile);
    spec.commandLine().getErr().flush();
    return 0;
  }

  /**
   * Generates a key pair and writes {@code out/NAME.key} and {@code out/NAME.pub} as described
   * in the class documentation (also used by {@code demo}).
   *
   * @param out the key directory, created if missing
   * @param name the base name, already validated against {@link #NAME}
   * @return the public key (the member id) in lowercase hex
   */
  static String writeKeyPair(Path out, String name) throws IOException {
    if (Files.exists(out) && !Files.isDirectory(out)) {
      throw new IllegalStateException("--out " + out + " is not a directory");
    }
    Path keyFile = out.resolve(name + ".key");
    Path pubFile = out.resolve(name + ".pub");
    for (Path existing : new Path[] {keyFile, pubFile}) {
      if (Files.exists(existing)) {
        throw new IllegalStateException("key file " + existing + " already exists; refusing to overwrite it");
      }
    }

    Ed25519KeyPairGenerator generator = new Ed25519KeyPairGenerator();
    generator.init(new Ed25519KeyGenerationParameters(new SecureRandom()));
    AsymmetricCipherKeyPair pair = generator.generateKeyPair();
    String privateHex = Hex.toHexString(((Ed25519PrivateKeyParameters) pair.getPrivate()).getEncoded());
    String publicHex = Hex.toHexString(((Ed25519PublicKeyParameters) pair.getPublic()).getEncoded());

    Files.createDirectories(out);
    writeNew(keyFile, privateHex, privateFileAttributes(out));
    try {
      writeNew(pubFile, publicHex);
    } catch (IOException | RuntimeException e) {
      // Half a key pair is worse than none: the next run would refuse to overwrite it.
      Files.deleteIfExists(keyFile);
      throw e;
    }
    return publicHex;
  }

  /** Owner read/write only, set at creation so the seed is never readable by others. */
  private static FileAttribute<?>[] privateFileAttributes(Path dir) {
    boolean posix = dir.getFileSystem().supportedFileAttributeViews().contains("posix");
    return posix
        ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))}
        : new FileAttribute<?>[0];
  }

  /** Creates {@code file} (failing if it exists, even if it appeared since the check). */
  private static void writeNew(Path file, String hex, FileAttribute<?>... attributes) throws IOException {
    try {
      Files.createFile(file, attributes);
    } catch (FileAlreadyExistsException e) {
      throw new IllegalStateException("key file " + file + " already exists; refusing to overwrite it", e);
    }
    try {
      Files.writeString(file, hex + "\n", StandardCharsets.US_ASCII, StandardOpenOption.TRUNCATE_EXISTING);
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(file);
      throw e;
    }
  }
}
