package io.wallance.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import io.wallance.it.LocalNetwork.Node;
import io.wallance.protocol.Command;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * Four members, quorum 3 (f = 1). With one node stopped (SIGSTOP, as a hung Pi) purchases
 * still finalize; with two stopped a purchase cannot finalize and nothing diverges; once they
 * continue it finalizes, exactly once. Failure detection (10 s) is longer than any pause
 * here, so the stopped JVMs stay cluster members and simply lag, as a hung Pi would.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PauseIT {

  private static LocalNetwork network;

  @BeforeAll
  static void startNetwork() throws Exception {
    network = LocalNetwork.start("PauseIT", 4, 10, 300);
  }

  @AfterAll
  static void stopNetwork() {
    if (network != null) {
      network.close();
    }
  }

  @Test
  @Order(1)
  void withOneMemberPausedPurchasesStillFinalize() throws Exception {
    Node buyer = network.node(0);
    Node paused = network.node(3);
    network.pause(paused);

    network.command(buyer, Command.Action.BUY, "Receipt", 1);
    String request = PurchaseIT.awaitRequest(network, buyer, 1);

    LocalNetwork.awaitTrue("final on the three running nodes", PurchaseIT.SETTLE,
        () -> PurchaseIT.finalizedOn(network, request).size() == 3);
    assertThat(PurchaseIT.finalizedOn(network, request)).doesNotContain(paused.id());
    network.resume(paused);
    PurchaseIT.awaitFinalEverywhere(network, request); // the paused node catches up
  }

  @Test
  @Order(2)
  void withTwoPausedAPurchaseWaitsWithoutDivergingAndFinalizesOnceWhenTheyResume() throws Exception {
    Node buyer = network.node(1);
    Node running = network.node(0);
    network.pause(network.node(2));
    network.pause(network.node(3));

    network.command(buyer, Command.Action.BUY, "Receipt", 2);
    String request = PurchaseIT.awaitRequest(network, buyer, 2);
    Thread.sleep(Duration.ofSeconds(4).toMillis());

    assertThat(PurchaseIT.finalizedOn(network, request)).as("no quorum of 3 among 2 running").isEmpty();
    JsonObject a = network.query(buyer);
    JsonObject b = network.query(running);
    assertThat(a.getLong("chain")).isZero();
    assertThat(wallet(b, buyer).getString("state")).isEqualTo(a.getString("state"));
    assertThat(b.getJsonArray("wallets").stream().map(w -> ((JsonObject) w).getString("state")).toList())
        .isEqualTo(a.getJsonArray("wallets").stream().map(w -> ((JsonObject) w).getString("state")).toList());
    assertThat(a.getJsonArray("purchases").getJsonObject(0).getString("state")).isEqualTo("published");

    network.resume(network.node(2));
    network.resume(network.node(3));

    PurchaseIT.awaitFinalEverywhere(network, request);
    LocalNetwork.awaitTrue("the contract ran", PurchaseIT.SETTLE, () -> !contracts(request).isEmpty());
    PurchaseIT.awaitSameCheckpoint(network);
    Thread.sleep(1000);
    assertThat(contracts(request)).hasSize(1);
    assertThat(PurchaseIT.finalizedOn(network, request)).hasSize(4);
    assertThat(network.events(e -> "finalized".equals(e.getString("type")) && request.equals(e.getString("request"))))
        .hasSize(4);
    for (Node n : network.nodes()) {
      assertThat(wallet(network.query(n), buyer).getLong("chain")).as(n.name()).isEqualTo(1);
    }
  }

  private static java.util.List<JsonObject> contracts(String request) {
    return network.events(e -> "contract".equals(e.getString("type")) && request.equals(e.getString("request")));
  }

  private static JsonObject wallet(JsonObject view, Node node) {
    return view.getJsonArray("wallets").stream().map(JsonObject.class::cast)
        .filter(w -> node.id().equals(w.getString("id"))).findFirst().orElseThrow();
  }

  static Set<String> ids(Node... nodes) {
    return java.util.Arrays.stream(nodes).map(Node::id).collect(java.util.stream.Collectors.toSet());
  }
}
