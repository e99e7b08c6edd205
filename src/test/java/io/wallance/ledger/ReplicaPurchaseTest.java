package io.wallance.ledger;

import static io.wallance.ledger.TestNet.A;
import static io.wallance.ledger.TestNet.B;
import static io.wallance.ledger.TestNet.C;
import static io.wallance.ledger.TestNet.D;
import static io.wallance.ledger.TestNet.NET;
import static io.wallance.ledger.TestNet.replica;
import static org.assertj.core.api.Assertions.assertThat;

import io.wallance.ledger.LedgerEvent.Finalized;
import io.wallance.ledger.LedgerEvent.Voted;
import io.wallance.protocol.Crypto;
import io.wallance.protocol.Request;
import io.wallance.protocol.Signed;
import io.wallance.protocol.Vote;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A purchase among four replicas: finality, derived balances, convergent rewards, replays. */
class ReplicaPurchaseTest {

  static Cluster fourReplicas() {
    return new Cluster(replica(A), replica(B), replica(C), replica(D));
  }

  static String expectedState(Signed<Request> request, long newBalance) {
    byte[] tail = ("newbalance=" + newBalance + "\n").getBytes(StandardCharsets.US_ASCII);
    byte[] all = Arrays.copyOf(request.bytes(), request.bytes().length + tail.length);
    System.arraycopy(tail, 0, all, request.bytes().length, tail.length);
    return Crypto.sha256Hex(all);
  }

  @Test
  void aPurchaseFinalizesIdenticallyOnAllFourReplicas() {
    Cluster net = fourReplicas();
    net.share(B.id(), 12);
    net.run();
    long before = net.get(A.id()).balance(B.id());
    assertThat(before).isEqualTo(12);

    Replica.Purchase p = net.buy(B.id(), "Nespresso");
    assertThat(p.outcome()).isEqualTo(Replica.Purchase.Outcome.PUBLISHED);
    net.run();

    Signed<Request> request = net.get(B.id()).finalized(p.request());
    assertThat(request).isNotNull();
    long after = before - 2 * TestNet.RATE;
    String state = expectedState(request, after);
    assertThat(Replica.stateHash(request, after)).isEqualTo(state);
    for (Replica r : net.nodes.values()) {
      assertThat(r.chain(B.id())).as("chain on %s", r.id()).containsExactly(p.request());
      assertThat(r.head(B.id())).isEqualTo(state);
      assertThat(r.headBalance(B.id())).isEqualTo(after);
      assertThat(r.balance(B.id())).isEqualTo(after);
      assertThat(r.rewards(B.id())).as("the buyer earns no reward").isEmpty();
      for (Crypto.KeyPair voter : List.of(A, C, D)) {
        assertThat(r.rewards(voter.id())).containsExactly(p.request());
        assertThat(r.balance(voter.id())).isEqualTo(TestNet.REWARD);
      }
      assertThat(r.votes(p.request())).containsOnlyKeys(A.id(), C.id(), D.id());
      assertThat(r.pendingCount()).isZero();
      assertThat(r.evidence()).isEmpty();
      assertThat(r.citedTwice()).isZero();
      List<Finalized> finals = net.events(r.id(), Finalized.class);
      assertThat(finals).singleElement().satisfies(f -> {
        assertThat(f.hash()).isEqualTo(p.request());
        assertThat(f.buyer()).isEqualTo(B.id());
        assertThat(f.contract()).isEqualTo("Nespresso");
        assertThat(f.price()).isEqualTo(2);
        assertThat(f.balanceBefore()).isEqualTo(before);
        assertThat(f.balanceAfter()).isEqualTo(after);
        assertThat(f.oldState()).isEqualTo(Crypto.GENESIS);
        assertThat(f.newState()).isEqualTo(state);
        assertThat(f.voters()).doesNotContain(B.id()).hasSizeGreaterThanOrEqualTo(2)
            .isSubsetOf(A.id(), C.id(), D.id());
      });
    }
    assertThat(net.digests()).containsOnly(net.get(A.id()).digest());
    // Each voter signed exactly one vote; the buyer none.
    for (Crypto.KeyPair voter : List.of(A, C, D)) {
      assertThat(net.events(voter.id(), Voted.class)).extracting(Voted::request).containsExactly(p.request());
    }
    assertThat(net.events(B.id(), Voted.class)).isEmpty();
    // Shares after the purchase add to the new head.
    net.share(B.id(), 3);
    net.run();
    assertThat(net.nodes.values()).allSatisfy(r -> assertThat(r.balance(B.id())).isEqualTo(after + 3));
  }

