package io.wallance.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;
import org.bouncycastle.util.encoders.Hex;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeygenCommandTest {

  private static final String HEX64 = "[0-9a-f]{64}";

  @TempDir
  Path dir;

  @Test
  void writesAKeyPairAndPrintsTheRegistryLine() throws Exception {
    Path out = dir.resolve("keys"); // does not exist yet

    CliRun run = CliRun.of("keygen", "--out", out.toString(), "--name", "pi-1");

    assertThat(run.exitCode()).as(run.err()).isZero();
    String privateHex = readOneLine(out.resolve("pi-1.key"));
    String publicHex = readOneLine(out.resolve("pi-1.pub"));
    assertThat(privateHex).matches(HEX64);
    assertThat(publicHex).matches(HEX64);
    assertThat(run.out()).isEqualTo("member pi-1 " + publicHex + System.lineSeparator());
  }

  @Test
  void publicKeyBelongsToThePrivateKey() throws Exception {
    CliRun run = CliRun.of("keygen", "--out", dir.toString(), "--name", "pi-2");
    assertThat(run.exitCode()).as(run.err()).isZero();

    var privateKey = new Ed25519PrivateKeyParameters(Hex.decode(readOneLine(dir.resolve("pi-2.key"))), 0);
    var publicKey = new Ed25519PublicKeyParameters(Hex.decode(readOneLine(dir.resolve("pi-2.pub"))), 0);
    assertThat(publicKey.getEncoded()).isEqualTo(privateKey.generatePublicKey().getEncoded());

    byte[] message = "share 42".getBytes(StandardCharsets.UTF_8);
    Ed25519Signer signer = new Ed25519Signer();
    signer.init(true, privateKey);
    signer.update(message, 0, message.length);
    byte[] signature = signer.generateSignature();
    Ed25519Signer verifier = new Ed25519Signer();
    verifier.init(false, publicKey);
    verifier.update(message, 0, message.length);
    assertThat(verifier.verifySignature(signature)).isTrue();
  }

  @Test
  void privateKeyIsReadableByTheOwnerOnly() throws Exception {
    assumeTrue(dir.getFileSystem().supportedFileAttributeViews().contains("posix"), "POSIX file system");

    CliRun run = CliRun.of("keygen", "--out", dir.toString(), "--name", "pi-3");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("pi-3.key"))))
        .isEqualTo("rw-------");
  }

  @Test
  void defaultNameIsNode() {
    CliRun run = CliRun.of("keygen", "--out", dir.toString());

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(dir.resolve("node.key")).isRegularFile();
    assertThat(dir.resolve("node.pub")).isRegularFile();
    assertThat(run.out()).startsWith("member node ");
  }

  @Test
  void everyRunMakesANewKey() throws Exception {
    assertThat(CliRun.of("keygen", "--out", dir.toString(), "--name", "a").exitCode()).isZero();
    assertThat(CliRun.of("keygen", "--out", dir.toString(), "--name", "b").exitCode()).isZero();

    assertThat(readOneLine(dir.resolve("a.key"))).isNotEqualTo(readOneLine(dir.resolve("b.key")));
  }

  @Test
  void refusesToOverwriteAnExistingKey() throws Exception {
    assertThat(CliRun.of("keygen", "--out", dir.toString(), "--name", "pi-4").exitCode()).isZero();
    String privateBefore = readOneLine(dir.resolve("pi-4.key"));
    String publicBefore = readOneLine(dir.resolve("pi-4.pub"));

    CliRun again = CliRun.of("keygen", "--out", dir.toString(), "--name", "pi-4");

    assertThat(again.exitCode()).isEqualTo(1);
    assertThat(again.out()).isEmpty();
    assertThat(again.err().lines()).singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
        .startsWith("error: ")
        .contains("pi-4.key")
        .contains("already exists");
    assertThat(readOneLine(dir.resolve("pi-4.key"))).isEqualTo(privateBefore);
    assertThat(readOneLine(dir.resolve("pi-4.pub"))).isEqualTo(publicBefore);
  }

  @Test
  void refusesWhenOnlyThePublicKeyExists() throws Exception {
    Files.writeString(dir.resolve("pi-5.pub"), "keep me\n");

    CliRun run = CliRun.of("keygen", "--out", dir.toString(), "--name", "pi-5");

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err()).startsWith("error: ").contains("pi-5.pub").contains("already exists");
    assertThat(dir.resolve("pi-5.key")).doesNotExist();
    assertThat(Files.readString(dir.resolve("pi-5.pub"))).isEqualTo("keep me\n");
  }

  @Test
  void outThatIsAFileIsAnError() throws Exception {
    Path file = Files.writeString(dir.resolve("plain"), "x");

    CliRun run = CliRun.of("keygen", "--out", file.toString());

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err()).startsWith("error: ").contains("is not a directory").doesNotContain("\tat ");
  }

  @Test
  void missingOutIsAUsageError() {
    CliRun run = CliRun.of("keygen", "--name", "x");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("Missing required option: '--out=DIR'").contains("Usage: wallance keygen");
  }

  @Test
  void nameThatIsNotASafeFileNameIsAUsageError() throws Exception {
    for (String bad : new String[] {"../escape", "a/b", "two words", ".hidden", "", "x".repeat(65)}) {
      CliRun run = CliRun.of("keygen", "--out", dir.toString(), "--name=" + bad);

      assertThat(run.exitCode()).as("name '%s'", bad).isEqualTo(2);
      assertThat(run.err()).as("name '%s'", bad).contains("Invalid value for option '--name'");
    }
    try (var files = Files.list(dir)) {
      assertThat(files).isEmpty();
    }
    assertThat(dir.getParent().resolve("escape.key")).doesNotExist();
  }

  @Test
  void unknownOptionIsAUsageError() {
    CliRun run = CliRun.of("keygen", "--out", dir.toString(), "--force");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("Unknown option: '--force'");
  }

  /** Key files hold exactly one line: the hex and a newline. */
  private static String readOneLine(Path file) throws Exception {
    String content = Files.readString(file, StandardCharsets.US_ASCII);
    assertThat(content).as(file.toString()).endsWith("\n").doesNotContain("\r");
    assertThat(content.lines()).as(file.toString()).hasSize(1);
    return content.strip();
  }
}
