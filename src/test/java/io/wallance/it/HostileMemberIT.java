package io.wallance.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import io.wallance.it.LocalNetwork.Node;
import io.wallance.protocol.Command;
import io.wallance.protocol.Crypto;
import io.wallance.protocol.Pow;
import io.wallance.protocol.Share;
import io.wallance.protocol.Signed;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A rogue cluster member (open-source Hazelcast authenticates no one; here the test's own
 * observer) publishes forged, unsigned, malformed and oversized messages on every address.
 * Each is rejected with a typed reason and counted on the nodes; no ledger changes; the
 * network then still completes a purchase.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class HostileMemberIT {

  private static final java.util.List<String> GOSSIP_REASONS = java.util.List.of("BAD_SIGNATURE", "BAD_POW",
      "UNKNOWN_AUTHOR", "WRONG_NETWORK", "UNKNOWN_TYPE", "MALFORMED", "BAD_FIELDS", "TOO_LARGE");
  /** A node ignores gossip in its own name (it holds its own messages), forged or not. */
  private static final java.util.List<String> OWN_NAME_REASONS = java.util.List.of("UNKNOWN_AUTHOR", "WRONG_NETWORK",
      "UNKNOWN_TYPE", "MALFORMED", "BAD_FIELDS", "TOO_LARGE");
  private static final String FAKE_REQUEST = "cd".repeat(32);
  private static LocalNetwork network;

  @BeforeAll
  static void startNetwork() throws Exception {
    network = LocalNetwork.start("HostileMemberIT", 4, 5, 300);
  }

  @AfterAll
  static void stopNetwork() {
    if (network != null) {
      network.close();
    }
  }

  @Test
  void everyKindOfBadInputIsRejectedCountedAndChangesNoLedger() throws Exception {
    EventBus bus = network.observer().eventBus();
    var addresses = network.addresses();
    HostileMember rogue = new HostileMember(network);
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

  private static void assertRefused(Node node, Object body, int code, String reason) throws Exception {
    try {
      network.send(node, body);
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
