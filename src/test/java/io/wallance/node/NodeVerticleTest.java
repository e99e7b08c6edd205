package io.wallance.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import io.wallance.cluster.Addresses;
import io.wallance.cluster.ClusterOptions;
import io.wallance.cluster.EventFrames;
import io.wallance.protocol.Command;
import io.wallance.protocol.Crypto;
import io.wallance.protocol.Pow;
import io.wallance.protocol.Share;
import io.wallance.protocol.Signed;
import io.wallance.sensor.SensorOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Four real nodes (node, contract and sensor verticles each) on one plain, non-clustered
 * Vert.x: the local event bus delivers publishes to every node as the cluster would. The
 * sensors are idle (hour-long period); the tests share readings through the node's local
 * share address, so balances are exact.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class NodeVerticleTest {

  private static final Duration WAIT = Duration.ofSeconds(10);

  @TempDir
  Path dir;

  private final TestFleet fleet = new TestFleet(4);
  private final Addresses addresses = new Addresses(TestFleet.NET);
  private final List<JsonObject> events = new CopyOnWriteArrayList<>();
  private Vertx vertx;

  @BeforeEach
  void start() throws Exception {
    start(NodeConfig.RateLimit.defaults());
  }

  private void start(NodeConfig.RateLimit limit) throws Exception {
    vertx = Vertx.vertx();
    vertx.eventBus().consumer(addresses.events(), m -> EventFrames.each(m.body(), events::add)).completion()
        .await(5, TimeUnit.SECONDS);
    for (int i = 0; i < fleet.members.size(); i++) {
      NodeConfig config = new NodeConfig("pi" + (i + 1), dir.resolve("unused.key"), dir.resolve("unused.registry"),
          dir.resolve("pi" + (i + 1)), null, new NodeConfig.Sensor(SensorOptions.virtual(), 3_600_000, false),
          ClusterOptions.loopback("unit", List.of(5701), 5701, false, 5), limit);
      NodeDeployment.deploy(vertx, config, fleet.members.get(i), fleet.genesis).await(20, TimeUnit.SECONDS);
    }
  }

  @AfterEach
  void stop() throws Exception {
    if (vertx != null) {
      vertx.close().await(20, TimeUnit.SECONDS);
      vertx = null;
    }
  }

  @Test
  void purchaseFinalizesOnEveryNodeAndRunsTheContractOnce() throws Exception {
    Crypto.KeyPair buyer = fleet.members.get(0);
    share(buyer, 6);

    JsonObject reply = command(fleet.command(fleet.operator, buyer, 1, Command.Action.BUY, "Receipt", 7));

    assertThat(reply.getString("state")).isEqualTo("published");
    String request = reply.getString("request");
    awaitTrue(() -> count("finalized", request) == 4);
    awaitTrue(() -> count("contract", request) == 1);
    JsonObject contract = only("contract", request);
    assertThat(contract.getString("status")).isEqualTo("succeeded");
    assertThat(contract.getString("node")).isEqualTo(buyer.id());
    assertThat(dir.resolve("pi1/receipts/7.receipt")).isRegularFile();
    assertThat(Files.readString(dir.resolve("pi1/receipts/7.receipt"))).contains("buyer=" + buyer.id());
    JsonObject finalized = only("finalized", request, buyer.id());
    assertThat(finalized.getLong("balanceBefore")).isEqualTo(6);
    assertThat(finalized.getLong("balanceAfter")).isEqualTo(1);

    awaitTrue(() -> distinctDigests() == 1);
    JsonObject view = query(buyer);
    assertThat(view.getLong("chain")).isEqualTo(1);
    assertThat(view.getJsonArray("purchases").getJsonObject(0).getString("state")).isEqualTo("final");
    assertThat(view.getJsonObject("commandCounters").getLong(fleet.operator.id())).isEqualTo(1);
    assertThat(view.getJsonObject("catalogue").getBoolean("differs")).isFalse();
    assertThat(view.getJsonArray("readings")).hasSize(6);
    // A voter earned its reward on every node.
    assertThat(query(fleet.members.get(1)).getLong("balanceUnits")).isEqualTo(2);
    Thread.sleep(300);
    assertThat(count("contract", request)).isEqualTo(1);
  }

  @Test
  void aRestartedFleetKeepsLedgersQueuesAndCountersRunsNothingTwiceAndRefusesAReplayedCommand() throws Exception {
    Crypto.KeyPair buyer = fleet.members.get(3);
    share(buyer, 6);
    JsonObject done = command(fleet.command(fleet.operator, buyer, 1, Command.Action.BUY, "Receipt", 5));
    String request = done.getString("request");
    awaitTrue(() -> count("finalized", request) == 4 && count("contract", request) == 1);
    JsonObject waiting = command(fleet.command(fleet.operator, buyer, 2, Command.Action.BUY, "Nespresso", 6));
    assertThat(waiting.getString("state")).isEqualTo("waiting");
    awaitTrue(() -> distinctDigests() == 1);
    String digest = query(buyer).getString("ledgerDigest");
    String receipt = Files.readString(dir.resolve("pi4/receipts/5.receipt"));

    stop(); // every node closes its store; the data directories stay
    events.clear();
    start();

    JsonObject view = query(buyer);
    assertThat(view.getString("ledgerDigest")).isEqualTo(digest);
    assertThat(view.getLong("chain")).isEqualTo(1);
    assertThat(view.getJsonObject("commandCounters").getLong(fleet.operator.id())).isEqualTo(2);
    assertThat(view.getJsonArray("purchases").stream().map(p -> ((JsonObject) p).getString("state")))
        .containsExactly("waiting", "final");
    assertThat(view.getJsonArray("purchases").getJsonObject(1).getString("request")).isEqualTo(request);
    for (Crypto.KeyPair k : fleet.members) {
      assertThat(query(k).getString("ledgerDigest")).isEqualTo(digest);
    }
    // The operator counter is durable: a replayed command is refused after the restart.
    ReplyException replay = commandFails(fleet.command(fleet.operator, buyer, 2, Command.Action.BUY, "Receipt", 7));
    assertThat(replay.getMessage()).startsWith("BAD_COMMAND");
    // The waiting purchase goes out once funded, on the restarted fleet, and the old one is not run again.
    share(buyer, 10);
    awaitTrue(() -> events.stream().anyMatch(e -> "finalized".equals(e.getString("type"))
        && buyer.id().equals(e.getString("buyer")) && buyer.id().equals(e.getString("node"))));
    awaitTrue(() -> "final".equals(query(buyer).getJsonArray("purchases").getJsonObject(0).getString("state")));
    awaitTrue(() -> query(buyer).getBoolean("inSync"));
    assertThat(count("contract", request)).isZero();
    assertThat(Files.readString(dir.resolve("pi4/receipts/5.receipt"))).isEqualTo(receipt);
    assertThat(query(buyer).getBoolean("healthy")).isTrue();
  }

  @Test
  void unaffordablePurchaseWaitsShowingWhatIsMissingThenGoesOutWhenFunded() throws Exception {
    Crypto.KeyPair buyer = fleet.members.get(1);
    share(buyer, 3);

    JsonObject reply = command(fleet.command(fleet.operator, buyer, 5, Command.Action.BUY, "Nespresso", 1));

    assertThat(reply.getString("state")).isEqualTo("waiting");
    assertThat(reply.getLong("missingUnits")).isEqualTo(7);
    JsonObject waiting = query(buyer).getJsonArray("purchases").getJsonObject(0);
    assertThat(waiting.getString("state")).isEqualTo("waiting");
    assertThat(waiting.getLong("missingUnits")).isEqualTo(7);

    share(buyer, 7);

    awaitTrue(() -> events.stream().anyMatch(e -> "finalized".equals(e.getString("type"))
        && buyer.id().equals(e.getString("buyer"))));
    awaitTrue(() -> "final".equals(query(buyer).getJsonArray("purchases").getJsonObject(0).getString("state")));
  }

  @Test
  void aWaitingPurchaseCanBeCancelledButNotOncePublished() throws Exception {
    Crypto.KeyPair buyer = fleet.members.get(2);

    JsonObject waiting = command(fleet.command(fleet.operator, buyer, 1, Command.Action.BUY, "Nespresso", 1));
    JsonObject cancelled = command(fleet.command(fleet.operator, buyer, 2, Command.Action.CANCEL, "Nespresso", 1));

    assertThat(waiting.getString("state")).isEqualTo("waiting");
    assertThat(cancelled.getString("state")).isEqualTo("cancelled");
    share(buyer, 5);
    JsonObject published = command(fleet.command(fleet.operator, buyer, 3, Command.Action.BUY, "Receipt", 2));
    assertThat(published.getString("state")).isEqualTo("published");

    ReplyException tooLate = commandFails(fleet.command(fleet.operator, buyer, 4, Command.Action.CANCEL, "Receipt", 2));
    ReplyException unknown = commandFails(fleet.command(fleet.operator, buyer, 5, Command.Action.CANCEL, "Receipt", 9));

    assertThat(tooLate.failureCode()).isEqualTo(409);
    assertThat(tooLate.getMessage()).startsWith("NOT_CANCELLABLE: ");
    assertThat(unknown.failureCode()).isEqualTo(404);
    awaitTrue(() -> count("finalized", published.getString("request")) == 4);
    assertThat(query(buyer).getJsonArray("purchases").stream().map(p -> ((JsonObject) p).getString("state")))
        .containsExactly("final", "cancelled");
  }

  @Test
  void forgedMalformedOversizedAndUnauthorisedInputIsRejectedCountedAndChangesNothing() throws Exception {
    Crypto.KeyPair victim = fleet.members.get(0);
    Crypto.KeyPair stranger = TestFleet.key(77);
    share(victim, 2);
    awaitTrue(() -> distinctDigests() == 1);
    String before = query(victim).getString("ledgerDigest");

    // Gossip: a share in the victim's name with a forged signature, one by a stranger, junk.
    Share body = Pow.mine(new Share(TestFleet.NET, victim.id(), 3, "virtual", 1, 0), 1);
    vertx.eventBus().publish(addresses.gossip(), Signed.of(body, new byte[64]).wireText());
    Share strange = Pow.mine(new Share(TestFleet.NET, stranger.id(), 1, "virtual", 1, 0), 1);
    vertx.eventBus().publish(addresses.gossip(), Signed.sign(strange, stranger).wireText());
    vertx.eventBus().publish(addresses.gossip(), "hello");
    vertx.eventBus().publish(addresses.to(victim.id()), new JsonObject().put("x", 1));
    vertx.eventBus().publish(addresses.gossip(), "x".repeat(40_000));
    vertx.eventBus().publish(addresses.gossip(),
        fleet.command(fleet.operator, victim, 50, Command.Action.BUY, "Receipt", 1).wireText());
    // Commands: unsigned (no sig line), signed by a stranger, forged operator signature, wrong node, replay.
    String unsigned = fleet.command(fleet.operator, victim, 60, Command.Action.BUY, "Receipt", 1).wireText();
    unsigned = unsigned.substring(0, unsigned.indexOf("sig="));
    ReplyException noSig = commandFails(victim, unsigned);
    ReplyException strangerCmd = commandFails(victim,
        fleet.command(stranger, victim, 61, Command.Action.BUY, "Receipt", 1).wireText());
    Command forged = new Command(TestFleet.NET, fleet.operator.id(), victim.id(), 62, Command.Action.BUY, "Receipt", 1);
    ReplyException forgedCmd = commandFails(victim, Signed.of(forged, new byte[64]).wireText());
    ReplyException elsewhere = commandFails(victim,
        fleet.command(fleet.operator, fleet.members.get(1), 63, Command.Action.BUY, "Receipt", 1).wireText());
    command(fleet.command(fleet.operator, victim, 70, Command.Action.CANCEL, "Receipt", 99), 404);
    ReplyException replay = commandFails(victim,
        fleet.command(fleet.operator, victim, 70, Command.Action.BUY, "Receipt", 1).wireText());

    assertThat(noSig.getMessage()).startsWith("BAD_FIELDS");
    assertThat(strangerCmd.getMessage()).startsWith("UNKNOWN_AUTHOR");
    assertThat(forgedCmd.getMessage()).startsWith("BAD_SIGNATURE");
    assertThat(elsewhere.getMessage()).startsWith("BAD_COMMAND");
    assertThat(replay.getMessage()).startsWith("BAD_COMMAND");
    JsonObject rejections = query(fleet.members.get(3)).getJsonObject("rejections");
    assertThat(rejections.getMap()).containsKeys("BAD_SIGNATURE", "UNKNOWN_AUTHOR", "MALFORMED", "TOO_LARGE",
        "UNKNOWN_TYPE");
    JsonObject victimRejections = query(victim).getJsonObject("rejections");
    assertThat(victimRejections.getLong("MALFORMED")).isEqualTo(2); // "hello" on gossip, JSON on to.<id>
    assertThat(victimRejections.getLong("BAD_COMMAND")).isEqualTo(2);
    assertThat(query(victim).getString("ledgerDigest")).isEqualTo(before);
    assertThat(events.stream().filter(e -> "rejected".equals(e.getString("type")))).isNotEmpty();
    assertThat(count("finalized", null)).isZero();
  }

  @Test
  void aFrameOfSeveralMessagesIsHandledMessageByMessage() throws Exception {
    Crypto.KeyPair author = fleet.members.get(1);
    Crypto.KeyPair target = fleet.members.get(0);
    long sharesBefore = wallet(target, author).getLong("shares");
    long forgedBefore = query(target).getJsonObject("rejections").getLong("BAD_SIGNATURE", 0L);
    StringBuilder frame = new StringBuilder();
    for (long seq = sharesBefore + 1; seq <= sharesBefore + 3; seq++) {
      Share body = Pow.mine(new Share(TestFleet.NET, author.id(), seq, "virtual", 1000, 0), 1);
      frame.append(Signed.sign(body, author).wireText());
      if (seq == sharesBefore + 2) { // a forged one in the middle, then a part that is not a message
        Share forged = Pow.mine(new Share(TestFleet.NET, author.id(), seq + 100, "virtual", 1, 0), 1);
        frame.append(Signed.of(forged, new byte[64]).wireText()).append("junk\nsig=0\n");
      }
    }
    vertx.eventBus().publish(addresses.to(target.id()), frame.toString());

    awaitTrue(() -> wallet(target, author).getLong("shares") == sharesBefore + 3);
    JsonObject rejections = query(target).getJsonObject("rejections");
    assertThat(rejections.getLong("BAD_SIGNATURE", 0L)).isEqualTo(forgedBefore + 1);
    assertThat(rejections.getLong("BAD_FIELDS", 0L) + rejections.getLong("MALFORMED", 0L)).isEqualTo(1);
    assertThat(query(target).getJsonObject("perf").getLong("messagesReceived")).isGreaterThanOrEqualTo(5);
  }

  private JsonObject wallet(Crypto.KeyPair viewer, Crypto.KeyPair owner) {
    return query(viewer).getJsonArray("wallets").stream().map(JsonObject.class::cast)
        .filter(w -> owner.id().equals(w.getString("id"))).findFirst().orElseThrow();
  }

  @Test
  void aFloodInOneSendersNameIsDroppedBeforeVerification() throws Exception {
    stop();
    events.clear();
    start(new NodeConfig.RateLimit(5, 1));
    Crypto.KeyPair claimed = fleet.members.get(1);
    Crypto.KeyPair target = fleet.members.get(0);
    for (int seq = 1; seq <= 30; seq++) {
      Share body = Pow.mine(new Share(TestFleet.NET, claimed.id(), seq, "virtual", seq, 0), 1);
      vertx.eventBus().publish(addresses.to(target.id()), Signed.of(body, new byte[64]).wireText());
    }

    // At least 30: the claimed sender's own status messages share its bucket, and on a loaded
    // machine some of them are rate-limited too.
    awaitTrue(() -> query(target).getJsonObject("rejections").getLong("RATE_LIMITED", 0L)
        + query(target).getJsonObject("rejections").getLong("BAD_SIGNATURE", 0L) >= 30);
    JsonObject rejections = query(target).getJsonObject("rejections");
    // The burst of 5 (less what the claimed sender's own status messages used) was verified.
    assertThat(rejections.getLong("BAD_SIGNATURE")).isBetween(1L, 6L);
    assertThat(rejections.getLong("RATE_LIMITED")).isGreaterThanOrEqualTo(24L);
  }

  @Test
  void randomJunkOnEveryAddressIsCountedAndTheNodeKeepsWorking() throws Exception {
    Crypto.KeyPair node = fleet.members.get(0);
    java.util.Random random = new java.util.Random(42);
    for (int i = 0; i < 200; i++) {
      byte[] bytes = new byte[random.nextInt(600)];
      random.nextBytes(bytes);
      Object body = switch (i % 4) {
        case 0 -> new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1);
        case 1 -> io.vertx.core.buffer.Buffer.buffer(bytes);
        case 2 -> "wallance=1\nnet=unit\ntype=" + (i % 8 == 2 ? "vote" : "share") + "\nauthor=" + node.id() + "\n";
        default -> i;
      };
      vertx.eventBus().publish(i % 2 == 0 ? addresses.gossip() : addresses.to(node.id()), body);
    }

    awaitTrue(() -> query(node).getJsonObject("rejections").getMap().values().stream()
        .mapToLong(v -> ((Number) v).longValue()).sum() >= 200);
    assertThat(query(node).getJsonObject("rejections").containsKey("INTERNAL_ERROR")).isFalse();
    share(node, 5);
    JsonObject reply = command(fleet.command(fleet.operator, node, 1, Command.Action.BUY, "Receipt", 1));
    awaitTrue(() -> count("finalized", reply.getString("request")) == 4);
  }

  @Test
  void aCatalogueWhosePricesDifferFromTheRegistryIsReported() throws Exception {
    stop();
    events.clear();
    Path contracts = dir.resolve("other-contracts/Receipt");
    Files.createDirectories(contracts);
    Files.writeString(contracts.resolve("contract.json"), """
        {"name": "Receipt", "price": 3, "description": "dearer here",
         "action": {"command": ["true"], "timeoutSeconds": 5}}""");
    vertx = Vertx.vertx();
    vertx.eventBus().consumer(addresses.events(), m -> EventFrames.each(m.body(), events::add)).completion()
        .await(5, TimeUnit.SECONDS);
    NodeConfig config = new NodeConfig("pi1", dir.resolve("unused.key"), dir.resolve("unused.registry"),
        dir.resolve("pi1"), dir.resolve("other-contracts"), new NodeConfig.Sensor(SensorOptions.virtual(), 3_600_000,
        false), ClusterOptions.loopback("unit", List.of(5701), 5701, false, 5), NodeConfig.RateLimit.defaults());
    NodeDeployment.deploy(vertx, config, fleet.members.get(0), fleet.genesis).await(20, TimeUnit.SECONDS);

    awaitTrue(() -> events.stream().anyMatch(e -> "catalogue".equals(e.getString("type"))));
    JsonObject event = events.stream().filter(e -> "catalogue".equals(e.getString("type"))).findFirst().orElseThrow();
    assertThat(event.getBoolean("differs")).isTrue();
    assertThat(event.getString("registryDigest")).isEqualTo(fleet.genesis.body().catalogueDigest());
    awaitTrue(() -> query(fleet.members.get(0)).getJsonObject("catalogue").getBoolean("differs"));
    assertThat(query(fleet.members.get(0)).getJsonObject("catalogue").getJsonArray("contracts").getJsonObject(0)
        .getString("description")).isEqualTo("dearer here");
  }

  // ------------------------------------------------------------------ helpers

  private void share(Crypto.KeyPair node, int n) {
    for (int i = 0; i < n; i++) {
      await(vertx.eventBus().request(addresses.localShare(node.id()), new JsonObject().put("kind", "virtual")
          .put("value", 21_000 + i), new DeliveryOptions().setLocalOnly(true)));
    }
  }

  private JsonObject command(Signed<Command> c) {
    return await(vertx.eventBus().<JsonObject>request(addresses.command(c.body().node()), c.wireText())).body();
  }

  private void command(Signed<Command> c, int expectedFailure) {
    assertThat(commandFails(c).failureCode()).isEqualTo(expectedFailure);
  }

  private ReplyException commandFails(Signed<Command> c) {
    return commandFails(fleet.members.stream().filter(k -> k.id().equals(c.body().node())).findFirst().orElseThrow(),
        c.wireText());
  }

  private ReplyException commandFails(Crypto.KeyPair node, String wire) {
    try {
      await(vertx.eventBus().request(addresses.command(node.id()), wire));
    } catch (ReplyException e) {
      return e;
    } catch (Exception e) {
      throw new AssertionError("expected a failure reply, got " + e, e);
    }
    throw new AssertionError("the command was accepted");
  }

  private JsonObject query(Crypto.KeyPair node) {
    return await(vertx.eventBus().<JsonObject>request(addresses.query(node.id()), new JsonObject())).body();
  }

  private long distinctDigests() {
    return fleet.members.stream().map(k -> query(k).getString("ledgerDigest")).distinct().count();
  }

  private long count(String type, String request) {
    return events.stream().filter(e -> type.equals(e.getString("type"))
        && (request == null || request.equals(e.getString("request")))).count();
  }

  private JsonObject only(String type, String request) {
    return events.stream().filter(e -> type.equals(e.getString("type")) && request.equals(e.getString("request")))
        .findFirst().orElseThrow();
  }

  private JsonObject only(String type, String request, String node) {
    return events.stream().filter(e -> type.equals(e.getString("type")) && request.equals(e.getString("request"))
        && node.equals(e.getString("node"))).findFirst().orElseThrow();
  }

  private static <T> T await(Future<T> future) {
    try {
      return future.await(5, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError("no answer within 5 s", e);
    }
  }

  private static void awaitTrue(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within " + WAIT);
      }
      Thread.sleep(50);
    }
  }
}
