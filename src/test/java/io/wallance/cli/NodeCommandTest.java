package io.wallance.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The node command's failures before anything joins a cluster: one clear line, exit 1. */
class NodeCommandTest {

  @TempDir
  Path dir;

  @Test
  void missingConfig() {
    CliRun run = CliRun.of("node", "--config", dir.resolve("node.json").toString());

    assertOneLineError(run, "node.json does not exist");
  }

  @Test
  void badConfig() throws Exception {
    Files.writeString(dir.resolve("node.json"), "{\"name\": \"pi1\"");

    assertOneLineError(CliRun.of("node", "--config", dir.resolve("node.json").toString()), "is not valid JSON");
  }

  @Test
  void missingKeyFile() throws Exception {
    writeConfig(5801);

    assertOneLineError(CliRun.of("node", "--config", dir.resolve("node.json").toString()),
        "pi1.key does not exist");
  }

  @Test
  void hazelcastPortInUse() throws Exception {
    Path keys = dir.resolve("keys");
    assertThat(CliRun.of("keygen", "--out", keys.toString(), "--name", "pi1").exitCode()).isZero();
    String pub = Files.readString(keys.resolve("pi1.pub")).strip();
    assertThat(CliRun.of("registry", "--operator-key", keys.resolve("pi1.key").toString(), "--net", "t",
        "--member", "pi1=" + pub, "--out", dir.resolve("registry.txt").toString()).exitCode()).isZero();
    try (ServerSocket taken = new ServerSocket()) {
      taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      writeConfig(taken.getLocalPort());

      assertOneLineError(CliRun.of("node", "--config", dir.resolve("node.json").toString()),
          "Hazelcast port 127.0.0.1:" + taken.getLocalPort() + " is already in use");
    }
  }

  private void writeConfig(int port) throws Exception {
    Files.writeString(dir.resolve("node.json"), """
        {"name": "pi1", "keyFile": "keys/pi1.key", "registryFile": "registry.txt", "dataDir": "data",
         "cluster": {"name": "t", "host": "127.0.0.1", "port": %d, "members": ["127.0.0.1:%d"]}}""".formatted(port, port));
  }

  private static void assertOneLineError(CliRun run, String expected) {
    assertThat(run.exitCode()).as(run.err()).isEqualTo(1);
    assertThat(run.err().lines().toList()).hasSize(1);
    assertThat(run.err()).startsWith("error: ").contains(expected).doesNotContain("Exception");
  }
}
