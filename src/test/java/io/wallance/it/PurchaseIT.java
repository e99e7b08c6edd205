package io.wallance.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import io.wallance.it.LocalNetwork.Node;
import io.wallance.protocol.Command;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Four node processes from the real jar complete purchases end to end: the operator's signed
 * command, the node's own request, votes, finality on every node, identical checkpoint
 * digests, and the contract's action run exactly once on the buyer.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PurchaseIT {

  static final Duration SETTLE = Duration.ofSeconds(30);
  private static LocalNetwork network;

  @BeforeAll
  static void startNetwork() throws Exception {
    network = LocalNetwork.start("PurchaseIT", 4, 5, 300);
  }

  @AfterAll
  static void stopNetwork() {
    if (network != null) {
      network.close();
      // SIGTERM: each node's shutdown hook closed Vert.x and left the cluster by itself.
      assertThat(network.stoppedGracefully()).isEqualTo(4);
    }
  }

  @Test
  void queuedPurchasesFinalizeOnEveryNodeAndRunTheContractOnceOnTheBuyer() throws Exception {
    Node buyer = network.node(0);

    JsonObject first = network.command(buyer, Command.Action.BUY, "Receipt", 1);
    JsonObject second = network.command(buyer, Command.Action.BUY, "Receipt", 2);

    assertThat(first.getBoolean("accepted")).isTrue();
    // One request per wallet state: the second queues until the first is final (milliseconds
    // here, so by the time it is accepted it may already be out).
    assertThat(second.getBoolean("accepted")).isTrue();
    for (long purchase : new long[] {1, 2}) {
      String request = awaitRequest(network, buyer, purchase);
      awaitFinalEverywhere(network, request);
      LocalNetwork.awaitTrue("contract of purchase " + purchase, SETTLE, () -> contractEvents(request) == 1);
      JsonObject contract = network.events(e -> "contract".equals(e.getString("type"))
          && request.equals(e.getString("request"))).get(0);
      assertThat(contract.getString("node")).isEqualTo(buyer.id());
      assertThat(contract.getString("status")).isEqualTo("succeeded");
      assertThat(contract.getInteger("exitCode")).isZero();
      assertThat(buyer.dataDir().resolve("receipts/" + purchase + ".receipt")).isRegularFile();
      assertThat(Files.readString(buyer.dataDir().resolve("receipts/" + purchase + ".receipt")))
          .contains("buyer=" + buyer.id());
    }
    awaitSameCheckpoint(network);
    JsonObject view = network.query(buyer);
    assertThat(view.getLong("chain")).isEqualTo(2);
    assertThat(view.getJsonArray("purchases").stream().map(p -> ((JsonObject) p).getString("state")))
        .containsExactly("final", "final");
    for (Node other : network.nodes().subList(1, 4)) {
      assertThat(Files.exists(other.dataDir().resolve("receipts/1.receipt"))).isFalse();
    }
    Thread.sleep(1000); // nothing runs a second time later
    assertThat(network.events(e -> "contract".equals(e.getString("type")))).hasSize(2);
  }

  @Test
  void aCommandIsRefusedWhenReplayedOrForAnUnknownContract() throws Exception {
    Node node = network.node(2);
    try {
      network.command(node, Command.Action.BUY, "Caviar", 5);
      throw new AssertionError("accepted");
    } catch (ReplyException e) {
      assertThat(e.failureCode()).isEqualTo(400);
      assertThat(e.getMessage()).startsWith("UNKNOWN_CONTRACT");
    }
  }

  // ------------------------------------------------------------------ shared with the other ITs

  /** Waits for the node's purchase to be published and returns its request hash. */
  static String awaitRequest(LocalNetwork network, Node buyer, long purchase) throws InterruptedException {
    LocalNetwork.awaitTrue("purchase " + purchase + " published", SETTLE, () -> !published(network, buyer, purchase)
        .isEmpty());
    return published(network, buyer, purchase).get(0).getString("request");
  }

  private static java.util.List<JsonObject> published(LocalNetwork network, Node buyer, long purchase) {
    return network.events(e -> "purchase".equals(e.getString("type")) && buyer.id().equals(e.getString("node"))
        && e.getLong("purchase") == purchase && "published".equals(e.getString("state")));
  }

  static Set<String> finalizedOn(LocalNetwork network, String request) {
    return network.events(e -> "finalized".equals(e.getString("type")) && request.equals(e.getString("request")))
        .stream().map(e -> e.getString("node")).collect(Collectors.toSet());
  }

  static void awaitFinalEverywhere(LocalNetwork network, String request) throws InterruptedException {
    LocalNetwork.awaitTrue("finalized on every node: " + request, SETTLE,
        () -> finalizedOn(network, request).size() == network.nodes().size());
    assertThat(network.events(e -> "finalized".equals(e.getString("type")) && request.equals(e.getString("request"))))
        .as("one finalized event per node").hasSize(network.nodes().size());
  }

  /** Sensors keep sharing, so ledgers are compared at the checkpoint cut. */
  static void awaitSameCheckpoint(LocalNetwork network) throws InterruptedException {
    LocalNetwork.awaitTrue("identical checkpoint digests", SETTLE, () -> {
      try {
        Set<String> digests = new java.util.HashSet<>();
        for (Node n : network.nodes()) {
          digests.add(network.query(n).getString("checkpointDigest"));
        }
        return digests.size() == 1;
      } catch (Exception e) {
        return false;
      }
    });
  }

  private long contractEvents(String request) {
    return network.events(e -> "contract".equals(e.getString("type")) && request.equals(e.getString("request")))
        .size();
  }
}
