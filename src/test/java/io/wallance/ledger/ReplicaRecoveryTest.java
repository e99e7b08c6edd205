package io.wallance.ledger;

import static io.wallance.ledger.TestNet.A;
import static io.wallance.ledger.TestNet.B;
import static io.wallance.ledger.TestNet.C;
import static io.wallance.ledger.TestNet.D;
import static io.wallance.ledger.TestNet.replica;
import static org.assertj.core.api.Assertions.assertThat;

import io.wallance.ledger.LedgerEvent.Finalized;
import io.wallance.protocol.Body;
import io.wallance.protocol.Crypto;
import io.wallance.protocol.Request;
import io.wallance.protocol.Signed;
import io.wallance.protocol.Vote;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Lost votes, restarts and late joiners. */
class ReplicaRecoveryTest {

  static List<Signed<? extends Body>> votes(Effects fx) {
    return fx.messages().stream().map(Effects.Outgoing::message).filter(m -> m.body() instanceof Vote).toList();
  }

  @Test
  void aLostVoteIsRecoveredByReSending() {
    // D is down: B's request needs the votes of both A and C (quorum 3 = buyer + 2).
    Cluster net = new Cluster(replica(A), replica(B), replica(C));
    net.share(B.id(), 10);
    net.run();
    net.drop = e -> e.message().body() instanceof Vote;
    Replica.Purchase p = net.buy(B.id(), "Nespresso");
    net.run();
    List<Signed<? extends Body>> lost = net.dropped.stream().map(Cluster.Envelope::message)
        .filter(m -> m.body() instanceof Vote).distinct().toList();
    assertThat(lost).hasSize(2);
    assertThat(net.nodes.values()).allSatisfy(r -> assertThat(r.chain(B.id())).isEmpty());

    net.drop = e -> false;
    net.tickAll(ReplicaOptions.defaults().resendMillis());
    for (Replica r : net.nodes.values()) {
      assertThat(r.chain(B.id())).as("on %s", r.id()).containsExactly(p.request());
      assertThat(net.events(r.id(), Finalized.class)).hasSize(1);
    }
    // The re-sent votes are the very votes that were lost, byte for byte.
    List<byte[]> resent = net.delivered.stream().map(Cluster.Envelope::message).filter(m -> m.body() instanceof Vote)
        .map(Signed::wire).toList();
    for (Signed<? extends Body> v : lost) {
      assertThat(resent).anySatisfy(w -> assertThat(w).isEqualTo(v.wire()));
    }
    assertThat(net.digests()).containsOnly(net.get(A.id()).digest());
  }

  @Test
  void aLostRequestIsRecoveredByTheBuyerReSendingIt() {
    Cluster net = new Cluster(replica(A), replica(B), replica(C), replica(D));
    net.share(B.id(), 10);
    net.run();
    net.drop = e -> e.message().body() instanceof Request;
    Replica.Purchase p = net.buy(B.id(), "Nespresso");
    net.run();
    net.drop = e -> false;
    assertThat(net.get(A.id()).chain(B.id())).isEmpty();
    net.tickAll(ReplicaOptions.defaults().resendMillis());
    assertThat(net.nodes.values()).allSatisfy(r -> assertThat(r.chain(B.id())).containsExactly(p.request()));
  }

