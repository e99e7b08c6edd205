package io.wallance.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.wallance.node.RegistryFile;
import io.wallance.protocol.Crypto;
import io.wallance.protocol.Registry;
import io.wallance.protocol.Signed;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RegistryCommandTest {

  @TempDir
  Path dir;

  @Test
  void writesASignedGenesisWithTheDefaultsAndTheBundledCatalogue() throws Exception {
    Path keys = dir.resolve("keys");
    assertThat(CliRun.of("keygen", "--out", keys.toString(), "--name", "op").exitCode()).isZero();
    assertThat(CliRun.of("keygen", "--out", keys.toString(), "--name", "pi2").exitCode()).isZero();
    String pi2 = Files.readString(keys.resolve("pi2.pub")).strip();
    String pi1 = key(1).id();
    Path out = dir.resolve("registry.txt");

    CliRun run = CliRun.of("registry", "--operator-key", keys.resolve("op.key").toString(), "--net", "demo",
        "--member", "pi1=" + pi1, "--member", "pi2=@" + keys.resolve("pi2.pub"), "--out", out.toString());

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.err()).contains("2 members");
    Signed<Registry> signed = RegistryFile.read(out);
    Registry r = signed.body();
    assertThat(signed.verifies()).isTrue();
    assertThat(r.net()).isEqualTo("demo");
    assertThat(r.epoch()).isEqualTo(1);
    assertThat(r.quorum()).isZero();
    assertThat(r.dcoinRate()).isEqualTo(5);
    assertThat(r.reward()).isEqualTo(2);
    assertThat(r.difficulty()).isEqualTo(1);
    assertThat(r.outdate()).isEqualTo(5);
    assertThat(r.members()).extracting(Registry.Party::id).containsExactlyInAnyOrder(pi1, pi2).isSorted();
    assertThat(r.operators()).extracting(Registry.Party::id)
        .containsExactly(Files.readString(keys.resolve("op.pub")).strip());
    assertThat(r.contracts()).isEqualTo(Map.of("Nespresso", 2L, "Receipt", 1L));
  }

  @Test
  void badMembersAndKeysAreClearErrors() throws Exception {
    Files.writeString(dir.resolve("op.key"), "00".repeat(32) + "\n");
    Path out = dir.resolve("r.txt");

    CliRun noEquals = CliRun.of("registry", "--operator-key", dir.resolve("op.key").toString(), "--net", "demo",
        "--member", "pi1", "--out", out.toString());
    CliRun badHex = CliRun.of("registry", "--operator-key", dir.resolve("op.key").toString(), "--net", "demo",
        "--member", "pi1=XYZ", "--out", out.toString());
    CliRun noKey = CliRun.of("registry", "--operator-key", dir.resolve("none.key").toString(), "--net", "demo",
        "--member", "pi1=" + key(1).id(), "--out", out.toString());

    assertThat(noEquals.exitCode()).isEqualTo(2);
    assertThat(noEquals.err()).contains("--member must be NAME=PUBHEX");
    assertThat(badHex.exitCode()).isEqualTo(2);
    assertThat(noKey.exitCode()).isEqualTo(1);
    assertThat(noKey.err()).startsWith("error: ").contains("none.key does not exist");
    assertThat(out).doesNotExist();
  }

  private static Crypto.KeyPair key(int seed) {
    byte[] bytes = new byte[32];
    Arrays.fill(bytes, (byte) seed);
    return Crypto.KeyPair.fromSeed(bytes);
  }
}
