package io.wallance.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import io.wallance.cluster.ClusterFactory;
import io.wallance.cluster.ClusterOptions;
import io.wallance.it.LocalNetwork.Node;
import io.wallance.protocol.Command;
import io.wallance.protocol.Crypto;
import io.wallance.protocol.Pow;
import io.wallance.protocol.Share;
import io.wallance.protocol.Signed;
import io.wallance.tls.TlsFiles;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * The adversary on the event bus, over four node processes with mutual TLS: a rogue cluster
 * member holding a genuine member certificate of the project CA (so only the protocol's own
 * checks stop it) publishes forged, unsigned, malformed and oversized messages on every
 * address, then a flood of more than 10,000 messages, most in a victim's name, while
 * purchases go on; one more intruder without a certificate is stopped at TLS. Every message
 * is rejected with a typed reason and counted, no ledger changes but by honest purchases, the
 * victim's purchases are delayed, not stopped, and the nodes' memory stays bounded (heap
 * after GC +16 MiB, RSS +32 MiB at most). The flood test prints the report table of
 * {@code docs/RELIABILITY.md}.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HostileMemberIT {

  private static final java.util.List<String> GOSSIP_REASONS = java.util.List.of("BAD_SIGNATURE", "BAD_POW",
      "UNKNOWN_AUTHOR", "WRONG_NETWORK", "UNKNOWN_TYPE", "MALFORMED", "BAD_FIELDS", "TOO_LARGE");
  /** A node ignores gossip in its own name (it holds its own messages), forged or not. */
  private static final java.util.List<String> OWN_NAME_REASONS = java.util.List.of("UNKNOWN_AUTHOR", "WRONG_NETWORK",
      "UNKNOWN_TYPE", "MALFORMED", "BAD_FIELDS", "TOO_LARGE");
  private static final String FAKE_REQUEST = "cd".repeat(32);
  private static LocalNetwork network;
  private static Vertx hostile;
  private static HostileMember rogue;

  @BeforeAll
  static void startNetwork() throws Exception {
    network = LocalNetwork.startWithTls("HostileMemberIT", 4, 5, 300);
    // The rogue: a full cluster member of its own with a genuine certificate of the project CA.
    TlsFiles cert = network.issueCertificate("hostile");
    ClusterOptions own;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      own = network.outsiderOptions(s.getLocalPort());
    }
    hostile = ClusterFactory.start(own, ClusterFactory.clusterManager(own),
        new VertxOptions().setEventBusOptions(cert.applyTo(new EventBusOptions()))).await(90, TimeUnit.SECONDS);
    rogue = new HostileMember(network, hostile);
  }

  @AfterAll
  static void stopNetwork() throws Exception {
    if (hostile != null) {
      hostile.close().await(30, TimeUnit.SECONDS);
    }
    if (network != null) {
      network.close();
    }
  }

  @Test
  @Order(1)
  void everyKindOfBadInputIsRejectedCountedAndChangesNoLedger() throws Exception {
    EventBus bus = hostile.eventBus();
    var addresses = network.addresses();
    String net = network.net();
    Node victim = network.node(0);
    Node other = network.node(1);
    Crypto.KeyPair stranger = HostileMember.randomKey();
    Map<String, String> before = chains();

    // gossip: a share in a member's name with a forged signature, a forged vote, an unmined
    // share, a share by a key outside the registry, one for another network, a command, junk.
    String forgedShare = rogue.forgedShare(other, 1_000_000);
    rogue.gossip(forgedShare);
    rogue.gossip(rogue.forgedVote(other, victim));
    rogue.gossip(Signed.of(HostileMember.unmined(new Share(net, other.id(), 1_000_001, "virtual", 1, 0)),
        new byte[64]).wireText());
    rogue.gossip(Signed.sign(Pow.mine(new Share(net, stranger.id(), 1, "virtual", 1, 0), 1),
        stranger).wireText());
    rogue.gossip(Signed.sign(Pow.mine(new Share("elsewhere", stranger.id(), 1, "virtual", 1, 0), 1),
        stranger).wireText());
    rogue.gossip(Signed.sign(new Command(net, network.operator().id(), victim.id(), 1_000,
        Command.Action.BUY, "Receipt", 1), network.operator()).wireText());
    rogue.gossip("wallance=1\nnet=" + net + "\ntype=share\n");
    rogue.gossip(new JsonObject().put("type", "share"));
    rogue.gossip("x".repeat(40_000));
    // to.<id>: the same kinds, for one node only.
    rogue.sendTo(victim, forgedShare);
    rogue.sendTo(victim, "\u0000\u0001");
    // events: a fake finality for the victim must not make it run a contract.
    bus.publish(addresses.events(), new JsonObject().put("type", "finalized").put("node", victim.id())
        .put("buyer", victim.id()).put("request", FAKE_REQUEST).put("contract", "Receipt"));

    // command.<id>: unsigned, signed by a stranger, forged operator signature, for another
    // node, oversized, not text, and a replay of a counter already used.
    Command buy = new Command(net, network.operator().id(), victim.id(), 5_000, Command.Action.BUY, "Receipt", 9);
    String signed = Signed.sign(buy, network.operator()).wireText();
    assertRefused(victim, signed.substring(0, signed.indexOf("sig=")), 400, "BAD_FIELDS");
    assertRefused(victim, Signed.sign(new Command(net, stranger.id(), victim.id(), 5_001, Command.Action.BUY,
        "Receipt", 9), stranger).wireText(), 400, "UNKNOWN_AUTHOR");
    assertRefused(victim, Signed.of(buy, new byte[64]).wireText(), 400, "BAD_SIGNATURE");
    assertRefused(victim, Signed.sign(new Command(net, network.operator().id(), other.id(), 5_002,
        Command.Action.BUY, "Receipt", 9), network.operator()).wireText(), 400, "BAD_COMMAND");
    assertRefused(victim, "y".repeat(50_000), 400, "TOO_LARGE");
    assertRefused(victim, new JsonObject().put("action", "buy"), 400, "MALFORMED");
    // A genuine command (its counter is now used; it cancels nothing) and its replay.
    String genuine = Signed.sign(new Command(net, network.operator().id(), victim.id(), 6_000,
        Command.Action.CANCEL, "Nespresso", 77), network.operator()).wireText();
    assertRefused(victim, genuine, 404, "UNKNOWN_PURCHASE");
    assertRefused(victim, genuine, 400, "BAD_COMMAND");

    for (Node node : network.nodes()) {
      try {
        LocalNetwork.awaitTrue(node.name() + " counted the gossip attacks", Duration.ofSeconds(10),
            () -> rejections(node).fieldNames().containsAll(node == other ? OWN_NAME_REASONS : GOSSIP_REASONS));
      } catch (AssertionError e) {
        throw new AssertionError(e.getMessage() + ": " + rejections(node), e);
      }
    }
    JsonObject victimRejections = rejections(victim);
    assertThat(victimRejections.getLong("BAD_SIGNATURE")).isGreaterThanOrEqualTo(4); // 2 gossip, to.<id>, command
    assertThat(victimRejections.getLong("BAD_COMMAND")).isEqualTo(2);
    assertThat(network.events(e -> "rejected".equals(e.getString("type")) && victim.id().equals(e.getString("node"))))
        .extracting(e -> e.getString("reason")).contains("BAD_SIGNATURE", "TOO_LARGE", "MALFORMED");
    // Nothing was finalized and no contract ran.
    assertThat(chains()).isEqualTo(before);
    assertThat(network.events(e -> "finalized".equals(e.getString("type"))
        && !FAKE_REQUEST.equals(e.getString("request")))).isEmpty(); // the observer hears its own fake
    assertThat(network.events(e -> "contract".equals(e.getString("type")))).isEmpty();
    PurchaseIT.awaitSameCheckpoint(network);
    assertThat(network.query(victim).getLong("misbehaviour")).isZero();

    // The network still works: a real purchase goes through.
    network.send(victim, Signed.sign(new Command(net, network.operator().id(), victim.id(), 7_000,
        Command.Action.BUY, "Receipt", 1), network.operator()).wireText());
    PurchaseIT.awaitFinalEverywhere(network, PurchaseIT.awaitRequest(network, victim, 1));
  }

  @Test
  @Order(2)
  void anIntruderWithoutCertificateIsStoppedAtTls() throws Exception {
    // A full Hazelcast member of the cluster with a plain event bus: Hazelcast admits it.
    ClusterOptions own;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      own = network.outsiderOptions(s.getLocalPort());
    }
    var manager = ClusterFactory.clusterManager(own);
    Vertx intruder = ClusterFactory.start(own, manager).await(90, TimeUnit.SECONDS);
    try {
      LocalNetwork.awaitTrue("the intruder sees the whole cluster", Duration.ofSeconds(30),
          () -> manager.getNodes().size() == network.nodes().size() + 3); // nodes, observer, rogue, itself
      ConcurrentLinkedQueue<Object> heard = new ConcurrentLinkedQueue<>();
      for (String address : List.of(network.addresses().events(), network.addresses().gossip())) {
        intruder.eventBus().consumer(address, m -> {
          if (!(m.body() instanceof JsonObject j && j.containsKey("intruder"))) { // not its own publish
            heard.add(m.body());
          }
        }).completion().await(10, TimeUnit.SECONDS);
      }
      Map<String, Long> malformedBefore = new HashMap<>();
      for (Node node : network.nodes()) {
        malformedBefore.put(node.name(), rejections(node).getLong("MALFORMED", 0L));
      }
      // It delivers nothing: 50 undecodable messages on gossip and on every to.<id> (each would
      // be counted MALFORMED), and requests to a node's query and command addresses.
      for (int i = 0; i < 50; i++) {
        intruder.eventBus().publish(network.addresses().gossip(), new JsonObject().put("intruder", i));
        for (Node node : network.nodes()) {
          intruder.eventBus().publish(network.addresses().to(node.id()), new JsonObject().put("intruder", i));
        }
      }
      Node target = network.node(1);
      for (String address : List.of(network.addresses().query(target.id()), network.addresses().command(target.id()))) {
        TlsNetworkIT.assertNoReplyWithoutCertificate(intruder, address);
      }
      // Honest gossip (shares every 300 ms) and events flowed the whole time; it heard none.
      long eventsBefore = network.events().size();
      LocalNetwork.awaitTrue("honest events flow", Duration.ofSeconds(20), () -> network.events().size() > eventsBefore + 4);
      assertThat(heard).isEmpty();
      for (Node node : network.nodes()) {
        assertThat(rejections(node).getLong("MALFORMED", 0L)).as(node.name()).isEqualTo(malformedBefore.get(node.name()));
      }
    } finally {
      intruder.close().await(30, TimeUnit.SECONDS);
    }
  }

  /**
   * The flood: over 10,000 messages from the rogue (a member certificate, so past TLS), most in
   * the victim's name, while every node keeps buying. Counted against the nodes' rejection
   * counters, with the memory of each node process before and after.
   */
  @Test
  @Order(3)
  @Timeout(value = 300, unit = TimeUnit.SECONDS)
  void aFloodInAVictimsNameIsRejectedCountedAndBoundedWhilePurchasesGoOn() throws Exception {
    Node victim = network.node(0);
    List<Node> others = network.nodes().subList(1, network.nodes().size());
    Flood.Kind[] kinds = Flood.Kind.values();
    byte[] lifted = liftedSignature(victim);
    Purchases buying = new Purchases();

    // Warm-up (not counted): every code path of the flood and of purchases runs, caches and
    // the heap reach their working size before the baseline.
    Flood warmUp = new Flood(rogue, network.nodes(), victim, lifted);
    Map<String, JsonObject> beforeWarmUp = snapshot();
    warmUp.send(counts(kinds, 150), 1_000);
    for (Node node : network.nodes()) {
      buying.buy(node);
    }
    awaitAbsorbed(warmUp, beforeWarmUp);
    buying.awaitAllFinal(Duration.ofSeconds(120));
    Map<String, ProcessMemory> memoryBefore = new LinkedHashMap<>();
    for (Node node : network.nodes()) {
      memoryBefore.put(node.name(), ProcessMemory.measure(network, node));
    }

    // The flood, with one purchase in flight per node the whole time.
    Map<String, JsonObject> before = snapshot();
    long victimSentBefore = network.query(victim).getJsonObject("perf").getLong("messagesSent");
    long misbehaviourBefore = network.query(victim).getLong("misbehaviour");
    Flood flood = new Flood(rogue, network.nodes(), victim, lifted);
    Map<Flood.Kind, Integer> plan = counts(kinds, 0);
    plan.putAll(Map.of(Flood.Kind.VICTIM_SHARE_FORGED, 2_200, Flood.Kind.VICTIM_VOTE_LIFTED_SIGNATURE, 2_200,
        Flood.Kind.VICTIM_REQUEST_FORGED, 2_200, Flood.Kind.UNKNOWN_KEY, 2_000, Flood.Kind.MALFORMED, 1_000,
        Flood.Kind.OVERSIZED, 200, Flood.Kind.UNKNOWN_TYPE, 400));
    for (Node node : network.nodes()) {
      buying.buy(node);
    }
    Map<String, Integer> rejectedEventsBefore = rejectedEvents();
    long floodStart = System.nanoTime();
    Thread sender = new Thread(() -> {
      try {
        flood.send(plan, 2_500);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "flood");
    sender.start();
    Map<String, Integer> finalDuringFlood = new LinkedHashMap<>();
    while (sender.isAlive()) {
      for (Node node : network.nodes()) {
        if (buying.pollFinal(node)) {
          finalDuringFlood.merge(node.name(), 1, Integer::sum);
          buying.buy(node);
        }
      }
      sender.join(200);
    }
    double floodSeconds = (System.nanoTime() - floodStart) / 1e9;
    assertThat(flood.total()).isGreaterThanOrEqualTo(10_000);
    Map<String, JsonObject> after = awaitAbsorbed(flood, before);
    // Each rejection is counted; the observer events about them are limited to 20 a second.
    double windowSeconds = (System.nanoTime() - floodStart) / 1e9;
    Map<String, Integer> rejectedEvents = rejectedEvents();
    rejectedEvents.replaceAll((name, n) -> n - rejectedEventsBefore.getOrDefault(name, 0));
    for (Node node : network.nodes()) {
      assertThat(rejectedEvents.get(node.name())).as("%s: rejected events in %.1f s", node.name(), windowSeconds)
          .isLessThanOrEqualTo(20 + (int) Math.ceil(20 * (windowSeconds + 1)));
    }
    long victimSent = network.query(victim).getJsonObject("perf").getLong("messagesSent") - victimSentBefore;
    // The victim's purchases: delayed perhaps, not stopped; the others' too finish.
    buying.awaitAllFinal(Duration.ofSeconds(120));
    PurchaseIT.awaitSameCheckpoint(network);

    // Accounting per node: every delivered flood message is counted under one of its kind's
    // reasons; the exact reasons exactly; the rest may exceed the flood only by the victim's
    // own messages that the flood's rate limit in its name delayed (all RATE_LIMITED).
    Set<String> floodReasons = new java.util.TreeSet<>();
    for (Flood.Kind k : kinds) {
      floodReasons.addAll(k.reasons);
    }
    Map<String, Map<String, Long>> deltas = new LinkedHashMap<>();
    Map<String, Long> excess = new LinkedHashMap<>();
    for (Node node : network.nodes()) {
      Map<String, Long> d = delta(before.get(node.name()), after.get(node.name()));
      deltas.put(node.name(), d);
      assertThat(d.keySet()).as("%s: reasons counted during the flood", node.name()).isSubsetOf(floodReasons);
      assertThat(d.getOrDefault("INTERNAL_ERROR", 0L)).isZero();
      for (String exact : Flood.EXACT) {
        assertThat(d.getOrDefault(exact, 0L)).as("%s: %s", node.name(), exact)
            .isEqualTo(flood.deliveredWithReasonIn(node, Set.of(exact)));
      }
      long counted = d.values().stream().mapToLong(Long::longValue).sum();
      long extra = counted - flood.deliveredTotal(node);
      excess.put(node.name(), extra);
      assertThat(extra).as("%s: counted %d for %d delivered", node.name(), counted, flood.deliveredTotal(node))
          .isBetween(0L, victimSent);
      assertThat(d.getOrDefault("RATE_LIMITED", 0L)).isGreaterThanOrEqualTo(extra);
    }
    // No forgery accepted: every finality is of a request an honest node published for its
    // operator's purchase, every ledger agrees, nobody was framed.
    Set<String> published = new java.util.HashSet<>();
    network.events(e -> "purchase".equals(e.getString("type")) && e.getString("request") != null)
        .forEach(e -> published.add(e.getString("request")));
    List<String> forgeries = network.events(e -> "finalized".equals(e.getString("type"))
        && !FAKE_REQUEST.equals(e.getString("request")) && !published.contains(e.getString("request")))
        .stream().map(e -> e.getString("request")).toList();
    assertThat(forgeries).as("finalized requests no honest purchase published").isEmpty();
    assertThat(network.query(victim).getLong("misbehaviour")).isEqualTo(misbehaviourBefore);
    for (Node node : network.nodes()) {
      assertThat(node.process().isAlive()).as(node.name() + " alive").isTrue();
    }
    // Other members kept finalizing during the flood (a loose liveness check).
    assertThat(others.stream().mapToInt(n -> finalDuringFlood.getOrDefault(n.name(), 0)).sum())
        .as("purchases of other members final while the flood ran").isPositive();

    // Memory: heap after GC and RSS of every node process, after the flood.
    Map<String, ProcessMemory> memoryAfter = new LinkedHashMap<>();
    for (Node node : network.nodes()) {
      memoryAfter.put(node.name(), ProcessMemory.measure(network, node));
    }
    System.out.println(report(rejectedEvents, windowSeconds, forgeries.size(), network.nodes().stream().filter(n -> !n.process().isAlive()).count(),
        flood, floodSeconds, deltas, excess, victimSent, buying, finalDuringFlood, victim,
        memoryBefore, memoryAfter));
    for (Node node : network.nodes()) {
      ProcessMemory b = memoryBefore.get(node.name());
      ProcessMemory a = memoryAfter.get(node.name());
      assertThat(a.heapAfterGcBytes() - b.heapAfterGcBytes()).as("%s heap after GC growth", node.name())
          .isLessThanOrEqualTo(16L << 20);
      assertThat(a.rssBytes() - b.rssBytes()).as("%s RSS growth", node.name()).isLessThanOrEqualTo(32L << 20);
    }
  }

  /** One purchase in flight per node, bought by the operator; tracks when each became final. */
  private static final class Purchases {
    private final Map<String, Long> next = new HashMap<>();
    private final Map<String, Long> inFlight = new LinkedHashMap<>();
    private final Map<String, Long> boughtAt = new HashMap<>();
    private final Map<String, List<Double>> latencies = new LinkedHashMap<>();

    void buy(Node node) throws Exception {
      long id = next.merge(node.name(), 1L, Long::sum) + 100;
      network.send(node, Signed.sign(new Command(network.net(), network.operator().id(), node.id(),
          50_000 + id, Command.Action.BUY, "Receipt", id), network.operator()).wireText());
      inFlight.put(node.name(), id);
      boughtAt.put(node.name(), System.nanoTime());
    }

    /** @return whether the node's purchase in flight just became final (then none is in flight) */
    boolean pollFinal(Node node) {
      Long id = inFlight.get(node.name());
      if (id == null || network.events(e -> "purchase".equals(e.getString("type"))
          && node.id().equals(e.getString("node")) && e.getLong("purchase") == id.longValue()
          && "final".equals(e.getString("state"))).isEmpty()) {
        return false;
      }
      inFlight.remove(node.name());
      latencies.computeIfAbsent(node.name(), k -> new java.util.ArrayList<>())
          .add((System.nanoTime() - boughtAt.get(node.name())) / 1e9);
      return true;
    }

    void awaitAllFinal(Duration limit) throws InterruptedException {
      LocalNetwork.awaitTrue("purchases in flight final: " + inFlight, limit, () -> {
        network.nodes().forEach(this::pollFinal);
        return inFlight.isEmpty();
      });
    }

    /** @return seconds from buy to final seen, per purchase, for the node */
    List<Double> latencies(Node node) {
      return latencies.getOrDefault(node.name(), List.of());
    }
  }

  private static Map<Flood.Kind, Integer> counts(Flood.Kind[] kinds, int each) {
    Map<Flood.Kind, Integer> out = new java.util.EnumMap<>(Flood.Kind.class);
    for (Flood.Kind k : kinds) {
      out.put(k, each);
    }
    return out;
  }

  /** A genuine signature of the victim, from one of its messages the rogue hears on gossip. */
  private static byte[] liftedSignature(Node victim) throws Exception {
    java.util.concurrent.CompletableFuture<byte[]> found = new java.util.concurrent.CompletableFuture<>();
    var consumer = hostile.eventBus().<Object>consumer(network.addresses().gossip(), m -> {
      if (m.body() instanceof String text) {
        try {
          for (byte[] part : io.wallance.protocol.Frames.split(text.getBytes(java.nio.charset.StandardCharsets.UTF_8))) {
            var signed = io.wallance.protocol.Codec.decode(part);
            if (victim.id().equals(signed.body().author())) {
              found.complete(signed.signature());
            }
          }
        } catch (io.wallance.protocol.ProtocolException e) {
          // not one of the victim's
        }
      }
    });
    try {
      return found.get(30, TimeUnit.SECONDS);
    } finally {
      consumer.unregister();
    }
  }

  /** @return how many {@code rejected} observer events each node published so far */
  private static Map<String, Integer> rejectedEvents() {
    Map<String, Integer> out = new LinkedHashMap<>();
    for (Node node : network.nodes()) {
      out.put(node.name(), network.events(e -> "rejected".equals(e.getString("type"))
          && node.id().equals(e.getString("node"))).size());
    }
    return out;
  }

  /** @return every node's rejection counters now */
  private static Map<String, JsonObject> snapshot() {
    Map<String, JsonObject> out = new LinkedHashMap<>();
    for (Node node : network.nodes()) {
      out.put(node.name(), rejections(node));
    }
    return out;
  }

  /**
   * Waits until every node counted at least what the flood delivered to it (the nodes work
   * through their inbound queue after the sender is done), then one more second for the
   * victim's delayed messages, and returns the counters.
   */
  private static Map<String, JsonObject> awaitAbsorbed(Flood flood, Map<String, JsonObject> before)
      throws InterruptedException {
    for (Node node : network.nodes()) {
      Map<String, Long>[] last = new Map[1];
      try {
        LocalNetwork.awaitTrue(node.name() + " counted the flood", Duration.ofSeconds(120), () -> {
          last[0] = delta(before.get(node.name()), rejections(node));
          return last[0].values().stream().mapToLong(Long::longValue).sum() >= flood.deliveredTotal(node);
        });
      } catch (AssertionError e) {
        throw new AssertionError(e.getMessage() + ": delivered " + flood.delivered(node) + ", counted " + last[0]
            + ", perf " + perfOf(node), e);
      }
    }
    Thread.sleep(1_000);
    return snapshot();
  }

  private static JsonObject perfOf(Node node) {
    try {
      return network.query(node).getJsonObject("perf");
    } catch (Exception e) {
      return new JsonObject().put("error", e.toString());
    }
  }

  private static Map<String, Long> delta(JsonObject before, JsonObject after) {
    Map<String, Long> out = new java.util.TreeMap<>();
    for (String reason : after.fieldNames()) {
      long d = after.getLong(reason) - before.getLong(reason, 0L);
      if (d != 0) {
        out.put(reason, d);
      }
    }
    return out;
  }

  private static String report(Map<String, Integer> rejectedEvents, double windowSeconds, int forgeries, long crashes, Flood flood, double seconds, Map<String, Map<String, Long>> deltas,
      Map<String, Long> excess, long victimSent, Purchases buying, Map<String, Integer> finalDuringFlood, Node victim,
      Map<String, ProcessMemory> before, Map<String, ProcessMemory> after) throws Exception {
    StringBuilder out = new StringBuilder();
    String load = Files.readString(Path.of("/proc/loadavg")).trim();
    out.append(String.format(Locale.ROOT, "adversary flood: %d messages in %.1f s from a member with a CA certificate;"
        + " victim %s; load %s%n", flood.total(), seconds, victim.name(), load));
    out.append(String.format(Locale.ROOT, "  %-30s %7s  %s%n", "kind", "sent", "delivered per node "
        + network.nodes().stream().map(Node::name).toList()));
    for (var e : flood.sent().entrySet()) {
      out.append(String.format(Locale.ROOT, "  %-30s %7d  %s (reasons %s)%n", e.getKey(), e.getValue(),
          network.nodes().stream().map(n -> flood.delivered(n).getOrDefault(e.getKey(), 0L)).toList(),
          new java.util.TreeSet<>(e.getKey().reasons)));
    }
    out.append(String.format(Locale.ROOT, "  %-6s %9s %9s %8s  %s%n", "node", "delivered", "counted", "excess*",
        "rejections counted during the flood by reason"));
    for (Node n : network.nodes()) {
      long counted = deltas.get(n.name()).values().stream().mapToLong(Long::longValue).sum();
      out.append(String.format(Locale.ROOT, "  %-6s %9d %9d %8d  %s%n", n.name(), flood.deliveredTotal(n), counted,
          excess.get(n.name()), deltas.get(n.name())));
    }
    out.append(String.format(Locale.ROOT, "  (* the victim's own messages rate-limited in its name; it published %d"
        + " in the window)%n", victimSent));
    out.append(String.format(Locale.ROOT, "  rejected observer events published in the %.1f s from flood start to"
        + " counted (each node at most 20/s; every rejection counted): %s%n", windowSeconds, rejectedEvents));
    out.append(String.format(Locale.ROOT, "  accepted forgeries %d (finalized requests no honest purchase published),"
        + " crashes %d (node processes not alive), INTERNAL_ERROR %d%n", forgeries, crashes, deltas.values().stream()
        .mapToLong(d -> d.getOrDefault("INTERNAL_ERROR", 0L)).sum()));
    for (Node n : network.nodes()) {
      List<Double> l = buying.latencies(n);
      out.append(String.format(Locale.ROOT, "  purchases %-4s %s: %d final while flooding, buy->final s %s%n", n.name(),
          n == victim ? "(victim)" : "", finalDuringFlood.getOrDefault(n.name(), 0), l.stream()
              .map(x -> String.format(Locale.ROOT, "%.1f", x)).toList()));
    }
    out.append(String.format(Locale.ROOT, "  %-6s %14s %14s %8s %10s %10s %8s%n", "memory", "heapAfterGC MiB",
        "", "growth", "RSS MiB", "", "growth"));
    for (Node n : network.nodes()) {
      ProcessMemory b = before.get(n.name());
      ProcessMemory a = after.get(n.name());
      out.append(String.format(Locale.ROOT, "  %-6s %14s %14s %8s %10s %10s %8s%n", n.name(),
          ProcessMemory.mib(b.heapAfterGcBytes()), ProcessMemory.mib(a.heapAfterGcBytes()),
          ProcessMemory.mib(a.heapAfterGcBytes() - b.heapAfterGcBytes()), ProcessMemory.mib(b.rssBytes()),
          ProcessMemory.mib(a.rssBytes()), ProcessMemory.mib(a.rssBytes() - b.rssBytes())));
    }
    String text = out.toString();
    Files.writeString(network.dir().resolve("adversary-report.txt"), text);
    return text;
  }

  private static void assertRefused(Node node, Object body, int code, String reason) throws Exception {
    try {
      hostile.eventBus().request(network.addresses().command(node.id()), body,
          new DeliveryOptions().setSendTimeout(5_000)).await(10, TimeUnit.SECONDS);
      throw new AssertionError("accepted: " + reason);
    } catch (ReplyException e) {
      assertThat(e.failureCode()).as(e.getMessage()).isEqualTo(code);
      assertThat(e.getMessage()).startsWith(reason);
    }
  }

  private static JsonObject rejections(Node node) {
    try {
      return network.query(node).getJsonObject("rejections");
    } catch (Exception e) {
      return new JsonObject();
    }
  }

  /** Every node's view of every wallet's head state and chain length (shares keep moving). */
  private static Map<String, String> chains() throws Exception {
    Map<String, String> out = new HashMap<>();
    for (Node node : network.nodes()) {
      for (Object o : network.query(node).getJsonArray("wallets")) {
        JsonObject w = (JsonObject) o;
        out.put(node.name() + "/" + w.getString("name"), w.getString("state") + "#" + w.getLong("chain"));
      }
    }
    return out;
  }
}
