package io.wallance.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.wallance.fuzz.Corpus;
import io.wallance.fuzz.Generated;
import io.wallance.fuzz.Mutator;
import io.wallance.protocol.Crypto;
import io.wallance.protocol.ProtocolException;
import io.wallance.protocol.Reason;
import io.wallance.protocol.Registry;
import io.wallance.protocol.Signed;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes the node's reader of signed registry files ({@link RegistryFile#read}): any file
 * content is either a registry whose wire text is exactly the file, or an
 * {@link IOException} with a one-line message naming the file; a registry that decodes
 * passes or fails its own rules with {@link Reason#BAD_REGISTRY} only.
 */
class RegistryFileFuzzTest {
  private static Path dir;

  @BeforeAll
  static void createDir() throws IOException {
    dir = Files.createTempDirectory("wallance-registry-fuzz");
  }

  @AfterAll
  static void deleteDir() throws IOException {
    try (var files = Files.list(dir)) {
      for (Path f : files.toList()) {
        Files.delete(f);
      }
    }
    Files.delete(dir);
  }

  /** The property, for any file content. */
  static void check(byte[] input) throws IOException {
    Path file = dir.resolve("registry.txt");
    Files.write(file, input);
    Signed<Registry> signed;
    try {
      signed = RegistryFile.read(file);
    } catch (IOException e) {
      assertThat(e.getMessage()).startsWith("registry file " + file).doesNotContain("\n", "\r");
      return;
    }
    assertThat(signed.wire()).isEqualTo(input);
    signed.verifies();
    try {
      signed.body().validateGenesis();
    } catch (ProtocolException e) {
      assertThat(e.reason()).isEqualTo(Reason.BAD_REGISTRY);
    }
  }

  @FuzzTest(maxDuration = "3m")
  void read(byte[] input) throws IOException {
    check(input);
  }

  @Test
  void generatedInputs() {
    Mutator m = new Mutator(Generated.seed(), Corpus.inputs(getClass(), "read"), List.of("member=", "operator=",
        "contract=", "members=", "operators=", "contracts=", "quorum=", "epoch=", ",", "\n", "0".repeat(64),
        "Receipt,1", "65", "9"));
    int ran = Generated.run("registry file", Corpus.directory(getClass(), "read"), 6_000, Duration.ofSeconds(8),
        Mutator::next, m, RegistryFileFuzzTest::check);
    assertThat(ran).isPositive();
  }

  @Test
  void seedsAreCommitted() throws Exception {
    Corpus.checkSeeds(getClass(), "read", seeds());
  }

  /** A genesis of four members and one of the largest fleet, each signed by its operator. */
  static Map<String, byte[]> seeds() {
    Map<String, byte[]> seeds = new LinkedHashMap<>();
    seeds.put("genesis-4", genesis(4, 2).wire());
    seeds.put("genesis-64", genesis(Registry.MAX_MEMBERS, Registry.MAX_CONTRACTS).wire());
    return seeds;
  }

  private static Signed<Registry> genesis(int members, int contracts) {
    Crypto.KeyPair operator = key(255);
    List<Registry.Party> parties = java.util.stream.IntStream.rangeClosed(1, members)
        .mapToObj(i -> new Registry.Party(key(i).id(), "pi" + i))
        .sorted(Comparator.comparing(Registry.Party::id)).toList();
    Map<String, Long> catalogue = new LinkedHashMap<>();
    for (int i = 0; i < contracts; i++) {
      catalogue.put("Contract" + i, (long) i + 1);
    }
    Registry r = new Registry("demo", 1, 0, 5, 2, 1, 5, parties, List.of(new Registry.Party(operator.id(), "op")),
        catalogue, operator.id());
    return Signed.sign(r, operator);
  }

  private static Crypto.KeyPair key(int n) {
    byte[] seed = new byte[32];
    Arrays.fill(seed, (byte) n);
    return Crypto.KeyPair.fromSeed(seed);
  }
}
