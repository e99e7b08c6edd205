package io.wallance.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.wallance.it.LocalNetwork.Node;
import io.wallance.node.CrashPoint;
import io.wallance.protocol.Command;
import java.nio.file.Files;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The real binary halted at each named crash point ({@code -Dwallance.crashAt}, test only),
 * then restarted from its data directory: nothing reported final is lost, the node catches up,
 * all checkpoint digests agree, no member signs two conflicting messages, and a contract run
 * cut short is reported {@code interrupted} and never run again.
 *
 * <p>One network: each node starts with its own crash point, so one purchase of pi1 halts
 * three of them (pi4 after persisting its vote, pi3 before committing the finality, pi1 during
 * its contract run) and a purchase of pi2 halts pi2 while its request is being sent.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class CrashRestartIT {

  private static final Duration CRASH = Duration.ofSeconds(60);
  private static final Duration SETTLE = Duration.ofSeconds(45);
  private static LocalNetwork network;

  @BeforeAll
  static void startNetwork() throws Exception {
    network = LocalNetwork.start("CrashRestartIT", LocalNetwork.options(4, 5, 300).withJvmArgs(Map.of(
        "pi1", crashAt(CrashPoint.CONTRACT_RUN),
        "pi2", crashAt(CrashPoint.REQUEST_SENDING),
        "pi3", crashAt(CrashPoint.BEFORE_FINAL_COMMIT),
        "pi4", crashAt(CrashPoint.VOTE_PERSISTED))));
  }

  @AfterAll
  static void stopNetwork() {
    if (network != null) {
      network.close();
    }
  }

  private static List<String> crashAt(CrashPoint p) {
    return List.of("-D" + CrashPoint.PROPERTY + "=" + p.wire());
  }

  @Test
  void everyCrashPointRestartsWithNothingLostNothingSignedTwiceAndNoRunRepeated() throws Exception {
    Node pi1 = network.node(0);
    Node pi2 = network.node(1);
    Node pi3 = network.node(2);
    Node pi4 = network.node(3);

    // Gossip flows between every pair first: a member that joined last may not yet be among
    // the subscribers another member's publish resolves, and then it would learn pi1's request
    // only with its certificate and never vote (so never reach its crash point).
    LocalNetwork.awaitTrue("every node holds shares of every member", SETTLE, () -> {
      for (Node n : network.nodes()) {
        try {
          JsonArray wallets = network.query(n).getJsonArray("wallets");
          if (wallets.size() != network.nodes().size()
              || wallets.stream().anyMatch(w -> ((JsonObject) w).getLong("shares") < 2)) {
            return false;
          }
        } catch (Exception e) {
          return false;
        }
      }
      return true;
    });

    // pi1 buys: pi4 halts after persisting its vote, pi3 before committing the finality.
    network.command(pi1, Command.Action.BUY, "Receipt", 1);
    assertThat(network.awaitExit(pi4, CRASH)).isEqualTo(CrashPoint.EXIT_STATUS);
    assertThat(network.awaitExit(pi3, CRASH)).isEqualTo(CrashPoint.EXIT_STATUS);
    assertThat(Files.readString(pi4.log())).contains("CRASH POINT vote-persisted");
    assertThat(Files.readString(pi3.log())).contains("CRASH POINT before-final-commit");
    network.restart(pi3, List.of());
    network.restart(pi4, List.of());
    // The purchase finalizes (if it had not) and pi1 halts during its contract run.
    assertThat(network.awaitExit(pi1, CRASH)).isEqualTo(CrashPoint.EXIT_STATUS);
    assertThat(Files.readString(pi1.log())).contains("CRASH POINT contract-run");
    network.restart(pi1, List.of());

    JsonObject view = network.query(pi1);
    JsonObject first = view.getJsonArray("purchases").getJsonObject(0);
    assertThat(first.getString("state")).isEqualTo("final");
    String request1 = first.getString("request");
    JsonArray interrupted = view.getJsonArray("interruptedRuns");
    assertThat(interrupted).hasSize(1);
    assertThat(interrupted.getJsonObject(0).getString("request")).isEqualTo(request1);
    LocalNetwork.awaitTrue("interrupted run reported", SETTLE, () -> !contracts(request1, "interrupted").isEmpty());
    awaitChain(pi1, 1);

    // pi2 buys: it halts with its request durable but not sent; the reply never comes.
    try {
      network.command(pi2, Command.Action.BUY, "Receipt", 1);
    } catch (Exception expected) {
      // no reply: the process halted before publishing anything of the purchase
    }
    assertThat(network.awaitExit(pi2, CRASH)).isEqualTo(CrashPoint.EXIT_STATUS);
    assertThat(Files.readString(pi2.log())).contains("CRASH POINT request-sending");
    network.restart(pi2, List.of());
    LocalNetwork.awaitTrue("pi2's purchase final after the restart", SETTLE, () -> {
      try {
        JsonObject p = network.query(pi2).getJsonArray("purchases").getJsonObject(0);
        return "final".equals(p.getString("state"));
      } catch (Exception e) {
        return false;
      }
    });
    String request2 = network.query(pi2).getJsonArray("purchases").getJsonObject(0).getString("request");
    awaitChain(pi2, 1);

    PurchaseIT.awaitSameCheckpoint(network);
    for (Node n : network.nodes()) {
      JsonObject v = network.query(n);
      assertThat(v.getInteger("misbehaviour")).as(n.name() + " evidence").isZero();
      assertThat(v.getBoolean("healthy")).isTrue();
    }
    // Every request event of pi2 is the one request it signed on its genesis state.
    assertThat(network.events(e -> "request".equals(e.getString("type")) && pi2.id().equals(e.getString("buyer")))
        .stream().map(e -> e.getString("request")).distinct()).containsExactly(request2);
    assertVotesUnique();
    // The interrupted run is never repeated by itself; pi2's ran once.
    LocalNetwork.awaitTrue("pi2's contract ran", SETTLE, () -> contracts(request2, "succeeded").size() == 1);
    Thread.sleep(2000);
    assertThat(network.events(e -> "contract".equals(e.getString("type")) && request1.equals(e.getString("request"))
        && !"interrupted".equals(e.getString("status")))).isEmpty();
    assertThat(contracts(request2, null)).hasSize(1);
  }

  /** No voter signed votes for two different requests on one (buyer, prev). */
  private static void assertVotesUnique() {
    Map<String, String> slotOf = new HashMap<>();
    for (JsonObject e : network.events(e -> "request".equals(e.getString("type")))) {
      slotOf.put(e.getString("request"), e.getString("buyer") + "/" + e.getString("prev"));
    }
    Map<String, Set<String>> requestsBySlotAndVoter = new HashMap<>();
    for (JsonObject e : network.events(e -> "vote".equals(e.getString("type")))) {
      String slot = slotOf.get(e.getString("request"));
      if (slot != null) {
        requestsBySlotAndVoter.computeIfAbsent(slot + "/" + e.getString("voter"), k -> new HashSet<>())
            .add(e.getString("request"));
      }
    }
    assertThat(requestsBySlotAndVoter).isNotEmpty();
    requestsBySlotAndVoter.forEach((k, v) -> assertThat(v).as(k).hasSize(1));
  }

  private static List<JsonObject> contracts(String request, String status) {
    return network.events(e -> "contract".equals(e.getString("type")) && request.equals(e.getString("request"))
        && (status == null || status.equals(e.getString("status"))));
  }

  /** Every node holds {@code buyer}'s chain of {@code length} purchases. */
  private static void awaitChain(Node buyer, long length) throws InterruptedException {
    LocalNetwork.awaitTrue(buyer.name() + "'s chain everywhere", SETTLE, () -> {
      try {
        for (Node n : network.nodes()) {
          JsonArray wallets = network.query(n).getJsonArray("wallets");
          boolean held = wallets.stream().map(w -> (JsonObject) w)
              .anyMatch(w -> buyer.id().equals(w.getString("id")) && w.getLong("chain") == length);
          if (!held) {
            return false;
          }
        }
        return true;
      } catch (Exception e) {
        return false;
      }
    });
  }
}
