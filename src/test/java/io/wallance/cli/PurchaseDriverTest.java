package io.wallance.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.wallance.cluster.Addresses;
import io.wallance.protocol.Codec;
import io.wallance.protocol.Command;
import io.wallance.protocol.Crypto;
import io.wallance.protocol.Signed;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The shared workload driver of bench and chaos over a real (local) Vert.x event bus: the
 * {@code buy} commands it signs and sends, and what it makes of the observer events.
 */
class PurchaseDriverTest {
  private static final Addresses ADDRESSES = new Addresses("test");
  private static final Crypto.KeyPair OPERATOR = key(9);
  private static final List<String> NODES = List.of("a".repeat(64), "b".repeat(64), "c".repeat(64));

  private Vertx vertx;
  private final Map<String, List<Signed<Command>>> commands = new ConcurrentHashMap<>();

  private static Crypto.KeyPair key(int n) {
    byte[] seed = new byte[32];
    java.util.Arrays.fill(seed, (byte) n);
    return Crypto.KeyPair.fromSeed(seed);
  }

  @BeforeEach
  void nodes() throws Exception {
    vertx = Vertx.vertx();
    for (String node : NODES) {
      commands.put(node, new CopyOnWriteArrayList<>());
      vertx.eventBus().<String>consumer(ADDRESSES.command(node), m -> {
        try {
          commands.get(node).add(Codec.decode(m.body().getBytes(java.nio.charset.StandardCharsets.US_ASCII),
              Command.class));
          // The third node refuses, as a node whose store failed does.
          if (node.equals(NODES.get(2))) {
            m.fail(503, "UNAVAILABLE: store failed");
          } else {
            m.reply(new JsonObject().put("purchase", 1));
          }
        } catch (Exception e) {
          m.fail(400, e.getMessage());
        }
      }).completion().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  @AfterEach
  void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private void publish(JsonObject event) {
    vertx.eventBus().publish(ADDRESSES.events(), event);
  }

  private static JsonObject finalized(String node, String request, String buyer, String oldState, String newState) {
    return new JsonObject().put("type", "finalized").put("node", node).put("request", request).put("buyer", buyer)
        .put("oldState", oldState).put("newState", newState).put("balanceAfter", 3).put("latencyMs", 40);
  }

  private static void await(java.util.function.BooleanSupplier condition) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean() && System.nanoTime() < end) {
      Thread.sleep(10);
    }
    assertThat(condition.getAsBoolean()).isTrue();
  }

  @Test
  void chaosKeepsOnePurchasePerNodeAndChecksFinality() throws Exception {
    ChaosWorkload w = new ChaosWorkload(vertx, ADDRESSES, OPERATOR, "test", NODES, "Bench");
    w.listen().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    w.tick();
    assertThat(w.attempted()).as("not started: nothing sent").isZero();
    w.start();
    w.tick();
    w.tick(); // every node has one in flight: nothing more
    await(() -> w.accepted() == 2 && w.errors().size() == 1);
    assertThat(w.attempted()).isEqualTo(3);
    assertThat(commands.get(NODES.get(0))).hasSize(1);
    Command c = commands.get(NODES.get(0)).get(0).body();
    assertThat(c.action()).isEqualTo(Command.Action.BUY);
    assertThat(commands.get(NODES.get(0)).get(0).verifies()).isTrue();
    assertThat(w.errors()).containsOnlyKeys("UNAVAILABLE: store failed");

    String a = NODES.get(0);
    String req = "1".repeat(64);
    publish(new JsonObject().put("type", "request").put("node", a).put("request", req).put("buyer", a));
    for (String n : NODES) {
      publish(finalized(n, req, a, "0".repeat(64), "2".repeat(64)));
    }
    await(() -> w.finalizedEverywhere() == 1);
    assertThat(w.finalizedByBuyer()).isEqualTo(1);
    assertThat(w.finalsByNode()).containsValues(1L, 1L, 1L);
    assertThat(w.inFlight()).as("a's purchase is final; c's was refused and waits for its retry").isEqualTo(2);
    assertThat(w.conflicts()).isEmpty();
    // A second new state for the same wallet state is conflicting finality.
    publish(finalized(NODES.get(1), "3".repeat(64), a, "0".repeat(64), "4".repeat(64)));
    await(() -> !w.conflicts().isEmpty());
    w.stop();
    assertThat(w.awaitBelow(3, System.nanoTime() + 1_000_000)).isTrue();
  }

  @Test
  void benchSendsToTheLeastBusyNodeAndMeasuresFinalEverywhere() throws Exception {
    BenchDriver d = new BenchDriver(vertx, ADDRESSES, OPERATOR, "test", NODES.subList(0, 2), "Bench");
    d.listen().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    d.startCounting();
    for (int i = 0; i < 4; i++) {
      d.submit();
    }
    await(() -> commands.get(NODES.get(0)).size() == 2 && commands.get(NODES.get(1)).size() == 2);
    assertThat(d.inFlight()).isEqualTo(4);
    assertThat(d.awaitBelow(4, System.nanoTime() + 50_000_000L)).as("still 4 in flight").isFalse();
    String buyer = NODES.get(1);
    String req = "5".repeat(64);
    publish(new JsonObject().put("type", "request").put("node", buyer).put("request", req).put("buyer", buyer));
    publish(finalized(NODES.get(0), req, buyer, "0".repeat(64), "6".repeat(64)));
    publish(finalized(buyer, req, buyer, "0".repeat(64), "6".repeat(64)));
    assertThat(d.awaitBelow(4, System.nanoTime() + TimeUnit.SECONDS.toNanos(10))).isTrue();
    assertThat(d.countedFinalized()).isEqualTo(1);
    assertThat(d.latencies()).hasSize(1);
    assertThat(d.nodeLatencies()).containsExactly(40.0, 40.0);
    assertThat(d.countedSubmitted()).isEqualTo(4);
    assertThat(d.finalsByNode()).containsValues(1L, 1L);
  }
}
