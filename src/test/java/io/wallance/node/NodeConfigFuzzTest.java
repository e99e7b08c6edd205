package io.wallance.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.wallance.config.ConfigException;
import io.wallance.fuzz.Corpus;
import io.wallance.fuzz.Generated;
import io.wallance.fuzz.Mutator;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes the node's config parser ({@link NodeConfig#parse}): any text is either a valid
 * config (absolute paths, values in range) or a {@link ConfigException} whose one
 * line names the file; no other exception escapes.
 */
class NodeConfigFuzzTest {
  private static final Path BASE = Path.of("/etc/wallance");
  private static final String SOURCE = "fuzz.json";

  /** The property, for any bytes (read as UTF-8, as the node reads its file). */
  static void check(byte[] input) {
    NodeConfig c;
    try {
      c = NodeConfig.parse(new String(input, StandardCharsets.UTF_8), BASE, SOURCE);
    } catch (ConfigException e) {
      assertThat(e.getMessage()).startsWith("config " + SOURCE).doesNotContain("\n", "\r");
      return;
    }
    assertThat(c.name()).matches("[A-Za-z0-9_.-]{1,32}");
    for (Path p : List.of(c.keyFile(), c.registryFile(), c.dataDir())) {
      assertThat(p).isAbsolute();
    }
    c.registryUpdates().forEach(p -> assertThat(p).isAbsolute());
    assertThat(c.cluster().hazelcastPort()).isBetween(1, 65_535);
    assertThat(c.sensor().periodMillis()).isBetween(100L, 3_600_000L);
    assertThat(c.rateLimit().burst()).isBetween(1, 1_000_000);
    if (c.metrics() != null) {
      assertThat(c.metrics().port()).isBetween(1, 65_535);
    }
  }

  @FuzzTest(maxDuration = "3m")
  void parse(byte[] input) {
    check(input);
  }

  @Test
  void generatedInputs() {
    Mutator m = new Mutator(Generated.seed(), Corpus.inputs(getClass(), "parse"), List.of("\"name\"", "\"keyFile\"",
        "\"cluster\"", "\"sensor\"", "\"members\"", "\"port\"", "\"metrics\"", "\"store\"", "null", "[]", "{}", "\\u0000",
        "1e9", "-0", "\"\\ud800\""));
    int ran = Generated.run("node config", Corpus.directory(getClass(), "parse"), 20_000, Duration.ofSeconds(8),
        r -> r.random().nextBoolean() ? r.nextJson() : r.next(), m, NodeConfigFuzzTest::check);
    assertThat(ran).isPositive();
  }

  @Test
  void seedsAreCommitted() throws Exception {
    Corpus.checkSeeds(getClass(), "parse", seeds());
  }

  /** The shipped examples and one config with every optional field. */
  static Map<String, byte[]> seeds() throws Exception {
    Map<String, byte[]> seeds = new LinkedHashMap<>();
    Path conf = Path.of(System.getProperty("basedir", "."), "conf");
    seeds.put("example", Files.readAllBytes(conf.resolve("node.example.json")));
    seeds.put("loopback-example", Files.readAllBytes(conf.resolve("node.loopback.example.json")));
    seeds.put("every-field", Generated.utf8("""
        {"name": "pi-2", "keyFile": "k/pi2.key", "registryFile": "registry.txt", "dataDir": "data",
         "contractsDir": "contracts", "registryUpdates": ["registry-2.txt", "../r3.txt"],
         "sensor": {"kind": "virtual", "periodMillis": 100, "randomPeriod": false, "thermalPath": "t"},
         "cluster": {"name": "c", "host": "::1", "port": 5701, "members": ["[::1]:5701", "127.0.0.1:5702"],
                     "eventBusPort": 0, "failureDetectionSeconds": 2},
         "rateLimit": {"burst": 1, "perSecond": 1000000},
         "store": {"sync": "full"}, "metrics": {"host": "127.0.0.1", "port": 9100}}
        """));
    return seeds;
  }
}
