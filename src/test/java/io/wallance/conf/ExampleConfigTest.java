package io.wallance.conf;

import static org.assertj.core.api.Assertions.assertThat;

import io.wallance.node.NodeConfig;
import io.wallance.web.WebConfig;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The example files in {@code conf/} are valid for the real, strict config readers. */
class ExampleConfigTest {

  @Test
  void thePiExampleIsAValidNodeConfig() throws Exception {
    NodeConfig c = NodeConfig.load(Path.of("conf/node.example.json"));
    assertThat(c.name()).isEqualTo("pi1");
    assertThat(c.keyFile()).isEqualTo(Path.of("conf/keys/pi1.key").toAbsolutePath().normalize());
  }

  @Test
  void theLoopbackExampleIsAValidNodeConfig() throws Exception {
    NodeConfig c = NodeConfig.load(Path.of("conf/node.loopback.example.json"));
    assertThat(c.dataDir()).isEqualTo(Path.of("conf/data/pi1").toAbsolutePath().normalize());
  }

  @Test
  void theDashboardExampleIsAValidWebConfig() {
    WebConfig c = WebConfig.load(Path.of("conf/web.example.json"));
    assertThat(c.httpPort()).isEqualTo(8080);
  }
}
