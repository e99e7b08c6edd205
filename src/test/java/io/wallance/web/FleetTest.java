package io.wallance.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

class FleetTest {
  private final TestRegistry net = TestRegistry.of(4);
  private final Fleet fleet = new Fleet(net.registry());
  private final String pi1 = net.id("pi1");
  private final String pi2 = net.id("pi2");
  private static final String REQ = "ab".repeat(32);

  private JsonObject event(String type, String node) {
    return new JsonObject().put("type", type).put("node", node).put("name", "whatever");
  }

  private JsonObject node(String name) {
    return fleet.toJson().getJsonArray("nodes").stream().map(JsonObject.class::cast)
        .filter(n -> n.getString("name").equals(name)).findFirst().orElseThrow();
  }

  @Test
  void listsEveryMemberOfflineUntilItAnswers() {
    JsonObject state = fleet.toJson();

    assertThat(state.getJsonArray("nodes")).hasSize(4);
    assertThat(node("pi1").getBoolean("online")).isFalse();
    assertThat(state.getJsonArray("contracts").stream().map(c -> ((JsonObject) c).getString("name")))
        .containsExactly("Nespresso", "Receipt");
  }

  @Test
  void aViewMakesANodeOnlineWithBalanceInDcoinAndTheCheckpointDigest() {
    fleet.onView(pi1, new JsonObject().put("balanceUnits", 12).put("state", "cd".repeat(32))
        .put("checkpointDigest", "ef".repeat(32)).put("ledgerDigest", "01".repeat(32)).put("pending", 1)
        .put("catalogue", new JsonObject().put("contracts", new JsonArray()
            .add(new JsonObject().put("name", "Receipt").put("price", 1).put("description", "a receipt")))));

    JsonObject n = node("pi1");
    assertThat(n.getBoolean("online")).isTrue();
    assertThat(n.getDouble("balance")).isEqualTo(2.4);
    assertThat(n.getString("ledgerDigest")).isEqualTo("ef".repeat(32));
    assertThat(n.getString("liveDigest")).isEqualTo("01".repeat(32));
    assertThat(fleet.toJson().getJsonArray("contracts").getJsonObject(1).getString("description"))
        .isEqualTo("a receipt");

    fleet.onUnreachable(pi1);
    assertThat(node("pi1").getBoolean("online")).isFalse();
    assertThat(node("pi1").getDouble("balance")).as("last known").isEqualTo(2.4);
  }

  @Test
  void headsListEveryWalletOfTheNodesThatAnsweredOnly() {
    fleet.onView(pi1, new JsonObject().put("epoch", 1).put("wallets", new JsonArray()
        .add(new JsonObject().put("id", pi1).put("name", "pi1").put("state", "cd".repeat(32)).put("chain", 2)
            .put("balanceUnits", 4))
        .add(new JsonObject().put("id", pi2).put("state", "00".repeat(32)).put("chain", 0))));
    JsonObject heads = fleet.heads();
    JsonObject first = heads.getJsonArray("nodes").getJsonObject(0);
    JsonObject mine = heads.getJsonArray("nodes").stream().map(o -> (JsonObject) o)
        .filter(o -> pi1.equals(o.getString("id"))).findFirst().orElseThrow();
    assertThat(mine.getBoolean("online")).isTrue();
    assertThat(mine.getLong("epoch")).isEqualTo(1);
    assertThat(mine.getJsonArray("wallets").getJsonObject(0).fieldNames()).containsExactlyInAnyOrder("id", "state",
        "chain");
    assertThat(mine.getJsonArray("wallets").getJsonObject(0).getLong("chain")).isEqualTo(2);
    assertThat(heads.getJsonArray("nodes").stream().map(o -> (JsonObject) o)
        .filter(o -> !pi1.equals(o.getString("id")))).allMatch(o -> !o.getBoolean("online") && !o.containsKey("wallets"));
    assertThat(first.containsKey("name")).isTrue();
  }

