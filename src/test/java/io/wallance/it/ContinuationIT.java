package io.wallance.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.wallance.cli.Main;
import io.wallance.it.LocalNetwork.Node;
import io.wallance.node.RegistryFile;
import io.wallance.protocol.Command;
import io.wallance.protocol.Registry;
import io.wallance.protocol.Signed;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Removing dead Pis restores liveness (PROTOCOL.md 9.9, 9.10), over five real node processes
 * (quorum 4). One death is tolerated, and removing it with a plain new epoch keeps purchases
 * going. After a second death, a wallet whose head moved into the new epoch still buys (removal
 * alone sufficed for it), but one whose head is still in the genesis epoch stalls: 3 of its
 * quorum 4 are alive, and its node's view says so. The operator writes a continuing epoch
 * ({@code registry --continue-from} the live nodes' views) and the stalled purchase finalizes,
 * new ones too, digests agree, and the dead member, started again, catches up without conflict.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class ContinuationIT {

  private static final Duration SETTLE = Duration.ofSeconds(60);
  /** How long a stalled purchase is watched not to finalize (a loose bound: it never may). */
  private static final Duration STALL = Duration.ofSeconds(8);
  private static LocalNetwork network;

  @BeforeAll
  static void startNetwork() throws Exception {
    network = LocalNetwork.start("ContinuationIT", 5, 5, 300);
  }

  @AfterAll
  static void stopNetwork() {
    if (network != null) {
      network.close();
    }
  }

  @Test
  void removingDeadMembersRestoresLivenessEvenWhenMoreDiedThanTheQuorumTolerates() throws Exception {
    Node pi1 = network.node(0);
    Node pi2 = network.node(1);
    Node pi3 = network.node(2);
    Node pi4 = network.node(3);
    Node pi5 = network.node(4);

    // One of five dies: tolerated (4 = quorum); the operator removes it with a plain epoch 2.
    network.kill(pi5);
    String first = buy(pi1, 1);
    awaitFinal(first, List.of(pi1, pi2, pi3, pi4));
    Path epoch2 = registry("registry-2.txt", network.dir().resolve("registry.txt"), List.of("pi5"), List.of());
    publishAndAwait(epoch2, List.of(pi1, pi2, pi3, pi4));
    String second = buy(pi1, 2); // joint quorum: 4 of epoch 1, 3 of epoch 2; pi1's head moves into epoch 2
    awaitFinal(second, List.of(pi1, pi2, pi3, pi4));

    // A second death: more than epoch 1 tolerates, not more than epoch 2 does.
    network.kill(pi4);
    List<Node> live = List.of(pi1, pi2, pi3);
    String third = buy(pi1, 3);
    awaitFinal(third, live); // removal alone sufficed for a head in epoch 2: 3 of its quorum 3
    String stalled = buy(pi2, 1); // pi2's head is still genesis, in epoch 1: 3 of quorum 4 alive
    LocalNetwork.awaitTrue("pi2's view names the missing quorum of epoch 1", SETTLE,
        () -> tally(pi2, stalled, 1).equals(List.of(3, 4)));
    Thread.sleep(STALL.toMillis());
    assertThat(PurchaseIT.finalizedOn(network, stalled)).as("no quorum of epoch 1 is alive").isEmpty();
    assertThat(tally(pi2, stalled, 1)).isEqualTo(List.of(3, 4));
    assertThat(tally(pi2, stalled, 2)).as("epoch 2 alone would have it").isEqualTo(List.of(3, 3));

    // The operator continues from the live members' views, without pi4.
    List<String> views = new ArrayList<>();
    for (Node n : live) {
      Path f = network.dir().resolve("view-" + n.name() + ".json");
      Files.writeString(f, network.query(n).encode());
      views.add(f.toString());
    }
    Path epoch3 = registry("registry-3.txt", epoch2, List.of("pi4"), views);
    Registry three = RegistryFile.read(epoch3).body();
    assertThat(three.members()).hasSize(3);
    assertThat(three.continues()).hasSize(5);
    assertThat(three.continuation(pi1.id()).chain()).isEqualTo(3);
    assertThat(three.continuation(pi2.id()).chain()).isZero();
    publishAndAwait(epoch3, live);
    awaitFinal(stalled, live);
    String fourth = buy(pi3, 1);
    awaitFinal(fourth, live);
    awaitSameCheckpoint(live);
    for (Node n : live) {
      JsonObject view = network.query(n);
      assertThat(view.getLong("epoch")).isEqualTo(3);
      assertThat(view.getJsonObject("rejections").getLong("CONTINUATION_CONFLICT", 0L)).isZero();
    }

    // The dead pi4 comes back with its old data: it learns epochs 2 and 3, whose heads its chains
    // lead to, catches up, and holds the same ledger (it is no longer a member and does not vote).
    network.restart(pi4, List.of());
    List<Node> withPi4 = List.of(pi1, pi2, pi3, pi4);
    awaitSameCheckpoint(withPi4);
    JsonObject back = network.query(pi4);
    assertThat(back.getLong("epoch")).isEqualTo(3);
    assertThat(back.getJsonObject("rejections").getLong("CONTINUATION_CONFLICT", 0L)).isZero();
    assertThat(network.events(e -> "misbehaviour".equals(e.getString("type")))).isEmpty();
  }

  private static String buy(Node node, long purchase) throws Exception {
    network.command(node, Command.Action.BUY, "Receipt", purchase);
    return PurchaseIT.awaitRequest(network, node, purchase);
  }

  private static void awaitFinal(String request, List<Node> on) throws InterruptedException {
    LocalNetwork.awaitTrue("final on " + on.stream().map(Node::name).toList() + ": " + request, SETTLE,
        () -> PurchaseIT.finalizedOn(network, request).containsAll(on.stream().map(Node::id).toList()));
  }

  /** [members counted, quorum] of {@code request} in {@code epoch}, as the buyer's view shows it; empty if none. */
  private static List<Integer> tally(Node buyer, String request, long epoch) {
    try {
      JsonObject own = network.query(buyer).getJsonObject("ownRequest");
      if (own == null || !request.equals(own.getString("request"))) {
        return List.of();
      }
      JsonArray tally = own.getJsonArray("tally");
      for (Object o : tally) {
        JsonObject t = (JsonObject) o;
        if (t.getLong("epoch") == epoch) {
          return List.of(t.getInteger("counted"), t.getInteger("quorum"));
        }
      }
      return List.of();
    } catch (Exception e) {
      return List.of();
    }
  }

  /** {@code registry --previous PREVIOUS --remove …  [--continue-from VIEW …]}, signed by the operator. */
  private static Path registry(String name, Path previous, List<String> removed, List<String> views) {
    Path out = network.dir().resolve(name);
    List<String> args = new ArrayList<>(List.of("registry", "--operator-key",
        network.dir().resolve("keys").resolve("operator.key").toString(), "--previous", previous.toString(),
        "--out", out.toString()));
    removed.forEach(r -> args.addAll(List.of("--remove", r)));
    views.forEach(v -> args.addAll(List.of("--continue-from", v)));
    StringWriter err = new StringWriter();
    int code = Main.commandLine().setErr(new PrintWriter(err, true)).execute(args.toArray(String[]::new));
    assertThat(code).as(err.toString()).isZero();
    return out;
  }

  /** The operator's publish on {@code gossip}, as MembershipIT does; waits until every node named adopted it. */
  private static void publishAndAwait(Path file, List<Node> nodes) throws Exception {
    Signed<Registry> signed = RegistryFile.read(file);
    network.observer().eventBus().publish(network.addresses().gossip(), signed.wireText());
    for (Node n : nodes) {
      LocalNetwork.awaitTrue(n.name() + " adopts epoch " + signed.body().epoch(), SETTLE, () -> {
        try {
          return network.query(n).getLong("epoch") == signed.body().epoch();
        } catch (Exception e) {
          return false;
        }
      });
    }
  }

  private static void awaitSameCheckpoint(List<Node> nodes) throws InterruptedException {
    LocalNetwork.awaitTrue("identical checkpoint digests on " + nodes.stream().map(Node::name).toList(), SETTLE,
        () -> {
          try {
            Set<String> digests = new HashSet<>();
            for (Node n : nodes) {
              digests.add(network.query(n).getString("checkpointDigest"));
            }
            return digests.size() == 1;
          } catch (Exception e) {
            return false;
          }
        });
  }
}
