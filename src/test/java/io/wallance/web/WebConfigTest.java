package io.wallance.web;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.wallance.config.ConfigException;
import io.wallance.protocol.Crypto;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WebConfigTest {

  @TempDir
  Path dir;

  private static JsonObject valid() {
    return new JsonObject()
        .put("registryFile", "registry.txt")
        .put("operatorKeyFile", "keys/operator.key")
        .put("passwordHashFile", "operator.password")
        .put("dataDir", "data/web")
        .put("http", new JsonObject().put("host", "127.0.0.1").put("port", 8080))
        .put("cluster", new JsonObject().put("name", "wallance-demo").put("host", "127.0.0.1").put("port", 5805)
            .put("members", new JsonArray().add("127.0.0.1:5801").add("127.0.0.1:5805")).put("eventBusPort", 0)
            .put("failureDetectionSeconds", 5));
  }

  private Path write(JsonObject json) throws Exception {
    Path file = dir.resolve("web.json");
    Files.writeString(file, json.encodePrettily(), StandardCharsets.UTF_8);
    return file;
  }

  private void assertRefused(Consumer<JsonObject> edit, String message) throws Exception {
    JsonObject json = valid();
    edit.accept(json);
    Path file = write(json);
    assertThatThrownBy(() -> WebConfig.load(file)).isInstanceOf(ConfigException.class)
        .hasMessageContaining(file.toString()).hasMessageContaining(message);
  }

  @Test
  void readsAValidFileAndResolvesPathsAgainstItsDirectory() throws Exception {
    WebConfig c = WebConfig.load(write(valid()));

    assertThat(c.registryFile()).isEqualTo(dir.resolve("registry.txt"));
    assertThat(c.operatorKeyFile()).isEqualTo(dir.resolve("keys/operator.key"));
    assertThat(c.dataDir()).isEqualTo(dir.resolve("data/web"));
    assertThat(c.httpHost()).isEqualTo("127.0.0.1");
    assertThat(c.httpPort()).isEqualTo(8080);
    assertThat(c.cluster().liteMember()).isTrue();
    assertThat(c.cluster().hazelcastPort()).isEqualTo(5805);
    assertThat(c.cluster().members()).containsExactly("127.0.0.1:5801", "127.0.0.1:5805");
    assertThat(c.cluster().failureDetectionSeconds()).isEqualTo(5);
  }

  @Test
  void toJsonRoundTrips() throws Exception {
    WebConfig c = WebConfig.load(write(valid()));

    assertThat(WebConfig.load(write(c.toJson()))).isEqualTo(c);
  }

  @Test
  void optionalClusterFieldsDefault() throws Exception {
    JsonObject json = valid();
    json.getJsonObject("cluster").remove("eventBusPort");
    json.getJsonObject("cluster").remove("failureDetectionSeconds");

    WebConfig c = WebConfig.load(write(json));

    assertThat(c.cluster().eventBusPort()).isZero();
    assertThat(c.cluster().failureDetectionSeconds()).isEqualTo(10);
  }

  @Test
  void sessionExpiryDefaultsAndIsRead() throws Exception {
    assertThat(WebConfig.load(write(valid())).sessions()).isEqualTo(WebConfig.Sessions.defaults());
    assertThat(WebConfig.Sessions.defaults()).isEqualTo(new WebConfig.Sessions(1_800_000, 43_200_000));
    JsonObject json = valid().put("session", new JsonObject().put("idleSeconds", 60).put("absoluteSeconds", 3600));
    WebConfig c = WebConfig.load(write(json));
    assertThat(c.sessions()).isEqualTo(new WebConfig.Sessions(60_000, 3_600_000));
    assertThat(WebConfig.load(write(c.toJson()))).isEqualTo(c);
    assertThat(WebConfig.load(write(valid().put("session", new JsonObject().put("idleSeconds", 90)))).sessions())
        .isEqualTo(new WebConfig.Sessions(90_000, 43_200_000));
    assertRefused(j -> j.put("session", new JsonObject().put("idleSeconds", 0)), "field 'session.idleSeconds' must be between 1 and 604800, got 0");
    assertRefused(j -> j.put("session", new JsonObject().put("absoluteSeconds", "1h")),
        "field 'session.absoluteSeconds' must be an integer");
    assertRefused(j -> j.put("session", new JsonObject().put("idle", 5)), "unknown field 'session.idle'");
  }

  @Test
  void refusesUnknownFields() throws Exception {
    assertRefused(j -> j.put("htpp", 1), "unknown field 'htpp'");
    assertRefused(j -> j.getJsonObject("http").put("tls", true), "unknown field 'http.tls'");
  }

  @Test
  void refusesMissingFields() throws Exception {
    assertRefused(j -> j.remove("registryFile"), "field 'registryFile' is missing");
    assertRefused(j -> j.getJsonObject("http").remove("port"), "field 'http.port' is missing");
    assertRefused(j -> j.remove("cluster"), "field 'cluster' is missing");
  }

  @Test
  void refusesWrongTypesAndRanges() throws Exception {
    assertRefused(j -> j.getJsonObject("http").put("port", "8080"), "field 'http.port' must be an integer");
    assertRefused(j -> j.getJsonObject("http").put("port", 70_000), "field 'http.port' must be between 1 and 65535, got 70000");
    assertRefused(j -> j.put("dataDir", 3), "field 'dataDir' must be a string");
    assertRefused(j -> j.put("http", "127.0.0.1:8080"), "field 'http' must be an object");
    assertRefused(j -> j.getJsonObject("cluster").put("members", "127.0.0.1:5801"), "field 'cluster.members' must be a list");
  }

  @Test
  void refusesABadClusterWithTheReason() throws Exception {
    assertRefused(j -> j.getJsonObject("cluster").put("members", new JsonArray().add("127.0.0.1:5801-5805")),
        "port range");
    assertRefused(j -> j.getJsonObject("cluster").put("host", "localhost"), "bindHost must be an IP address");
  }

  @Test
  void refusesTextThatIsNotAJsonObject() throws Exception {
    Path file = dir.resolve("web.json");
    Files.writeString(file, "{\"http\": ");
    assertThatThrownBy(() -> WebConfig.load(file)).isInstanceOf(ConfigException.class).hasMessageContaining("is not valid JSON");
    Files.writeString(file, "[1]");
    assertThatThrownBy(() -> WebConfig.load(file)).isInstanceOf(ConfigException.class).hasMessageContaining("one JSON object");
  }

  @Test
  void aMissingFileIsAClearError() {
    assertThatThrownBy(() -> WebConfig.load(dir.resolve("nope.json"))).isInstanceOf(ConfigException.class)
        .hasMessageContaining("nope.json does not exist");
  }

  @Test
  void loadsTheRegistryKeyAndPassword() throws Exception {
    TestRegistry net = TestRegistry.of(4);
    Files.writeString(dir.resolve("registry.txt"), net.signed().wireText());
    Files.createDirectories(dir.resolve("keys"));
    Files.writeString(dir.resolve("keys/operator.key"), Crypto.hex(net.operator().seed()) + "\n");
    PasswordHash hash = PasswordHash.create("pw", 1_000);
    Files.writeString(dir.resolve("operator.password"), hash.line() + "\n");
    WebConfig c = WebConfig.load(write(valid()));

    assertThat(c.loadRegistry()).isEqualTo(net.registry());
    assertThat(c.loadOperatorKey(net.registry()).id()).isEqualTo(net.operator().id());
    assertThat(c.loadPasswordHash()).isEqualTo(hash);
  }

  @Test
  void missingOrWrongKeyFilesAreClearErrors() throws Exception {
    TestRegistry net = TestRegistry.of(4);
    WebConfig c = WebConfig.load(write(valid()));

    assertThatThrownBy(() -> c.loadRegistry()).isInstanceOf(ConfigException.class)
        .hasMessageContaining("registry file").hasMessageContaining("does not exist");
    assertThatThrownBy(() -> c.loadOperatorKey(net.registry())).isInstanceOf(ConfigException.class)
        .hasMessageContaining("operator key file").hasMessageContaining("does not exist");
    assertThatThrownBy(() -> c.loadPasswordHash()).isInstanceOf(ConfigException.class)
        .hasMessageContaining("password hash file").hasMessageContaining("does not exist");

    Files.createDirectories(dir.resolve("keys"));
    Files.writeString(dir.resolve("keys/operator.key"), "not hex\n");
    assertThatThrownBy(() -> c.loadOperatorKey(net.registry())).hasMessageContaining("64 hex digits");
    Files.writeString(dir.resolve("keys/operator.key"), Crypto.hex(net.members().get(0).seed()));
    assertThatThrownBy(() -> c.loadOperatorKey(net.registry())).hasMessageContaining("is not an operator");
    Files.writeString(dir.resolve("operator.password"), "hunter2\n");
    assertThatThrownBy(() -> c.loadPasswordHash()).hasMessageContaining("password-hash command");
  }

  @Test
  void aRegistryWithABadSignatureIsRefused() throws Exception {
    TestRegistry net = TestRegistry.of(4);
    String wire = net.signed().wireText();
    int sig = wire.indexOf("sig=") + 4;
    String forged = wire.substring(0, sig) + (wire.charAt(sig) == '0' ? '1' : '0') + wire.substring(sig + 1);
    Files.writeString(dir.resolve("registry.txt"), forged);
    WebConfig c = WebConfig.load(write(valid()));

    assertThatThrownBy(() -> c.loadRegistry()).isInstanceOf(ConfigException.class)
        .hasMessageContaining("signature does not verify");
  }
}