  @Test
  void theOwnRequestTallySaysWhyAPurchaseIsNotFinal() {
    fleet.onView(pi1, new JsonObject().put("ownRequest", new JsonObject().put("request", REQ).put("tally",
        new JsonArray().add(new JsonObject().put("epoch", 1).put("counted", 3).put("quorum", 4)))));
    JsonObject own = node("pi1").getJsonObject("ownRequest");
    assertThat(own.getString("request")).isEqualTo(REQ);
    assertThat(own.getJsonArray("tally").getJsonObject(0).getMap()).containsEntry("counted", 3L)
        .containsEntry("quorum", 4L).containsEntry("epoch", 1L);
    fleet.onView(pi2, new JsonObject().put("ownRequest", "junk"));
    assertThat(node("pi2").getValue("ownRequest")).isNull();
  }

  @Test
  void aNewerEpochAddsItsMembersAndAnOlderOneIsIgnored() {
    String pi5 = TestRegistry.key(5).id();
    java.util.List<io.wallance.protocol.Registry.Party> members = new java.util.ArrayList<>(net.registry().members());
    members.add(new io.wallance.protocol.Registry.Party(pi5, "pi5"));
    members.sort(java.util.Comparator.comparing(io.wallance.protocol.Registry.Party::id));
    io.wallance.protocol.Registry r = net.registry();
    io.wallance.protocol.Registry epoch2 = new io.wallance.protocol.Registry(r.net(), 2, 0, r.dcoinRate(), r.reward(),
        r.difficulty(), r.outdate(), members, r.operators(), r.contracts(), r.signer());
    assertThat(fleet.onEvent(event("node", pi5))).as("not a member yet").isFalse();

    assertThat(fleet.adopt(epoch2)).isTrue();
    assertThat(fleet.adopt(r)).as("older").isFalse();

    JsonObject state = fleet.toJson();
    assertThat(state.getLong("epoch")).isEqualTo(2);
    assertThat(state.getLong("quorum")).isEqualTo(4);
    assertThat(state.getJsonArray("nodes")).hasSize(5);
    assertThat(node("pi5").getBoolean("online")).isFalse();
    assertThat(fleet.onEvent(event("node", pi5).put("balanceUnits", 1))).isTrue();
    fleet.onView(pi5, new JsonObject().put("epoch", 2).put("quorum", 4).put("inSync", true).put("healthy", true));
    assertThat(node("pi5").getLong("epoch")).isEqualTo(2);
    assertThat(node("pi5").getLong("quorum")).isEqualTo(4);
    assertThat(node("pi5").getBoolean("inSync")).isTrue();
  }

  @Test
  void aMessageOfSeveralEventsIsAppliedInOrderAndItsMalformedEntriesAreCounted() {
    fleet.onEvents(new io.vertx.core.json.JsonArray().add(event("node", pi1).put("balanceUnits", 7)).add("junk")
        .add(event("node", pi1).put("balanceUnits", 9)).add(42));
    fleet.onEvents("not an event");
    assertThat(node("pi1").getLong("balanceUnits")).as("the later event of the array wins").isEqualTo(9);
    assertThat(fleet.toJson().getLong("ignoredEvents")).isEqualTo(3);
  }

  @Test
  void ignoresEventsFromStrangersAndMalformedOnes() {
    assertThat(fleet.onEvent(event("node", "00".repeat(32)))).isFalse();
    assertThat(fleet.onEvent("a string")).isFalse();
    assertThat(fleet.onEvent(new JsonObject().put("type", "vote"))).isFalse();
    assertThat(fleet.onEvent(event("vote", pi1).put("request", "short").put("voter", pi2))).isFalse();
    assertThat(fleet.onEvent(event("bogus", pi1))).isFalse();

    assertThat(fleet.toJson().getLong("ignoredEvents")).isEqualTo(5);
    assertThat(fleet.toJson().getJsonArray("recentVotes")).isEmpty();
  }

