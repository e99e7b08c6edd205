package io.wallance.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.util.encoders.Hex;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the built fat jar ({@code target/wallance.jar}) as a separate process, as a user would. */
class CliIT {

  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  private static Path jar;

  @TempDir
  Path dir;

  @BeforeAll
  static void findJar() {
    String location = System.getProperty("wallance.jar", "target/wallance.jar");
    jar = Path.of(location).toAbsolutePath();
    assertThat(jar).as("the fat jar; run through `mvn verify`").isRegularFile();
  }

  @Test
  void helpListsKeygen() throws Exception {
    Result run = wallance("--help");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).contains("Usage: wallance").contains("keygen");
  }

  @Test
  void keygenHelp() throws Exception {
    Result run = wallance("keygen", "--help");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).contains("Usage: wallance keygen").contains("--out=DIR");
  }

  @Test
  void unknownCommandIsAUsageError() throws Exception {
    Result run = wallance("frobnicate");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("Unmatched argument").containsAnyOf("Usage: wallance", "Did you mean");
    assertThat(run.out()).isEmpty();
  }

  @Test
  void keygenEndToEnd() throws Exception {
    Path out = dir.resolve("keys");

    Result run = wallance("keygen", "--out", out.toString(), "--name", "pi-7");

    assertThat(run.exitCode()).as(run.err()).isZero();
    String privateHex = Files.readString(out.resolve("pi-7.key")).strip();
    String publicHex = Files.readString(out.resolve("pi-7.pub")).strip();
    assertThat(publicHex).matches("[0-9a-f]{64}");
    // BouncyCastle from inside the shaded jar derived the same public key.
    assertThat(publicHex).isEqualTo(
        Hex.toHexString(new Ed25519PrivateKeyParameters(Hex.decode(privateHex), 0).generatePublicKey().getEncoded()));
    assertThat(run.out().strip()).isEqualTo("member pi-7 " + publicHex);

    Result again = wallance("keygen", "--out", out.toString(), "--name", "pi-7");

    assertThat(again.exitCode()).isEqualTo(1);
    assertThat(again.err().lines().toList()).hasSize(1);
    assertThat(again.err()).startsWith("error: ").contains("already exists").doesNotContain("Exception");
    assertThat(Files.readString(out.resolve("pi-7.key")).strip()).isEqualTo(privateHex);
  }

  private record Result(int exitCode, String out, String err) {}

  /** Runs {@code java -jar wallance.jar args...} with the running JVM's java, bounded by {@link #TIMEOUT}. */
  private Result wallance(String... args) throws IOException, InterruptedException {
    String java = ProcessHandle.current().info().command()
        .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    List<String> command = new ArrayList<>(List.of(java, "-jar", jar.toString()));
    command.addAll(List.of(args));
    // Files, not pipes: a full pipe buffer would block the child.
    Path stdout = Files.createTempFile(dir, "stdout", ".txt");
    Path stderr = Files.createTempFile(dir, "stderr", ".txt");
    Process process = new ProcessBuilder(command)
        .redirectOutput(stdout.toFile())
        .redirectError(stderr.toFile())
        .start();
    try {
      process.getOutputStream().close(); // no stdin, as in CI
      if (!process.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new AssertionError("wallance " + String.join(" ", args) + " did not exit within " + TIMEOUT);
      }
      return new Result(process.exitValue(),
          Files.readString(stdout, StandardCharsets.UTF_8), Files.readString(stderr, StandardCharsets.UTF_8));
    } finally {
      if (process.isAlive()) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
  }
}
