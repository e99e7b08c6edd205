package io.wallance.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wallance.config.ConfigException;
import io.wallance.sensor.SensorKind;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeConfigTest {

  private static final String CLUSTER = """
      "cluster": {"name": "wallance-demo", "host": "127.0.0.1", "port": 5801,
                  "members": ["127.0.0.1:5801", "127.0.0.1:5802"], "eventBusPort": 0, "failureDetectionSeconds": 5}""";

  @TempDir
  Path dir;

  @Test
  void readsTheDocumentedExampleWithPathsRelativeToTheFile() throws Exception {
    Path file = write("""
        {"name": "pi1", "keyFile": "keys/pi1.key", "registryFile": "registry.txt", "dataDir": "data/pi1",
         "contractsDir": null,
         "sensor": {"kind": "virtual", "periodMillis": 500, "randomPeriod": false,
                    "thermalPath": "/sys/class/thermal/thermal_zone0/temp"},
        %s}""".formatted(CLUSTER));

    NodeConfig config = NodeConfig.load(file);

    assertThat(config.name()).isEqualTo("pi1");
    assertThat(config.keyFile()).isEqualTo(dir.resolve("keys/pi1.key"));
    assertThat(config.registryFile()).isEqualTo(dir.resolve("registry.txt"));
    assertThat(config.dataDir()).isEqualTo(dir.resolve("data/pi1"));
    assertThat(config.contractsDir()).isNull();
    assertThat(config.sensor().periodMillis()).isEqualTo(500);
    assertThat(config.sensor().randomPeriod()).isFalse();
    assertThat(config.cluster().hazelcastPort()).isEqualTo(5801);
    assertThat(config.cluster().members()).containsExactly("127.0.0.1:5801", "127.0.0.1:5802");
    assertThat(config.cluster().failureDetectionSeconds()).isEqualTo(5);
    assertThat(config.cluster().liteMember()).isFalse();
    assertThat(config.rateLimit()).isEqualTo(NodeConfig.RateLimit.defaults());
    assertThat(config.registryUpdates()).isEmpty();
    assertThat(config.storeSync()).isEqualTo(io.wallance.store.StoreOptions.Sync.NORMAL);
    assertThat(config.crashAt()).isNull(); // no -Dwallance.crashAt in unit tests
  }

  @Test
  void theMetricsServerIsOptionalAndStrict() throws Exception {
    assertThat(NodeConfig.load(write("""
        {"name": "pi1", "keyFile": "k", "registryFile": "r", "dataDir": "d", %s}""".formatted(CLUSTER))).metrics())
        .isNull();
    NodeConfig config = NodeConfig.load(write("""
        {"name": "pi1", "keyFile": "k", "registryFile": "r", "dataDir": "d",
         "metrics": {"host": "192.168.1.21", "port": 9464}, %s}""".formatted(CLUSTER)));
    assertThat(config.metrics()).isEqualTo(new NodeConfig.Metrics("192.168.1.21", 9464));
    assertThat(config.withCrashAt(null).metrics()).isEqualTo(config.metrics());
    assertError("""
        {"name": "pi1", "keyFile": "k", "registryFile": "r", "dataDir": "d", "metrics": {"port": 9464}, %s}"""
        .formatted(CLUSTER), "field 'metrics.host' is missing");
    assertError("""
        {"name": "pi1", "keyFile": "k", "registryFile": "r", "dataDir": "d",
         "metrics": {"host": "h", "port": 70000}, %s}""".formatted(CLUSTER), "field 'metrics.port' must be between");
    assertError("""
        {"name": "pi1", "keyFile": "k", "registryFile": "r", "dataDir": "d",
         "metrics": {"host": "h", "port": 1, "path": "/m"}, %s}""".formatted(CLUSTER), "unknown field 'metrics.path'");
  }

  @Test
  void theHealthAddressReplacesTheMetricsBlockAndKeepsTls() throws Exception {
    // node --health (the Ansible roles) replaces the metrics block: the node must keep its TLS
    // (mutual TLS on the event bus, HTTPS for that server), not fall back to plain.
    io.wallance.tls.ProjectCa ca = io.wallance.tls.ProjectCa.create("cfg", 30);
    ca.write(dir.resolve("tls"));
    ca.issue("pi1", java.util.List.of("127.0.0.1"), 30).write(dir.resolve("tls"), "pi1");
    NodeConfig config = NodeConfig.load(write("""
        {"name": "pi1", "keyFile": "k", "registryFile": "r", "dataDir": "d",
         "tls": {"ca": "tls/ca.crt", "cert": "tls/pi1.crt", "key": "tls/pi1.key"}, %s}""".formatted(CLUSTER)));
    assertThat(config.tls()).isNotNull();
    NodeConfig health = config.withMetrics(new NodeConfig.Metrics("127.0.0.1", 8081));
    assertThat(health.metrics()).isEqualTo(new NodeConfig.Metrics("127.0.0.1", 8081));
    assertThat(health.tls()).isEqualTo(config.tls());
    assertThat(health.withCrashAt(null).tls()).isEqualTo(config.tls());
  }

  @Test
  void registryUpdatesAndTheStoreSyncPolicyAreRead() throws Exception {
    NodeConfig config = NodeConfig.load(write("""
        {"name": "pi5", "keyFile": "k", "registryFile": "registry.txt", "registryUpdates": ["registry-2.txt"],
         "dataDir": "d", "store": {"sync": "full"}, %s}""".formatted(CLUSTER)));

    assertThat(config.registryUpdates()).containsExactly(dir.resolve("registry-2.txt"));
    assertThat(config.storeSync()).isEqualTo(io.wallance.store.StoreOptions.Sync.FULL);
    assertError("""
        {"name": "pi1", "keyFile": "k", "registryFile": "r", "dataDir": "d", "store": {"sync": "sometimes"},
         %s}""".formatted(CLUSTER), "field 'store.sync' must be \"normal\" or \"full\"");
    assertError("""
        {"name": "pi1", "keyFile": "k", "registryFile": "r", "dataDir": "d", "registryUpdates": [3], %s}"""
        .formatted(CLUSTER), "field 'registryUpdates' must be a list of file names");
    assertThat(CrashPoint.parse("vote-persisted")).isEqualTo(CrashPoint.VOTE_PERSISTED);
    assertThat(CrashPoint.parse(null)).isNull();
    assertThatThrownBy(() -> CrashPoint.parse("never")).hasMessageContaining("unknown crash point 'never'");
  }

  @Test
  void defaultsAreThePrototypesVirtualSensorAtARandomPeriod() throws Exception {
    NodeConfig config = NodeConfig.load(write("""
        {"name": "pi1", "keyFile": "/k", "registryFile": "/r", "dataDir": "/d", %s}""".formatted(CLUSTER)));

    assertThat(config.sensor().options().kind()).isEqualTo(SensorKind.VIRTUAL);
    assertThat(config.sensor().randomPeriod()).isTrue();
    assertThat(config.keyFile()).isEqualTo(Path.of("/k"));
  }

  @Test
  void errorsNameTheFileAndTheField() throws Exception {
    assertError("""
        {"name": "pi1", "keyFile": "k", "registryFile": "r", "dataDir": "d", "colour": 1, %s}""".formatted(CLUSTER),
        "unknown field 'colour'");
    assertError("""
        {"name": "pi1", "registryFile": "r", "dataDir": "d", %s}""".formatted(CLUSTER), "field 'keyFile' is missing");
    assertError("""
        {"name": "pi1", "keyFile": "k", "registryFile": "r", "dataDir": "d",
         "sensor": {"periodMillis": "fast"}, %s}""".formatted(CLUSTER), "field 'sensor.periodMillis' must be an integer");
    assertError("""
        {"name": "pi1", "keyFile": "k", "registryFile": "r", "dataDir": "d",
         "sensor": {"kind": "sonar"}, %s}""".formatted(CLUSTER), "field 'sensor.kind' unknown sensor kind");
    assertError("""
        {"name": "pi1", "keyFile": "k", "registryFile": "r", "dataDir": "d",
         "cluster": {"name": "x", "host": "127.0.0.1", "port": 5801, "members": ["127.0.0.1:5801-5803"]}}""",
        "cluster: member '127.0.0.1:5801-5803'");
    assertError("""
        {"name": "pi1", "keyFile": "k", "registryFile": "r", "dataDir": "d",
         "cluster": {"name": "x", "host": "127.0.0.1", "port": 99999, "members": []}}""",
        "field 'cluster.port' must be between 1 and 65535");
    assertError("{\"name\": ", "is not valid JSON");
    assertThatThrownBy(() -> NodeConfig.load(dir.resolve("missing.json")))
        .hasMessageContaining("missing.json does not exist");
  }

  private void assertError(String json, String expected) throws Exception {
    Path file = write(json);
    assertThatThrownBy(() -> NodeConfig.load(file))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining(expected);
  }

  private Path write(String json) throws Exception {
    Path file = dir.resolve("node.json");
    Files.writeString(file, json);
    return file;
  }
}
