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

  @Test
  void writesTheNextEpochFromThePreviousRegistryWithMembersAddedAndRemoved() throws Exception {
    Path keys = dir.resolve("keys");
    assertThat(CliRun.of("keygen", "--out", keys.toString(), "--name", "op").exitCode()).isZero();
    assertThat(CliRun.of("keygen", "--out", keys.toString(), "--name", "other").exitCode()).isZero();
    String op = keys.resolve("op.key").toString();
    Path genesis = dir.resolve("registry.txt");
    assertThat(CliRun.of("registry", "--operator-key", op, "--net", "demo", "--reward", "3", "--member",
        "pi1=" + key(1).id(), "--member", "pi2=" + key(2).id(), "--member", "pi3=" + key(3).id(), "--member",
        "pi4=" + key(4).id(), "--out", genesis.toString()).exitCode()).isZero();
    Path second = dir.resolve("registry-2.txt");

    CliRun run = CliRun.of("registry", "--operator-key", op, "--previous", genesis.toString(), "--member",
        "pi5=" + key(5).id(), "--out", second.toString());
    CliRun third = CliRun.of("registry", "--operator-key", op, "--previous", second.toString(), "--remove", "pi2",
        "--out", dir.resolve("registry-3.txt").toString());
    CliRun stranger = CliRun.of("registry", "--operator-key", keys.resolve("other.key").toString(), "--previous",
        genesis.toString(), "--member", "pi6=" + key(6).id(), "--out", dir.resolve("bad.txt").toString());
    CliRun unknown = CliRun.of("registry", "--operator-key", op, "--previous", genesis.toString(), "--remove", "pi9",
        "--out", dir.resolve("bad.txt").toString());

    assertThat(run.exitCode()).as(run.err()).isZero();
    Registry g = RegistryFile.read(genesis).body();
    Registry r2 = RegistryFile.read(second).body();
    r2.validateSuccessorOf(g);
    assertThat(r2.epoch()).isEqualTo(2);
    assertThat(r2.net()).isEqualTo("demo");
    assertThat(r2.reward()).isEqualTo(3);
    assertThat(r2.members()).hasSize(5);
    assertThat(r2.quorumSize()).isEqualTo(4);
    assertThat(r2.operators()).isEqualTo(g.operators());
    assertThat(r2.contracts()).isEqualTo(g.contracts());
    assertThat(third.exitCode()).as(third.err()).isZero();
    Registry r3 = RegistryFile.read(dir.resolve("registry-3.txt")).body();
    assertThat(r3.epoch()).isEqualTo(3);
    assertThat(r3.members()).extracting(Registry.Party::name).doesNotContain("pi2").hasSize(4);
    assertThat(stranger.exitCode()).isEqualTo(1);
    assertThat(stranger.err()).contains("not signed by an operator of epoch 1");
    assertThat(unknown.exitCode()).isEqualTo(2);
    assertThat(unknown.err()).contains("no such member");
    assertThat(dir.resolve("bad.txt")).doesNotExist();
  }

  @Test
  void aContinuingEpochTakesTheLongestChainTheLiveMembersHoldAndRefusesUnsafeInput() throws Exception {
    Path keys = dir.resolve("keys");
    assertThat(CliRun.of("keygen", "--out", keys.toString(), "--name", "op").exitCode()).isZero();
    String op = keys.resolve("op.key").toString();
    Path genesis = dir.resolve("registry.txt");
    assertThat(CliRun.of("registry", "--operator-key", op, "--net", "demo", "--member", "pi1=" + key(1).id(),
        "--member", "pi2=" + key(2).id(), "--member", "pi3=" + key(3).id(), "--member", "pi4=" + key(4).id(),
        "--out", genesis.toString()).exitCode()).isZero();
    String h1 = "a1".repeat(32);
    String h2 = "b2".repeat(32);
    // pi1 holds pi1's chain one purchase further than pi2 does.
    Path v1 = view("pi1.json", key(1), wallet(key(1), h2, 2), wallet(key(2), Crypto.GENESIS, 0),
        wallet(key(3), h1, 1), wallet(key(4), Crypto.GENESIS, 0));
    Path v2 = view("pi2.json", key(2), wallet(key(1), h1, 1), wallet(key(2), Crypto.GENESIS, 0),
        wallet(key(3), h1, 1), wallet(key(4), Crypto.GENESIS, 0));
    Path out = dir.resolve("registry-2.txt");
    CliRun ok = CliRun.of("registry", "--operator-key", op, "--previous", genesis.toString(), "--remove", "pi3",
        "--remove", "pi4", "--continue-from", v1.toString(), "--continue-from", v2.toString(), "--out",
        out.toString());
    assertThat(ok.exitCode()).as(ok.err()).isZero();
    assertThat(ok.err()).contains("4 wallets continued").contains("continue pi1 from chain length 2, head " + h2);
    Registry r2 = RegistryFile.read(out).body();
    r2.validateSuccessorOf(RegistryFile.read(genesis).body());
    assertThat(r2.quorumSize()).isEqualTo(2);
    assertThat(r2.continuation(key(1).id())).isEqualTo(new Registry.Continue(key(1).id(), h2, 2));
    assertThat(r2.continuation(key(4).id()).head()).isEqualTo(Crypto.GENESIS);

    CliRun unheard = CliRun.of("registry", "--operator-key", op, "--previous", genesis.toString(), "--remove", "pi3",
        "--remove", "pi4", "--continue-from", v1.toString(), "--out", dir.resolve("bad.txt").toString());
    assertThat(unheard.exitCode()).isNotZero();
    assertThat(unheard.err()).contains("no view from pi2");
    CliRun removedOnline = CliRun.of("registry", "--operator-key", op, "--previous", genesis.toString(), "--remove",
        "pi2", "--continue-from", v1.toString(), "--continue-from", v2.toString(), "--out",
        dir.resolve("bad.txt").toString());
    assertThat(removedOnline.exitCode()).isNotZero();
    assertThat(removedOnline.err()).contains("pi2 is online but removed");
    Path conflicting = view("pi2b.json", key(2), wallet(key(1), "c3".repeat(32), 2));
    CliRun conflict = CliRun.of("registry", "--operator-key", op, "--previous", genesis.toString(), "--remove", "pi3",
        "--remove", "pi4", "--continue-from", v1.toString(), "--continue-from", conflicting.toString(), "--out",
        dir.resolve("bad.txt").toString());
    assertThat(conflict.exitCode()).isNotZero();
    assertThat(conflict.err()).contains("views conflict on wallet");
    Files.writeString(dir.resolve("junk.json"), "{\"id\": \"" + key(1).id() + "\", \"wallets\": [{\"id\": 1}]}");
    CliRun junk = CliRun.of("registry", "--operator-key", op, "--previous", genesis.toString(), "--continue-from",
        dir.resolve("junk.json").toString(), "--out", dir.resolve("bad.txt").toString());
    assertThat(junk.exitCode()).isNotZero();
    assertThat(junk.err()).contains("is not {id, state, chain}");
    assertThat(dir.resolve("bad.txt")).doesNotExist();
  }

  private static io.vertx.core.json.JsonObject wallet(Crypto.KeyPair k, String state, long chain) {
    return new io.vertx.core.json.JsonObject().put("id", k.id()).put("state", state).put("chain", chain);
  }

  private Path view(String file, Crypto.KeyPair node, io.vertx.core.json.JsonObject... wallets) throws Exception {
    io.vertx.core.json.JsonArray list = new io.vertx.core.json.JsonArray();
    for (io.vertx.core.json.JsonObject w : wallets) {
      list.add(w);
    }
    Path p = dir.resolve(file);
    Files.writeString(p, new io.vertx.core.json.JsonObject().put("id", node.id()).put("wallets", list).encode());
    return p;
  }

  private static Crypto.KeyPair key(int seed) {
    byte[] bytes = new byte[32];
    Arrays.fill(bytes, (byte) seed);
    return Crypto.KeyPair.fromSeed(bytes);
  }
}
