package io.wallance.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Gauge;
import io.vertx.core.Vertx;
import io.wallance.cluster.ClusterOptions;
import io.wallance.metrics.Observability;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The web verticle's fleet meters belong to the verticle: they are gone when it stops, and the
 * next web verticle of the same process registers its own (they never read a stopped one's state).
 */
class WebObservabilityTest {
  private static final TestRegistry NET = TestRegistry.of(5);

  @Test
  void aStoppedWebVerticleTakesItsMetersAlongAndTheNextRegistersItsOwn() throws Exception {
    Path dir = Files.createTempDirectory("wallance-webobs");
    Vertx vertx = Vertx.vertx();
    try {
      WebConfig config = new WebConfig(dir.resolve("r"), dir.resolve("k"), dir.resolve("p"), dir.resolve("data"),
          "127.0.0.1", 0, ClusterOptions.loopback("unused", List.of(5701), 5701, true, 5));
      String first = vertx.deployVerticle(new WebVerticle(config, NET.registry(), NET.operator(),
          PasswordHash.create("pw", 1_000))).await(20, TimeUnit.SECONDS);
      assertThat(members()).isEqualTo(5.0);
      int agreement = Observability.registry().find("wallance.ledger.digest.agreement").gauges().size();
      assertThat(agreement).isEqualTo(5);

      vertx.undeploy(first).await(20, TimeUnit.SECONDS);
      assertThat(Observability.registry().find("wallance.fleet.members").gauge()).as("gone with its verticle")
          .isNull();
      assertThat(Observability.registry().find("wallance.ledger.digest.agreement").gauges()).isEmpty();

      vertx.deployVerticle(new WebVerticle(config, NET.registry(), NET.operator(), PasswordHash.create("pw", 1_000)))
          .await(20, TimeUnit.SECONDS);
      assertThat(members()).as("the next verticle's own gauge").isEqualTo(5.0);
      assertThat(Observability.registry().find("wallance.ledger.digest.agreement").gauges()).hasSize(5);
    } finally {
      vertx.close().await(20, TimeUnit.SECONDS);
    }
    assertThat(Observability.registry().find("wallance.fleet.members").gauge()).as("closing Vert.x stops it too")
        .isNull();
  }

  private static double members() {
    Gauge g = Observability.registry().find("wallance.fleet.members").gauge();
    assertThat(g).isNotNull();
    return g.value();
  }
}
