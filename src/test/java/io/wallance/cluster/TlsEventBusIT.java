package io.wallance.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import io.wallance.tls.ProjectCa;
import io.wallance.tls.TlsFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mutual TLS on the clustered event bus, with real clustered Vert.x instances in this JVM
 * over loopback: members A and B hold certificates of the project CA; R holds one of another
 * CA (a rogue with a self-made CA) and P none at all. All four are in the same Hazelcast
 * cluster (Hazelcast's own traffic is not TLS, see docs/SECURITY.md), so the event bus is the
 * only thing that can stop R and P: their messages never reach A or B, and A's and B's never
 * reach them, while A and B keep talking.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class TlsEventBusIT {
  private static final long WAIT_SECONDS = 10;
  /** How long a message that must not arrive is waited for. */
  private static final long SILENCE_MILLIS = 3_000;
  private static final String CLUSTER = "wallance-tls-" + UUID.randomUUID().toString().substring(0, 8);

  @TempDir
  static Path dir;
  private static final List<Vertx> started = new ArrayList<>();
  private static Vertx a;
  private static Vertx b;
  private static Vertx rogue;
  private static Vertx plain;

  @BeforeAll
  static void startCluster() throws Exception {
    ProjectCa ca = ProjectCa.create("test-fleet", 30);
    ca.write(dir.resolve("ca"));
    ca.issue("pi-a", List.of("127.0.0.1", "localhost"), 30).write(dir.resolve("a"), "pi-a");
    ca.issue("pi-b", List.of("127.0.0.1"), 30).write(dir.resolve("b"), "pi-b");
    ProjectCa other = ProjectCa.create("rogue", 30);
    other.write(dir.resolve("rogue-ca"));
    other.issue("pi-r", List.of("127.0.0.1"), 30).write(dir.resolve("r"), "pi-r");
    TlsFiles tlsA = new TlsFiles(dir.resolve("ca/ca.crt"), dir.resolve("a/pi-a.crt"), dir.resolve("a/pi-a.key")).check();
    TlsFiles tlsB = new TlsFiles(dir.resolve("ca/ca.crt"), dir.resolve("b/pi-b.crt"), dir.resolve("b/pi-b.key")).check();
    // The rogue trusts its own CA and ours: only our side's check can stop it.
    Path rogueTrust = dir.resolve("r/trust.crt");
    Files.writeString(rogueTrust, Files.readString(dir.resolve("rogue-ca/ca.crt")) + Files.readString(dir.resolve("ca/ca.crt")));
    TlsFiles tlsR = new TlsFiles(rogueTrust, dir.resolve("r/pi-r.crt"), dir.resolve("r/pi-r.key"));

    List<Integer> ports = LoopbackPorts.free(4);
    a = start(ports, 0, tlsA);
    Future<Vertx> startB = startAsync(ports, 1, tlsB);
    Future<Vertx> startR = startAsync(ports, 2, tlsR);
    Future<Vertx> startP = startAsync(ports, 3, null);
    Future.all(startB, startR, startP).await(60, TimeUnit.SECONDS);
    b = startB.result();
    rogue = startR.result();
    plain = startP.result();
    started.addAll(List.of(b, rogue, plain));
  }

  @AfterAll
  static void closeCluster() throws Exception {
    for (int i = started.size() - 1; i >= 0; i--) {
      started.get(i).close().await(30, TimeUnit.SECONDS);
    }
  }

  @Test
  @Order(1)
  void membersWithProjectCertificatesTalkBothWays() throws Exception {
    MessageConsumer<JsonObject> onB = b.eventBus().consumer("tls.echo.b", m -> m.reply(m.body().put("by", "b")));
    MessageConsumer<JsonObject> onA = a.eventBus().consumer("tls.echo.a", m -> m.reply(m.body().put("by", "a")));
    Future.all(onB.completion(), onA.completion()).await(WAIT_SECONDS, TimeUnit.SECONDS);

    JsonObject fromB = a.eventBus().<JsonObject>request("tls.echo.b", new JsonObject().put("ask", 1))
        .await(WAIT_SECONDS, TimeUnit.SECONDS).body();
    JsonObject fromA = b.eventBus().<JsonObject>request("tls.echo.a", new JsonObject().put("ask", 2))
        .await(WAIT_SECONDS, TimeUnit.SECONDS).body();
    assertThat(fromB).isEqualTo(new JsonObject().put("ask", 1).put("by", "b"));
    assertThat(fromA).isEqualTo(new JsonObject().put("ask", 2).put("by", "a"));
  }

  @Test
  @Order(2)
  void aMemberWithoutCertificateOrWithAForeignOneIsStoppedAtTls() throws Exception {
    ConcurrentLinkedQueue<String> atA = new ConcurrentLinkedQueue<>();
    ConcurrentLinkedQueue<String> atOutsiders = new ConcurrentLinkedQueue<>();
    MessageConsumer<String> honest = a.eventBus().consumer("tls.gossip", m -> atA.add(m.body()));
    MessageConsumer<String> onRogue = rogue.eventBus().consumer("tls.gossip", m -> atOutsiders.add("rogue:" + m.body()));
    MessageConsumer<String> onPlain = plain.eventBus().consumer("tls.gossip", m -> atOutsiders.add("plain:" + m.body()));
    MessageConsumer<String> askA = a.eventBus().consumer("tls.ask.a", m -> m.reply("answer"));
    Future.all(List.of(honest.completion(), onRogue.completion(), onPlain.completion(), askA.completion()))
        .await(WAIT_SECONDS, TimeUnit.SECONDS);

    // The outsiders see A's registrations (Hazelcast is shared) and try to use them.
    for (int i = 0; i < 5; i++) {
      rogue.eventBus().publish("tls.gossip", "forged-by-rogue-" + i);
      plain.eventBus().publish("tls.gossip", "forged-by-plain-" + i);
    }
    assertThatThrownBy(() -> rogue.eventBus().request("tls.ask.a", "hello", new io.vertx.core.eventbus.DeliveryOptions()
        .setSendTimeout(SILENCE_MILLIS)).await(WAIT_SECONDS, TimeUnit.SECONDS)).isNotNull();
    assertThatThrownBy(() -> plain.eventBus().request("tls.ask.a", "hello", new io.vertx.core.eventbus.DeliveryOptions()
        .setSendTimeout(SILENCE_MILLIS)).await(WAIT_SECONDS, TimeUnit.SECONDS)).isNotNull();
    // B's publish reaches A, and never an outsider.
    b.eventBus().publish("tls.gossip", "honest-from-b");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
    while (!atA.contains("honest-from-b") && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    Thread.sleep(SILENCE_MILLIS);

    assertThat(atA).containsExactly("honest-from-b");
    // An outsider's own publish is delivered to its own local consumer, and nothing else is.
    assertThat(atOutsiders).containsExactlyInAnyOrder(
        "rogue:forged-by-rogue-0", "rogue:forged-by-rogue-1", "rogue:forged-by-rogue-2", "rogue:forged-by-rogue-3",
        "rogue:forged-by-rogue-4", "plain:forged-by-plain-0", "plain:forged-by-plain-1", "plain:forged-by-plain-2",
        "plain:forged-by-plain-3", "plain:forged-by-plain-4");

    // And A and B still talk afterwards.
    CompletableFuture<String> again = new CompletableFuture<>();
    MessageConsumer<String> onB = b.eventBus().consumer("tls.after", m -> again.complete(m.body()));
    onB.completion().await(WAIT_SECONDS, TimeUnit.SECONDS);
    a.eventBus().send("tls.after", "still here");
    assertThat(again.get(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo("still here");
  }

  private static Vertx start(List<Integer> ports, int index, TlsFiles tls) throws Exception {
    Vertx vertx = startAsync(ports, index, tls).await(60, TimeUnit.SECONDS);
    started.add(vertx);
    return vertx;
  }

  private static Future<Vertx> startAsync(List<Integer> ports, int index, TlsFiles tls) {
    ClusterOptions options = ClusterOptions.loopback(CLUSTER, ports, ports.get(index), false, 3);
    HazelcastClusterManager manager = ClusterFactory.clusterManager(options);
    VertxOptions vertxOptions = new VertxOptions();
    if (tls != null) {
      vertxOptions.setEventBusOptions(tls.applyTo(new EventBusOptions()));
    }
    return ClusterFactory.start(options, manager, vertxOptions);
  }

}
