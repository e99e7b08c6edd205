package io.wallance.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import io.vertx.core.VertxOptions;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The generated Hazelcast configuration; joining for real is in {@link ClusterFactoryIT}. */
class ClusterFactoryTest {

  private final ClusterOptions options = new ClusterOptions("fleet-a",
      List.of("10.0.0.1:5701", "10.0.0.2:5701", "10.0.0.3:5702"), "10.0.0.2", 5701, "10.0.0.2", 0, true, 5);

  @Test
  void joinsOnlyTheListedMembersOverTcp() {
    JoinConfig join = ClusterFactory.hazelcastConfig(options).getNetworkConfig().getJoin();

    assertThat(join.getMulticastConfig().isEnabled()).isFalse();
    assertThat(join.getAutoDetectionConfig().isEnabled()).isFalse();
    assertThat(join.getTcpIpConfig().isEnabled()).isTrue();
    assertThat(join.getTcpIpConfig().getMembers()).containsExactly("10.0.0.1:5701", "10.0.0.2:5701", "10.0.0.3:5702");
  }

  @Test
  void bindsTheConfiguredAddressAndPortOnly() {
    Config config = ClusterFactory.hazelcastConfig(options);

    assertThat(config.getClusterName()).isEqualTo("fleet-a");
    assertThat(config.isLiteMember()).isTrue();
    assertThat(config.getNetworkConfig().getPort()).isEqualTo(5701);
    assertThat(config.getNetworkConfig().isPortAutoIncrement()).isFalse();
    assertThat(config.getNetworkConfig().getInterfaces().isEnabled()).isTrue();
    assertThat(config.getNetworkConfig().getInterfaces().getInterfaces()).containsExactly("10.0.0.2");
    assertThat(config.getProperty("hazelcast.socket.bind.any")).isEqualTo("false");
    assertThat(config.getProperty("hazelcast.local.localAddress")).isEqualTo("10.0.0.2");
  }

  @Test
  void joinsFastDetectsFailuresInTimeAndNeverPhonesHome() {
    Config config = ClusterFactory.hazelcastConfig(options);

    assertThat(config.getProperty("hazelcast.wait.seconds.before.join")).isEqualTo("0");
    assertThat(config.getProperty("hazelcast.phone.home.enabled")).isEqualTo("false");
    assertThat(config.getProperty("hazelcast.max.no.heartbeat.seconds")).isEqualTo("5");
    assertThat(config.getProperty("hazelcast.heartbeat.interval.seconds")).isEqualTo("1");
    assertThat(config.getProperty("hazelcast.merge.first.run.delay.seconds")).isEqualTo("5");
    assertThat(config.getMetricsConfig().isEnabled()).as("Hazelcast's own metrics cost CPU for nothing").isFalse();
  }

  @Test
  void keepsTheMapsVertxNeeds() {
    Config config = ClusterFactory.hazelcastConfig(options);

    assertThat(config.getMultiMapConfigs()).containsKey("__vertx.subs");
    assertThat(config.getMapConfigs()).containsKeys("__vertx.haInfo", "__vertx.nodeInfo");
  }

  @Test
  void takesVertxPoolSizesFromSystemPropertiesAndRefusesNonPositiveOnes() {
    try {
      assertThat(ClusterFactory.poolSizes(new VertxOptions()).getWorkerPoolSize())
          .isEqualTo(VertxOptions.DEFAULT_WORKER_POOL_SIZE);
      System.setProperty(ClusterFactory.WORKERS_PROPERTY, "6");
      System.setProperty(ClusterFactory.EVENT_LOOPS_PROPERTY, " 2 ");
      System.setProperty(ClusterFactory.INTERNAL_BLOCKING_PROPERTY, "3");
      VertxOptions o = ClusterFactory.poolSizes(new VertxOptions());
      assertThat(o.getWorkerPoolSize()).isEqualTo(6);
      assertThat(o.getEventLoopPoolSize()).isEqualTo(2);
      assertThat(o.getInternalBlockingPoolSize()).isEqualTo(3);
      System.setProperty(ClusterFactory.WORKERS_PROPERTY, "0");
      assertThatThrownBy(() -> ClusterFactory.poolSizes(new VertxOptions()))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("-Dwallance.vertx.workerPoolSize must be a positive integer, got '0'");
    } finally {
      System.clearProperty(ClusterFactory.WORKERS_PROPERTY);
      System.clearProperty(ClusterFactory.EVENT_LOOPS_PROPERTY);
      System.clearProperty(ClusterFactory.INTERNAL_BLOCKING_PROPERTY);
    }
  }
}
