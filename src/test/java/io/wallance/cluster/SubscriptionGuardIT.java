package io.wallance.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Real clustered Vert.x instances in this JVM, over loopback. A's consumer is removed from the
 * cluster's subscription map exactly as Hazelcast's members do when they declare A dead
 * ({@code __vertx.subs} entries of the address dropped); B then gets "no handlers". A
 * membership change (C joins) makes A's {@link SubscriptionGuard} notice and register the
 * consumer again, and B reaches it.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class SubscriptionGuardIT {
  private static final String CLUSTER = "wallance-guard-" + UUID.randomUUID().toString().substring(0, 8);
  private static final String ADDRESS = "guard.test";

  private final List<Vertx> started = new ArrayList<>();

  @AfterEach
  void close() {
    for (Vertx v : started) {
      try {
        v.close().await(20, TimeUnit.SECONDS);
      } catch (Exception ignored) {
        // best effort
      }
    }
  }

  @Test
  void aConsumerLostFromTheClusterIsRegisteredAgainOnTheNextMembershipChange() throws Exception {
    List<Integer> ports = LoopbackPorts.free(3);
    HazelcastClusterManager managerA = ClusterFactory.clusterManager(ClusterOptions.loopback(CLUSTER, ports,
        ports.get(0), false, 3));
    HazelcastClusterManager managerB = ClusterFactory.clusterManager(ClusterOptions.loopback(CLUSTER, ports,
        ports.get(1), false, 3));
    Vertx a = start(ClusterOptions.loopback(CLUSTER, ports, ports.get(0), false, 3), managerA);
    Vertx b = start(ClusterOptions.loopback(CLUSTER, ports, ports.get(1), false, 3), managerB);

    CompletableFuture<SubscriptionGuard> made = new CompletableFuture<>();
    a.runOnContext(v -> {
      SubscriptionGuard guard = new SubscriptionGuard(a, "A");
      guard.register(ADDRESS, () -> a.eventBus().<String>consumer(ADDRESS, m -> m.reply("A:" + m.body())))
          .completion().onSuccess(x -> {
            guard.start();
            made.complete(guard);
          }).onFailure(made::completeExceptionally);
    });
    SubscriptionGuard guard = made.get(30, TimeUnit.SECONDS);
    assertThat(awaitAnswer(b, "1", 30_000)).isEqualTo("A:1");

    // What the surviving members do when Hazelcast declares A dead: A's subscriptions go.
    managerB.getHazelcastInstance().getMultiMap("__vertx.subs").remove(ADDRESS);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    ReplyFailure failure = null;
    while (failure != ReplyFailure.NO_HANDLERS && System.nanoTime() < deadline) {
      failure = failureOf(b, "2");
      Thread.sleep(100);
    }
    assertThat(failure).as("B no longer reaches A's consumer").isEqualTo(ReplyFailure.NO_HANDLERS);
    assertThat(guard.restored()).isZero();

    // A membership change: C joins; within the guard's settle time A's consumer is back.
    start(ClusterOptions.loopback(CLUSTER, ports, ports.get(2), false, 3),
        ClusterFactory.clusterManager(ClusterOptions.loopback(CLUSTER, ports, ports.get(2), false, 3)));
    String answer = awaitAnswer(b, "3", SubscriptionGuard.SETTLE_AGAIN_MILLIS + 10_000);
    assertThat(answer).as("B reaches A again after the membership change").isEqualTo("A:3");
    assertThat(guard.restored()).isEqualTo(1);
  }

  private Vertx start(ClusterOptions options, HazelcastClusterManager manager) throws Exception {
    Vertx v = ClusterFactory.start(options, manager).await(60, TimeUnit.SECONDS);
    started.add(0, v);
    return v;
  }

  /** The first answer within {@code millis} (a loaded machine may time out a request), or null. */
  private static String awaitAnswer(Vertx from, String body, long millis) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    while (System.nanoTime() < deadline) {
      try {
        return ask(from, body);
      } catch (Exception notYet) {
        Thread.sleep(200);
      }
    }
    return null;
  }

  private static String ask(Vertx from, String body) throws Exception {
    return from.eventBus().<String>request(ADDRESS, body, new DeliveryOptions().setSendTimeout(3000))
        .await(5, TimeUnit.SECONDS).body();
  }

  private static ReplyFailure failureOf(Vertx from, String body) {
    try {
      ask(from, body);
      return null;
    } catch (Exception e) {
      Throwable t = e;
      while (t != null && !(t instanceof ReplyException)) {
        t = t.getCause();
      }
      return t instanceof ReplyException r ? r.failureType() : null;
    }
  }

}
