package io.wallance.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import io.wallance.web.PasswordHash;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The operator-side commands' argument and error handling, in-process (no network is started). */
class OperatorCommandsTest {

  @TempDir
  Path dir;

  @Test
  void statusTableShowsNodesAndNeutralisesControlCharacters() {
    JsonObject state = new JsonObject().put("net", "demo").put("quorum", 3).put("nodes", new JsonArray()
        .add(new JsonObject().put("id", "ab".repeat(32)).put("name", "pi1").put("online", true).put("balance", 2.4)
            .put("state", "cd".repeat(32)).put("ledgerDigest", "ef".repeat(32)).put("pending", 0).put("waiting", 1))
        .add(new JsonObject().put("id", "12".repeat(32)).put("name", "evil\u001b[2J").put("online", false)));

    String table = StatusCommand.render(state);

    assertThat(table).contains("network demo: 2 nodes, 1 online, quorum 3");
    assertThat(table).containsPattern("pi1\\s+yes\\s+2.4 DCoin\\s+cdcdcdcdcd…\\s+efefefefef…\\s+0\\s+1");
    assertThat(table).contains("evil?[2J").doesNotContain("\u001b");
  }

  @Test
  void statusListsNodesInNaturalNameOrder() {
    JsonArray nodes = new JsonArray();
    for (String name : new String[] {"pi10", "pi2", "pi1", "gateway"}) {
      nodes.add(new JsonObject().put("id", "00".repeat(32)).put("name", name).put("online", true));
    }

    String table = StatusCommand.render(new JsonObject().put("net", "demo").put("quorum", 3).put("nodes", nodes));

    assertThat(table.lines().skip(2).map(l -> l.split("\\s+")[0]).toList())
        .containsExactly("gateway", "pi1", "pi2", "pi10");
  }

  @Test
  void statusWithoutADashboardIsAOneLineError() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    CliRun run = CliRun.of("status", "--url", "http://127.0.0.1:" + port, "--password", "pw");

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err()).startsWith("error: cannot reach the dashboard").doesNotContain("Exception\n\tat");
  }

  @Test
  void statusRefusesANonHttpUrl() {
    CliRun run = CliRun.of("status", "--url", "ftp://x", "--password", "pw");

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err()).contains("--url must be https://HOST:PORT (or http:// for a dashboard without TLS), got ftp://x");
  }

  @Test
  void demoChecksItsArguments() {
    assertThat(CliRun.of("demo", "--nodes", "2").err()).contains("--nodes must be 3-16");
    assertThat(CliRun.of("demo", "--http-port", "0").exitCode()).isEqualTo(2);
    assertThat(CliRun.of("demo", "--password", "").exitCode()).isEqualTo(2);
  }

  @Test
  void demoRefusesABusyHttpPortClearly() throws Exception {
    try (ServerSocket busy = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      CliRun run = CliRun.of("demo", "--http-port", Integer.toString(busy.getLocalPort()));

      assertThat(run.exitCode()).isEqualTo(1);
      assertThat(run.err().strip()).isEqualTo("error: HTTP port " + busy.getLocalPort()
          + " on 127.0.0.1 is in use or not available (Address already in use)");
    }
  }

  @Test
  void dashboardWithAMissingConfigIsAClearError() {
    CliRun run = CliRun.of("dashboard", "--config", dir.resolve("web.json").toString());

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err().strip()).isEqualTo("error: config file " + dir.resolve("web.json") + " does not exist");
  }

  @Test
  void passwordHashHashesTheFirstLineOfStdin() {
    InputStream stdin = System.in;
    try {
      System.setIn(new ByteArrayInputStream("hunter2\nignored\n".getBytes(StandardCharsets.UTF_8)));
      CliRun run = CliRun.of("password-hash", "--iterations", "1000");

      assertThat(run.exitCode()).as(run.err()).isZero();
      PasswordHash hash = PasswordHash.parse(run.out().strip());
      assertThat(hash.matches("hunter2")).isTrue();
      assertThat(hash.iterations()).isEqualTo(1000);
    } finally {
      System.setIn(stdin);
    }
  }
}