  @Test
  void aReplayedFinalRequestOrVoteChangesNothing() {
    Cluster net = fourReplicas();
    net.share(B.id(), 10);
    net.run();
    Replica.Purchase p = net.buy(B.id(), "Nespresso");
    net.run();
    Signed<Request> request = net.get(A.id()).finalized(p.request());
    List<String> digests = net.digests();
    for (Replica r : net.nodes.values()) {
      Effects fx = r.receive(request, net.now);
      assertThat(fx.events()).isEmpty();
      assertThat(fx.messages()).isEmpty();
      for (Signed<Vote> v : r.votes(p.request()).values()) {
        Effects again = r.receive(v, net.now);
        assertThat(again.events()).isEmpty();
        assertThat(again.messages()).isEmpty();
      }
    }
    assertThat(net.digests()).isEqualTo(digests);
    assertThat(net.get(C.id()).balance(B.id())).isZero();
    assertThat(net.get(C.id()).balance(C.id())).isEqualTo(TestNet.REWARD);
  }

  @Test
  void aStaleRequestAfterFinalityIsRefused() {
    Cluster net = fourReplicas();
    net.share(B.id(), 12);
    net.run();
    net.buy(B.id(), "Nespresso");
    net.run();
    // The buyer signs another request on the state it already left.
    Signed<Request> stale = TestNet.request(B, Crypto.GENESIS, 12, List.of(), 12, "Receipt", 1);
    for (Crypto.KeyPair k : List.of(A, C, D)) {
      Effects fx = net.get(k.id()).receive(stale, net.now);
      assertThat(fx.messages()).isEmpty();
      assertThat(fx.events()).singleElement().isInstanceOfSatisfying(LedgerEvent.Rejected.class,
          e -> assertThat(e.reason()).isEqualTo(io.wallance.protocol.Reason.STALE_STATE));
    }
    assertThat(net.get(A.id()).chain(B.id())).hasSize(1);
  }

  @Test
  void afterAPurchaseTheNextOneSpendsFromTheNewHead() {
    Cluster net = fourReplicas();
    net.share(B.id(), 12);
    net.run();
    net.buy(B.id(), "Nespresso");
    net.run();
    Replica.Purchase tooMuch = net.buy(B.id(), "Receipt");
    assertThat(tooMuch.outcome()).isEqualTo(Replica.Purchase.Outcome.INSUFFICIENT);
    assertThat(tooMuch.missingUnits()).isEqualTo(5 - 2);
    net.share(B.id(), 3);
    net.run();
    Replica.Purchase second = net.buy(B.id(), "Receipt");
    assertThat(second.outcome()).isEqualTo(Replica.Purchase.Outcome.PUBLISHED);
    Request r = (Request) second.effects().messages().get(0).message().body();
    assertThat(r.prev()).isEqualTo(net.get(B.id()).head(B.id()));
    assertThat(r.shares()).isEqualTo(15);
    assertThat(r.balance()).isEqualTo(5);
    net.run();
    for (Replica rep : net.nodes.values()) {
      assertThat(rep.chain(B.id())).hasSize(2).endsWith(second.request());
      assertThat(rep.balance(B.id())).isZero();
      assertThat(rep.headBalance(B.id())).isZero();
      assertThat(rep.rewards(A.id())).hasSize(2);
    }
    assertThat(net.digests()).containsOnly(net.get(B.id()).digest());
  }

  @Test
  void earnedRewardsAreSpentOnceByTheVoter() {
    Cluster net = fourReplicas();
    net.share(B.id(), 10);
    net.run();
    Replica.Purchase p1 = net.buy(B.id(), "Nespresso");
    net.run();
    net.share(A.id(), 3);
    net.run();
    Replica.Purchase p2 = net.buy(A.id(), "Receipt");
    assertThat(p2.outcome()).isEqualTo(Replica.Purchase.Outcome.PUBLISHED);
    Request r2 = (Request) p2.effects().messages().get(0).message().body();
    assertThat(r2.rewards()).containsExactly(p1.request());
    assertThat(r2.balance()).isEqualTo(3 + TestNet.REWARD);
    net.run();
    for (Replica r : net.nodes.values()) {
      assertThat(r.chain(A.id())).containsExactly(p2.request());
      assertThat(r.headBalance(A.id())).isZero();
      assertThat(r.balance(A.id())).as("the reward is spent, not counted again").isZero();
      assertThat(r.rewards(A.id())).containsExactly(p1.request());
      assertThat(r.rewards(B.id())).containsExactly(p2.request());
      assertThat(r.balance(B.id())).isEqualTo(TestNet.REWARD);
    }
    assertThat(net.digests()).containsOnly(net.get(A.id()).digest());
  }
}