  @Test
  void aRestartedReplicaKeepsItsLedgerAndNeverVotesTwiceOnOneState() {
    Replica a = replica(A);
    for (int seq = 1; seq <= 12; seq++) {
      a.receive(TestNet.share(B, seq, seq), 1);
    }
    Signed<Request> first = TestNet.request(B, Crypto.GENESIS, 12, List.of(), 12, "Nespresso", 2);
    List<Signed<? extends Body>> myVote = votes(a.receive(first, 2));
    assertThat(myVote).hasSize(1);
    String digest = a.digest();

    Replica restarted = Replica.restart(A, a.state(), Rules.none(), new SignatureCheck(64),
        ReplicaOptions.defaults());
    assertThat(restarted.digest()).isEqualTo(digest);
    assertThat(restarted.balance(B.id())).isEqualTo(12);
    assertThat(restarted.shares(B.id())).isEqualTo(12);
    assertThat(restarted.pendingCount()).isZero();

    // A conflicting request on the same state, after the restart: no second vote, ever.
    Signed<Request> second = TestNet.request(B, Crypto.GENESIS, 12, List.of(), 12, "Receipt", 1);
    Effects fx = restarted.receive(second, 3);
    assertThat(votes(fx)).isEmpty();
    assertThat(votes(restarted.tick(10_000))).isEmpty();

    // The first request again: the same vote comes back, byte for byte, on the re-send timer.
    assertThat(votes(restarted.receive(first, 4))).isEmpty();
    List<Signed<? extends Body>> resent = votes(restarted.tick(20_000));
    assertThat(resent).singleElement().satisfies(v -> assertThat(v.wire()).isEqualTo(myVote.get(0).wire()));
  }

  @Test
  void aRestartedBuyerReSendsItsDurableRequestAndSignsNoOther() {
    Cluster net = new Cluster(replica(A), replica(B), replica(C), replica(D));
    net.share(B.id(), 12);
    net.run();
    net.drop = e -> true; // the request is lost, and then the buyer crashes
    Replica.Purchase p = net.buy(B.id(), "Nespresso");
    net.run();
    net.drop = e -> false;
    Replica b = Replica.restart(B, net.get(B.id()).state(), Rules.none(), new SignatureCheck(64),
        ReplicaOptions.defaults());
    net.replace(b);
    Replica.Purchase again = net.buy(B.id(), "Receipt");
    assertThat(again.outcome()).isEqualTo(Replica.Purchase.Outcome.ALREADY_PENDING);
    assertThat(again.request()).isEqualTo(p.request());
    net.run();
    net.tickAll(ReplicaOptions.defaults().resendMillis());
    assertThat(net.nodes.values()).allSatisfy(r -> assertThat(r.chain(B.id())).containsExactly(p.request()));
    assertThat(net.digests()).containsOnly(b.digest());
  }

  @Test
  void aLateJoinerCatchesUpThroughStatusAndPulls() {
    Cluster net = new Cluster(replica(A), replica(B), replica(C));
    net.share(A.id(), 70); // more than one pull page
    net.share(B.id(), 15);
    net.share(C.id(), 2);
    net.run();
    Replica.Purchase p1 = net.buy(B.id(), "Nespresso");
    net.run();
    Replica.Purchase p2 = net.buy(A.id(), "Nespresso"); // cites the reward of p1
    net.run();
    Replica.Purchase p3 = net.buy(B.id(), "Receipt"); // cites the reward of p2
    net.run();
    assertThat(net.get(C.id()).chain(B.id())).containsExactly(p1.request(), p3.request());
    assertThat(net.get(C.id()).chain(A.id())).containsExactly(p2.request());
    String target = net.get(A.id()).digest();
    assertThat(net.digests()).containsOnly(target);

    Replica d = net.add(replica(D));
    int rounds = 0;
    while (!d.digest().equals(target) && rounds < 20) {
      net.tickAll(ReplicaOptions.defaults().statusMillis());
      rounds++;
    }
    assertThat(d.digest()).as("caught up after %d rounds", rounds).isEqualTo(target);
    assertThat(net.digests()).containsOnly(target);
    for (Crypto.KeyPair k : TestNet.MEMBERS) {
      assertThat(d.balance(k.id())).isEqualTo(net.get(A.id()).balance(k.id()));
      assertThat(d.head(k.id())).isEqualTo(net.get(A.id()).head(k.id()));
      assertThat(d.rewards(k.id())).isEqualTo(net.get(A.id()).rewards(k.id()));
    }
    assertThat(d.shares(A.id())).isEqualTo(70);
    assertThat(net.events(D.id(), LedgerEvent.Voted.class)).as("certificates need no vote from D").isEmpty();
    assertThat(net.events(D.id(), LedgerEvent.Rejected.class)).isEmpty();
  }
}
