package io.wallance.web;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.wallance.cluster.ClusterOptions;
import io.wallance.config.ConfigException;
import io.wallance.fuzz.Corpus;
import io.wallance.fuzz.Generated;
import io.wallance.fuzz.Mutator;
import io.wallance.protocol.Registry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fuzzes the dashboard's config parser ({@link WebConfig#parse}) and its registry loading
 * ({@link WebConfig#loadRegistry}): any text is a valid config or a {@link ConfigException}
 * whose one line names the file; any registry file is the registry or a ConfigException.
 */
class WebConfigFuzzTest {
  private static final Path BASE = Path.of("/etc/wallance");
  private static final String SOURCE = "fuzz.json";
  private static Path dir;

  @BeforeAll
  static void createDir() throws IOException {
    dir = Files.createTempDirectory("wallance-web-fuzz");
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

  /** The parser's property, for any bytes (read as UTF-8, as the dashboard reads its file). */
  static void checkParse(byte[] input) {
    WebConfig c;
    try {
      c = WebConfig.parse(SOURCE, new String(input, StandardCharsets.UTF_8), BASE);
    } catch (ConfigException e) {
      assertThat(e.getMessage()).startsWith("config " + SOURCE).doesNotContain("\n", "\r");
      return;
    }
    for (Path p : List.of(c.registryFile(), c.operatorKeyFile(), c.passwordHashFile(), c.dataDir())) {
      assertThat(p).isAbsolute();
    }
    assertThat(c.httpPort()).isBetween(1, 65_535);
    assertThat(c.cluster().liteMember()).isTrue();
    assertThat(WebConfig.parse(SOURCE, c.toJson().encode(), BASE)).as("the config written back").isEqualTo(c);
  }

  /** The registry loader's property, for any registry file content. */
  static void checkRegistry(byte[] input) throws Exception {
    Path file = dir.resolve("registry.txt");
    Files.write(file, input);
    WebConfig c = new WebConfig(file, dir.resolve("k"), dir.resolve("p"), dir.resolve("data"), "127.0.0.1", 8080,
        ClusterOptions.loopback("fuzz", List.of(5701), 5701, true, 5));
    Registry r;
    try {
      r = c.loadRegistry();
    } catch (ConfigException e) {
      assertThat(e.getMessage()).startsWith("registry file " + file).doesNotContain("\n", "\r");
      return;
    }
    assertThat(r.epoch()).isEqualTo(1);
    r.validate();
  }

  @FuzzTest(maxDuration = "3m")
  void parse(byte[] input) {
    checkParse(input);
  }

  @FuzzTest(maxDuration = "3m")
  void registry(byte[] input) throws Exception {
    checkRegistry(input);
  }

  @Test
  void generatedConfigs() {
    Mutator m = new Mutator(Generated.seed(), Corpus.inputs(getClass(), "parse"), List.of("\"http\"", "\"cluster\"",
        "\"webroot\"", "\"registryUpdates\"", "\"members\"", "\"port\"", "null", "[]", "{}", "\\u0000", "1e9"));
    int ran = Generated.run("web config", Corpus.directory(getClass(), "parse"), 20_000, Duration.ofSeconds(6),
        r -> r.random().nextBoolean() ? r.nextJson() : r.next(), m, WebConfigFuzzTest::checkParse);
    assertThat(ran).isPositive();
  }

  @Test
  void generatedRegistries() {
    Mutator m = new Mutator(Generated.seed(), Corpus.inputs(getClass(), "registry"), List.of("member=", "operator=",
        "contract=", "quorum=", "signer=", "epoch=", ",", "\n", "0".repeat(64)));
    int ran = Generated.run("web registry", Corpus.directory(getClass(), "registry"), 3_000, Duration.ofSeconds(4),
        Mutator::next, m, WebConfigFuzzTest::checkRegistry);
    assertThat(ran).isPositive();
  }

  @Test
  void seedsAreCommitted() throws Exception {
    Corpus.checkSeeds(getClass(), "parse", configSeeds());
    Corpus.checkSeeds(getClass(), "registry", Map.of("genesis-4", TestRegistry.of(4).signed().wire()));
  }

  /** The shipped example and one config with every optional field. */
  static Map<String, byte[]> configSeeds() throws IOException {
    Map<String, byte[]> seeds = new LinkedHashMap<>();
    seeds.put("example", Files.readAllBytes(Path.of(System.getProperty("basedir", "."), "conf/web.example.json")));
    seeds.put("every-field", Generated.utf8("""
        {"registryFile": "r.txt", "registryUpdates": ["r2.txt"], "operatorKeyFile": "op.key",
         "passwordHashFile": "op.password", "dataDir": "web", "webroot": "../webroot",
         "http": {"host": "::1", "port": 65535},
         "cluster": {"name": "c", "host": "127.0.0.1", "port": 5805, "members": ["127.0.0.1:5801", "[::1]:5805"],
                     "eventBusPort": 0, "failureDetectionSeconds": 600}}
        """));
    return seeds;
  }
}
