package io.wallance.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ClusterOptionsTest {

  private static ClusterOptions withMembers(List<String> members) {
    return new ClusterOptions("fleet", members, "192.168.1.21", 5701, "192.168.1.21", 0, false, 10);
  }

  @Test
  void acceptsALanConfiguration() {
    ClusterOptions options = new ClusterOptions("wallance-home",
        List.of("192.168.1.21:5701", "192.168.1.22:5701", "pi-3.lan:5701", "[fe80::1]:5701"),
        "192.168.1.21", 5701, "192.168.1.21", 5702, false, 10);
    assertThat(options.members()).hasSize(4);
  }

  @Test
  void refusesPortRangesWithTheReason() {
    assertThatThrownBy(() -> withMembers(List.of("127.0.0.1:5701-5720")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("127.0.0.1:5701-5720").hasMessageContaining("port range");
  }

  @Test
  void refusesMalformedMembers() {
    for (String member : List.of("127.0.0.1", ":5701", "127.0.0.1:", "127.0.0.1:0", "127.0.0.1:70000",
        "fe80::1:5701", "host:port", "a b:5701")) {
      assertThatThrownBy(() -> withMembers(List.of(member))).as(member)
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(member);
    }
    assertThatThrownBy(() -> withMembers(List.of())).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void refusesBadNamesHostsPortsAndTimeouts() {
    assertThatThrownBy(() -> new ClusterOptions("two words", List.of("127.0.0.1:5701"), "127.0.0.1", 5701,
        "127.0.0.1", 0, false, 10)).hasMessageContaining("clusterName");
    assertThatThrownBy(() -> new ClusterOptions("c", List.of("127.0.0.1:5701"), "localhost", 5701,
        "127.0.0.1", 0, false, 10)).hasMessageContaining("bindHost");
    assertThatThrownBy(() -> new ClusterOptions("c", List.of("127.0.0.1:5701"), "300.1.1.1", 5701,
        "127.0.0.1", 0, false, 10)).hasMessageContaining("bindHost");
    assertThatThrownBy(() -> new ClusterOptions("c", List.of("127.0.0.1:5701"), "127.0.0.1", 0,
        "127.0.0.1", 0, false, 10)).hasMessageContaining("hazelcastPort");
    assertThatThrownBy(() -> new ClusterOptions("c", List.of("127.0.0.1:5701"), "127.0.0.1", 5701,
        "127.0.0.1", -1, false, 10)).hasMessageContaining("eventBusPort");
    assertThatThrownBy(() -> new ClusterOptions("c", List.of("127.0.0.1:5701"), "127.0.0.1", 5701,
        "127.0.0.1", 0, false, 1)).hasMessageContaining("failureDetectionSeconds");
  }

  @Test
  void loopbackListsEveryPortOnce() {
    ClusterOptions options = ClusterOptions.loopback("t-1", List.of(5801, 5802, 5803), 5802, true, 3);

    assertThat(options.members()).containsExactly("127.0.0.1:5801", "127.0.0.1:5802", "127.0.0.1:5803");
    assertThat(options.hazelcastPort()).isEqualTo(5802);
    assertThat(options.bindHost()).isEqualTo("127.0.0.1");
    assertThat(options.eventBusHost()).isEqualTo("127.0.0.1");
    assertThat(options.eventBusPort()).isZero();
    assertThat(options.liteMember()).isTrue();
    assertThatThrownBy(() -> ClusterOptions.loopback("t-1", List.of(5801), 5802, false, 3))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
