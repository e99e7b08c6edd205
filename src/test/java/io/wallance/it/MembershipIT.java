package io.wallance.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.wallance.it.LocalNetwork.Node;
import io.wallance.node.RegistryFile;
import io.wallance.protocol.Body;
import io.wallance.protocol.Codec;
import io.wallance.protocol.Command;
import io.wallance.protocol.Crypto;
import io.wallance.protocol.Frames;
import io.wallance.protocol.Pow;
import io.wallance.protocol.Pull;
import io.wallance.protocol.Registry;
import io.wallance.protocol.Request;
import io.wallance.protocol.Share;
import io.wallance.protocol.Signed;
import io.wallance.protocol.Status;
import io.wallance.protocol.Vote;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Growing the fleet: four nodes run purchases; the operator signs epoch 2 with a fifth member
 * ({@code registry --previous}) and publishes it; the new node starts with the genesis plus
 * that file, syncs from peers while one member (pi4, as many liars as five members tolerate)
 * lies about its ledger with signed fake statuses and fake pull answers, then votes: with pi4
 * gone, no purchase of epoch 2 can finalize without pi5's vote (quorum 4 of 5).
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class MembershipIT {

  private static final Duration SETTLE = Duration.ofSeconds(60);
  private static LocalNetwork network;

  @BeforeAll
  static void startNetwork() throws Exception {
    network = LocalNetwork.start("MembershipIT", LocalNetwork.options(4, 5, 300).withSpare(1));
  }

  @AfterAll
  static void stopNetwork() {
    if (network != null) {
      network.close();
    }
  }

  @Test
  void aFifthMemberJoinsThroughANewEpochSyncsDespiteALiarAndThenVotes() throws Exception {
    Node pi1 = network.node(0);
    Node liar = network.node(3);
    network.command(pi1, Command.Action.BUY, "Receipt", 1);
    String first = PurchaseIT.awaitRequest(network, pi1, 1);
    PurchaseIT.awaitFinalEverywhere(network, first);

    Node pi5 = network.addMember("pi5");
    Signed<Registry> epoch2 = RegistryFile.read(network.newestRegistry());
    assertThat(epoch2.body().quorumSize()).isEqualTo(4);
    network.observer().eventBus().publish(network.addresses().gossip(), epoch2.wireText()); // the operator's publish
    for (Node n : network.nodes().subList(0, 4)) {
      LocalNetwork.awaitTrue(n.name() + " adopts epoch 2", SETTLE, () -> epoch(n) == 2);
    }

    // pi4 turns liar: its process is gone, the test signs in its name.
    network.kill(liar);
    List<String> lies = new ArrayList<>();
    MessageConsumer<Object> answering = network.observer().eventBus().consumer(network.addresses().to(liar.id()),
        m -> lies.addAll(lieAbout(m.body(), liar.key(), pi5)));
    answering.completion().await(5, TimeUnit.SECONDS);
    long timer = network.observer().setPeriodic(500, id -> network.observer().eventBus()
        .publish(network.addresses().gossip(), fakeStatus(liar.key()).wireText()));
    try {
      network.restart(pi5, List.of());
      awaitSameCheckpoint(alive());
      LocalNetwork.awaitTrue("pi5 in sync", SETTLE, () -> {
        try {
          return network.query(pi5).getBoolean("inSync");
        } catch (Exception e) {
          return false;
        }
      });
      LocalNetwork.awaitTrue("pi5 refused the liar's forgeries", SETTLE, () -> {
        try {
          return !lies.isEmpty() && network.query(pi5).getJsonObject("rejections").getLong("BAD_SIGNATURE", 0L) > 0;
        } catch (Exception e) {
          return false;
        }
      });
      awaitSameCheckpoint(alive());
      JsonObject view = network.query(pi5);
      assertThat(view.getLong("epoch")).isEqualTo(2);
      assertThat(view.getBoolean("inSync")).as("one liar cannot keep it out of sync").isTrue();
      assertThat(chainOf(pi5, pi1)).isEqualTo(1);

      // Purchases go on: with pi4 gone, each needs pi5's vote (4 of 5, and 3 of epoch 1 for pi1's wallet).
      network.command(pi1, Command.Action.BUY, "Receipt", 2);
      String second = PurchaseIT.awaitRequest(network, pi1, 2);
      network.command(pi5, Command.Action.BUY, "Receipt", 1);
      String third = PurchaseIT.awaitRequest(network, pi5, 1);
      for (String r : List.of(second, third)) {
        LocalNetwork.awaitTrue("final on every live node: " + r, SETTLE,
            () -> PurchaseIT.finalizedOn(network, r).containsAll(alive().stream().map(Node::id).toList()));
      }
      assertThat(network.events(e -> "vote".equals(e.getString("type")) && pi5.id().equals(e.getString("voter"))
          && second.equals(e.getString("request")))).isNotEmpty();
      awaitSameCheckpoint(alive());
      for (Node n : alive()) {
        assertThat(chainOf(n, pi1)).isEqualTo(2);
      }
      // Every node counted each finalized request in the same epochs, member sets and quorums:
      // the first in epoch 1 (4 members, 3 votes), pi1's second across the transition in epoch 1
      // and epoch 2 (joint quorum), pi5's first in epoch 2 only (5 members, 4 votes).
      String genesis = RegistryFile.read(network.dir().resolve("registry.txt")).hash();
      JsonObject inEpoch1 = counted(1, genesis, 4, 3);
      JsonObject inEpoch2 = counted(2, epoch2.hash(), 5, 4);
      assertSameCountEverywhere(first, List.of(inEpoch1), network.nodes().stream().filter(n -> n != liar).toList());
      assertSameCountEverywhere(second, List.of(inEpoch1, inEpoch2), alive());
      assertSameCountEverywhere(third, List.of(inEpoch2), alive());
      java.util.Map<String, java.util.Set<String>> countsByRequest = new java.util.HashMap<>();
      for (JsonObject f : network.events(e -> "finalized".equals(e.getString("type")))) {
        countsByRequest.computeIfAbsent(f.getString("request"), r -> new java.util.HashSet<>()).add(f.getJsonArray("counted").encode());
      }
      assertThat(countsByRequest).allSatisfy((request, counts) -> assertThat(counts).as(request).hasSize(1));

      // Evidence, if any, names only the liar (its own signed request on a balance it does not have).
      assertThat(network.events(e -> "misbehaviour".equals(e.getString("type"))))
          .allMatch(e -> liar.id().equals(e.getString("offender")));
    } finally {
      network.observer().cancelTimer(timer);
      answering.unregister();
    }
  }

  private static JsonObject counted(long epoch, String registry, int members, int quorum) {
    return new JsonObject().put("epoch", epoch).put("registry", registry).put("members", members).put("quorum", quorum);
  }

  /** Each of {@code nodes} announced {@code request} final, every one counted in exactly {@code expected}. */
  private static void assertSameCountEverywhere(String request, List<JsonObject> expected, List<Node> nodes) {
    List<JsonObject> finals = network.events(e -> "finalized".equals(e.getString("type"))
        && request.equals(e.getString("request")));
    assertThat(finals.stream().map(f -> f.getString("node")).toList()).as("nodes announcing " + request + " final")
        .containsAll(nodes.stream().map(Node::id).toList());
    String want = new io.vertx.core.json.JsonArray(new ArrayList<>(expected)).encode();
    assertThat(finals).allSatisfy(f -> assertThat(f.getJsonArray("counted").encode())
        .as(f.getString("name") + " counted " + request).isEqualTo(want));
  }

  /** The members still running (the liar's process is gone). */
  private static List<Node> alive() {
    return network.nodes().stream().filter(n -> n != network.node(3)).toList();
  }

  private static void awaitSameCheckpoint(List<Node> nodes) throws InterruptedException {
    LocalNetwork.awaitTrue("identical checkpoint digests", SETTLE, () -> {
      try {
        java.util.Set<String> digests = new java.util.HashSet<>();
        for (Node n : nodes) {
          digests.add(network.query(n).getString("checkpointDigest"));
        }
        return digests.size() == 1;
      } catch (Exception e) {
        return false;
      }
    });
  }

  private static long epoch(Node n) {
    try {
      return network.query(n).getLong("epoch");
    } catch (Exception e) {
      return -1;
    }
  }

  private static long chainOf(Node viewer, Node buyer) throws Exception {
    return network.query(viewer).getJsonArray("wallets").stream().map(w -> (JsonObject) w)
        .filter(w -> buyer.id().equals(w.getString("id"))).findFirst().orElseThrow().getLong("chain");
  }

  /** A message in another member's name, signed with the liar's own key. */
  private static <B extends Body> Signed<B> forge(B body, Crypto.KeyPair liar) {
    return Signed.of(body, liar.sign(Signed.of(body, new byte[64]).bytes()));
  }

  /** A signed status in the liar's name claiming far more of every wallet than exists. */
  private static Signed<Status> fakeStatus(Crypto.KeyPair liar) {
    List<Status.Entry> entries = new ArrayList<>();
    for (Node n : network.nodes()) {
      entries.add(new Status.Entry(n.id(), 5000, 7, "ee".repeat(32), 40, "dd".repeat(32)));
    }
    entries.sort(java.util.Comparator.comparing(Status.Entry::id));
    return Signed.sign(new Status(network.net(), liar.id(), 2, entries), liar);
  }

  /**
   * Answers a pull sent to the liar with forgeries: shares and requests in other members'
   * names (signed with the liar's key), and a certificate for a request of its own whose votes
   * are forged.
   */
  private static List<String> lieAbout(Object body, Crypto.KeyPair liar, Node asker) {
    List<String> sent = new ArrayList<>();
    try {
      for (byte[] part : Frames.split(String.valueOf(body).getBytes(StandardCharsets.UTF_8))) {
        sent.addAll(lieAbout(Codec.decode(part), liar, asker));
      }
    } catch (Exception e) {
      // not a frame of messages: nothing to lie about
    }
    return sent;
  }

  /** Answers one message of a frame sent to the liar (see above). */
  private static List<String> lieAbout(Signed<? extends Body> m, Crypto.KeyPair liar, Node asker) {
    List<String> sent = new ArrayList<>();
    if (!(m.body() instanceof Pull p) || !p.node().equals(asker.id())) {
      return sent;
    }
    String net = network.net();
    List<Signed<? extends Body>> answers = new ArrayList<>();
    String subject = p.subject();
    // Mined, so each is refused for its signature, not its proof-of-work.
    answers.add(forge(Pow.mine(new Share(net, subject, p.from() + 1, "virtual", 1, 0), 1), liar));
    Request fake = new Request(net, subject, 2, "ab".repeat(32), 9999, List.of(), 9999, "Receipt", 1, 0);
    answers.add(forge(Pow.mine(fake, 1), liar));
    Request own = new Request(net, liar.id(), 2, Crypto.GENESIS, 9999, List.of(), 9999, "Nespresso", 2, 0);
    Signed<Request> ownSigned = Signed.sign(Pow.mine(own, 1), liar);
    for (Node n : network.nodes()) {
      if (!n.id().equals(liar.id())) {
        answers.add(forge(Pow.mine(new Vote(net, n.id(), liar.id(), 2, Crypto.GENESIS, ownSigned.hash(), 0), 1),
            liar));
      }
    }
    answers.add(ownSigned);
    for (Signed<? extends Body> a : answers) {
      network.observer().eventBus().publish(network.addresses().to(asker.id()), a.wireText());
      sent.add(a.hash());
    }
    return sent;
  }
}
