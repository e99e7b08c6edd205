package io.wallance.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.spi.cluster.NodeListener;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * Three real clustered Vert.x instances in this JVM, over loopback: two data members (A, B)
 * and a lite member (C). Started once for the class; the last test closes B.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ClusterFactoryIT {

  private static final long WAIT_SECONDS = 10;
  /** A unique name per run, so concurrent builds on this machine never join each other. */
  private static final String CLUSTER = "wallance-it-" + UUID.randomUUID().toString().substring(0, 8);

  private static HazelcastClusterManager managerA;
  private static HazelcastClusterManager managerB;
  private static HazelcastClusterManager managerC;
  private static Vertx a;
  private static Vertx b;
  private static Vertx c;
  private static final Set<String> addedSeenByA = ConcurrentHashMap.newKeySet();
  private static final CompletableFuture<String> leftSeenByA = new CompletableFuture<>();
  private static final CompletableFuture<String> leftSeenByC = new CompletableFuture<>();

  @BeforeAll
  static void startCluster() throws Exception {
    List<Integer> ports = LoopbackPorts.free(3);
    ClusterOptions optionsA = ClusterOptions.loopback(CLUSTER, ports, ports.get(0), false, 3);
    ClusterOptions optionsB = ClusterOptions.loopback(CLUSTER, ports, ports.get(1), false, 3);
    ClusterOptions optionsC = ClusterOptions.loopback(CLUSTER, ports, ports.get(2), true, 3);
    managerA = ClusterFactory.clusterManager(optionsA);
    managerB = ClusterFactory.clusterManager(optionsB);
    managerC = ClusterFactory.clusterManager(optionsC);

    // A first: a lite member alone cannot form a cluster.
    a = ClusterFactory.start(optionsA, managerA).await(30, TimeUnit.SECONDS);
    managerA.nodeListener(new NodeListener() {
      @Override
      public void nodeAdded(String nodeId) {
        addedSeenByA.add(nodeId);
      }

      @Override
      public void nodeLeft(String nodeId) {
        leftSeenByA.complete(nodeId);
      }
    });
    Future<Vertx> startB = ClusterFactory.start(optionsB, managerB);
    Future<Vertx> startC = ClusterFactory.start(optionsC, managerC);
    Future.all(startB, startC).await(30, TimeUnit.SECONDS);
    b = startB.result();
    c = startC.result();
    managerC.nodeListener(new NodeListener() {
      @Override
      public void nodeAdded(String nodeId) {
      }

      @Override
      public void nodeLeft(String nodeId) {
        leftSeenByC.complete(nodeId);
      }
    });
  }

  @AfterAll
  static void closeCluster() throws Exception {
    // The lite member first, then the data members, each bounded.
    for (Vertx vertx : new Vertx[] {c, b, a}) {
      if (vertx != null) {
        vertx.close().await(30, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  @Order(1)
  void everyMemberSeesAllThreeAndCIsALiteMember() throws Exception {
    for (HazelcastClusterManager manager : List.of(managerA, managerB, managerC)) {
      assertThat(manager.getNodes())
          .containsExactlyInAnyOrder(managerA.getNodeId(), managerB.getNodeId(), managerC.getNodeId());
    }
    assertThat(managerC.getHazelcastInstance().getCluster().getLocalMember().isLiteMember()).isTrue();
    assertThat(managerA.getHazelcastInstance().getCluster().getLocalMember().isLiteMember()).isFalse();
    assertThat(managerA.getHazelcastInstance().getCluster().getLocalMember().getAddress().getHost())
        .isEqualTo("127.0.0.1");
    awaitCondition(() -> addedSeenByA.containsAll(List.of(managerB.getNodeId(), managerC.getNodeId())));
  }

  @Test
  @Order(2)
  void aPublishReachesEveryOtherMember() throws Exception {
    CompletableFuture<JsonObject> atB = new CompletableFuture<>();
    CompletableFuture<JsonObject> atC = new CompletableFuture<>();
    MessageConsumer<JsonObject> consumerB = b.eventBus().consumer("test.broadcast", m -> atB.complete(m.body()));
    MessageConsumer<JsonObject> consumerC = c.eventBus().consumer("test.broadcast", m -> atC.complete(m.body()));
    // Registration must have reached the cluster before A looks the address up.
    Future.all(consumerB.completion(), consumerC.completion()).await(WAIT_SECONDS, TimeUnit.SECONDS);

    JsonObject reading = new JsonObject().put("author", "node-a").put("seq", 7).put("value", 21_350);
    a.eventBus().publish("test.broadcast", reading);

    assertThat(atB.get(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo(reading);
    assertThat(atC.get(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo(reading);
    Future.all(consumerB.unregister(), consumerC.unregister()).await(WAIT_SECONDS, TimeUnit.SECONDS);
  }

  @Test
  @Order(3)
  void requestAndReplyCrossMembersBothWays() throws Exception {
    MessageConsumer<JsonObject> onC = c.eventBus().consumer("test.echo.c", ClusterFactoryIT::echo);
    MessageConsumer<JsonObject> onB = b.eventBus().consumer("test.echo.b", ClusterFactoryIT::echo);
    Future.all(onC.completion(), onB.completion()).await(WAIT_SECONDS, TimeUnit.SECONDS);

    Message<JsonObject> fromC = a.eventBus()
        .<JsonObject>request("test.echo.c", new JsonObject().put("ask", "a->c"))
        .await(WAIT_SECONDS, TimeUnit.SECONDS);
    Message<JsonObject> fromB = c.eventBus()
        .<JsonObject>request("test.echo.b", new JsonObject().put("ask", "c->b"))
        .await(WAIT_SECONDS, TimeUnit.SECONDS);

    assertThat(fromC.body()).isEqualTo(new JsonObject().put("ask", "a->c").put("answered", true));
    assertThat(fromB.body()).isEqualTo(new JsonObject().put("ask", "c->b").put("answered", true));
    Future.all(onC.unregister(), onB.unregister()).await(WAIT_SECONDS, TimeUnit.SECONDS);
  }

  @Test
  @Order(4)
  void theOthersNoticeAMemberLeaving() throws Exception {
    String idB = managerB.getNodeId();

    b.close().await(30, TimeUnit.SECONDS);
    b = null;

    assertThat(leftSeenByA.get(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo(idB);
    assertThat(leftSeenByC.get(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo(idB);
    assertThat(managerA.getNodes()).containsExactlyInAnyOrder(managerA.getNodeId(), managerC.getNodeId());
  }

  private static void echo(Message<JsonObject> message) {
    message.reply(message.body().copy().put("answered", true));
  }

  private static void awaitCondition(java.util.function.BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
    while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(condition.getAsBoolean()).as("condition within " + WAIT_SECONDS + " s").isTrue();
  }

}