  @Test
  void followsAPurchaseFromCommandReplyToFinality() {
    fleet.onCommandReply(pi1, "Receipt", new JsonObject().put("accepted", true).put("purchase", 7)
        .put("state", "waiting").put("missingUnits", 3));
    assertThat(node("pi1").getInteger("waiting")).isEqualTo(1);

    fleet.onEvent(event("purchase", pi1).put("purchase", 7).put("contract", "Receipt").put("state", "published")
        .put("request", REQ).put("missingUnits", 0));
    fleet.onEvent(event("request", pi2).put("request", REQ).put("buyer", pi1).put("contract", "Receipt")
        .put("price", 1));
    fleet.onEvent(event("vote", pi2).put("request", REQ).put("voter", pi2));
    fleet.onEvent(event("vote", net.id("pi3")).put("request", REQ).put("voter", pi2)); // same vote seen twice
    assertThat(node("pi1").getInteger("pending")).isEqualTo(1);
    assertThat(fleet.toJson().getJsonArray("recentVotes")).hasSize(1);
    assertThat(fleet.toJson().getJsonArray("recentRequests").getJsonObject(0).getJsonArray("voters"))
        .containsExactly("pi2");

    for (String n : new String[] {pi1, pi2}) {
      fleet.onEvent(event("finalized", n).put("request", REQ).put("buyer", pi1).put("contract", "Receipt")
          .put("price", 1).put("balanceBefore", 12).put("balanceAfter", 7).put("latencyMs", 12));
    }

    JsonObject p = fleet.purchase(pi1, 7).orElseThrow();
    assertThat(p.getString("state")).isEqualTo("final");
    assertThat(p.getDouble("balanceBefore")).isEqualTo(2.4);
    assertThat(p.getDouble("balanceAfter")).isEqualTo(1.4);
    JsonObject f = fleet.toJson().getJsonArray("recentFinalized").getJsonObject(0);
    assertThat(f.getJsonArray("finalizedOn")).containsExactly("pi1", "pi2");
    assertThat(node("pi1").getInteger("pending")).isZero();
    assertThat(node("pi1").getJsonArray("purchases")).isEmpty();
  }

  @Test
  void everyVoterIsKeptWhateverOrderTheEventsArriveIn() {
    String pi3 = net.id("pi3");
    String pi4 = net.id("pi4");
    // A vote before its request, finality (naming its quorum) before the other vote events,
    // and a late vote after finality: as a healthy network delivers them.
    fleet.onEvent(event("vote", pi3).put("request", REQ).put("voter", pi3));
    fleet.onEvent(event("request", pi2).put("request", REQ).put("buyer", pi1).put("contract", "Receipt")
        .put("price", 1));
    fleet.onEvent(event("finalized", pi1).put("request", REQ).put("buyer", pi1).put("contract", "Receipt")
        .put("price", 1).put("balanceBefore", 12).put("balanceAfter", 7).put("latencyMs", 5)
        .put("voters", new JsonArray().add(pi2).add(pi3)));
    fleet.onEvent(event("vote", pi4).put("request", REQ).put("voter", pi4));
    fleet.onEvent(event("finalized", pi2).put("request", REQ).put("buyer", pi1).put("contract", "Receipt")
        .put("price", 1).put("balanceBefore", 12).put("balanceAfter", 7).put("latencyMs", 3)
        .put("voters", new JsonArray().add(pi3).add(pi4).add("00".repeat(32))));

    JsonObject r = fleet.toJson().getJsonArray("recentRequests").getJsonObject(0);
    assertThat(r.getBoolean("final")).isTrue();
    assertThat(r.getJsonArray("voters")).containsExactly("pi3", "pi2", "pi4");
    JsonObject f = fleet.toJson().getJsonArray("recentFinalized").getJsonObject(0);
    assertThat(f.getJsonArray("voters")).as("a stranger named as a voter is not one").containsExactly("pi3", "pi2",
        "pi4");
    assertThat(f.getJsonObject("latencyMs").getLong("pi1")).isEqualTo(5);
  }

  @Test
  void aStaleViewDoesNotTakeAPurchaseBack() {
    fleet.onEvent(event("purchase", pi1).put("purchase", 3).put("contract", "Receipt").put("state", "cancelled"));
    fleet.onView(pi1, new JsonObject().put("purchases", new JsonArray()
        .add(new JsonObject().put("purchase", 3).put("contract", "Receipt").put("state", "waiting"))));

    assertThat(fleet.purchase(pi1, 3).orElseThrow().getString("state")).isEqualTo("cancelled");
  }

  @Test
  void recentListsAreBoundedAndLongTextIsCapped() {
    for (int i = 0; i < Fleet.RECENT + 50; i++) {
      fleet.onEvent(event("rejected", pi2).put("reason", "BAD_SIGNATURE").put("detail", "x".repeat(10_000)));
    }

    JsonArray rejections = fleet.toJson().getJsonArray("recentRejections");
    assertThat(rejections).hasSize(Fleet.RECENT);
    assertThat(rejections.getJsonObject(0).getString("detail").length()).isLessThan(300);
  }
}
