package io.wallance.ledger;

import static io.wallance.ledger.TestNet.A;
import static io.wallance.ledger.TestNet.B;
import static io.wallance.ledger.TestNet.C;
import static io.wallance.ledger.TestNet.D;
import static io.wallance.ledger.TestNet.NET;
import static io.wallance.ledger.TestNet.OUTSIDER;
import static io.wallance.ledger.TestNet.replica;
import static io.wallance.ledger.TestNet.request;
import static io.wallance.ledger.TestNet.vote;
import static org.assertj.core.api.Assertions.assertThat;

import io.wallance.ledger.LedgerEvent.Misbehaviour;
import io.wallance.ledger.LedgerEvent.Rejected;
import io.wallance.ledger.LedgerEvent.Voted;
import io.wallance.protocol.Crypto;
import io.wallance.protocol.Pull;
import io.wallance.protocol.Reason;
import io.wallance.protocol.Request;
import io.wallance.protocol.Signed;
import io.wallance.protocol.Vote;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Every way a request or vote is refused, double spends and equivocation. */
class ReplicaRulesTest {
  private static final String G = Crypto.GENESIS;

  /** A replica of A that holds B's first {@code shares} shares (and C's 3). */
  static Replica voterWithFundedBuyer(int shares) {
    Replica a = replica(A);
    for (int seq = 1; seq <= shares; seq++) {
      a.receive(TestNet.share(B, seq, seq), 1);
    }
    for (int seq = 1; seq <= 3; seq++) {
      a.receive(TestNet.share(C, seq, seq), 1);
    }
    return a;
  }

  static List<Reason> rejections(Effects fx) {
    return fx.events().stream().filter(Rejected.class::isInstance).map(e -> ((Rejected) e).reason()).toList();
  }

  static List<Misbehaviour.Kind> misbehaviour(Effects fx) {
    return fx.events().stream().filter(Misbehaviour.class::isInstance).map(e -> ((Misbehaviour) e).kind())
        .toList();
  }

  static List<Signed<?>> votesIn(Effects fx) {
    return fx.messages().stream().map(Effects.Outgoing::message).filter(m -> m.body() instanceof Vote)
        .<Signed<?>>map(m -> m).toList();
  }

  static Rejected onlyRejection(Effects fx) {
    assertThat(fx.messages()).isEmpty();
    assertThat(fx.events()).singleElement().isInstanceOf(Rejected.class);
    return (Rejected) fx.events().get(0);
  }

  @Test
  void anHonestRequestGetsAVote() {
    Replica a = voterWithFundedBuyer(12);
    Signed<Request> ok = request(B, G, 12, List.of(), 12, "Nespresso", 2);
    Effects fx = a.receive(ok, 2);
    assertThat(rejections(fx)).isEmpty();
    assertThat(votesIn(fx)).singleElement().satisfies(v -> {
      assertThat(v.body()).isEqualTo(new Vote(NET, A.id(), B.id(), 1, G, ok.hash(), ((Vote) v.body()).nonce()));
      assertThat(v.verifies()).isTrue();
    });
    assertThat(fx.events()).anySatisfy(e -> assertThat(e).isEqualTo(new Voted(ok.hash(), B.id())));
  }

  @Test
  void aRequestSignedByANonMemberIsUnknownAuthor() {
    Replica a = voterWithFundedBuyer(12);
    Signed<Request> r = request(OUTSIDER, G, 0, List.of(), 0, "Receipt", 1);
    Rejected e = onlyRejection(a.receive(r, 2));
    assertThat(e.reason()).isEqualTo(Reason.UNKNOWN_AUTHOR);
    assertThat(e.author()).isEqualTo(OUTSIDER.id());
  }

  @Test
  void aRequestWithABadSignatureIsRefused() {
    Replica a = voterWithFundedBuyer(12);
    Request body = request(B, G, 12, List.of(), 12, "Nespresso", 2).body();
    assertThat(onlyRejection(a.receive(Signed.of(body, C.sign(body.canonical())), 2)).reason())
        .isEqualTo(Reason.BAD_SIGNATURE);
    byte[] sig = B.sign(body.canonical());
    sig[63] ^= 0x40;
    assertThat(onlyRejection(a.receive(Signed.of(body, sig), 2)).reason()).isEqualTo(Reason.BAD_SIGNATURE);
    assertThat(a.pendingCount()).isZero();
  }

  @Test
  void aRequestForAnotherNetworkIsRefused() {
    Replica a = voterWithFundedBuyer(12);
    Signed<Request> r = TestNet.mined(new Request("other", B.id(), 1, G, 12, List.of(), 12, "Nespresso", 2, 0), B);
    assertThat(onlyRejection(a.receive(r, 2)).reason()).isEqualTo(Reason.WRONG_NETWORK);
  }

  @Test
  void aRequestWithoutProofOfWorkIsRefused() {
    Replica a = voterWithFundedBuyer(12);
    Signed<Request> r = TestNet.unmined(new Request(NET, B.id(), 1, G, 12, List.of(), 12, "Nespresso", 2, 0), B);
    assertThat(onlyRejection(a.receive(r, 2)).reason()).isEqualTo(Reason.BAD_POW);
  }

  @Test
  void aWrongPriceOrUnknownContractIsRefused() {
    Replica a = voterWithFundedBuyer(12);
    assertThat(onlyRejection(a.receive(request(B, G, 12, List.of(), 12, "Nespresso", 1), 2)).reason())
        .isEqualTo(Reason.UNKNOWN_CONTRACT);
    assertThat(onlyRejection(a.receive(request(B, G, 12, List.of(), 12, "Nespresso", 3), 2)).reason())
        .isEqualTo(Reason.UNKNOWN_CONTRACT);
    assertThat(onlyRejection(a.receive(request(B, G, 12, List.of(), 12, "Latte", 1), 2)).reason())
        .isEqualTo(Reason.UNKNOWN_CONTRACT);
  }

  @Test
  void anInflatedBalanceIsRefusedAndRecordedWithoutAVote() {
    Replica a = voterWithFundedBuyer(12);
    Signed<Request> inflated = request(B, G, 12, List.of(), 50, "Nespresso", 2);
    Effects fx = a.receive(inflated, 2);
    assertThat(rejections(fx)).containsExactly(Reason.BAD_BALANCE);
    assertThat(misbehaviour(fx)).containsExactly(Misbehaviour.Kind.INVALID_REQUEST);
    assertThat(votesIn(fx)).isEmpty();
    assertThat(a.evidence()).singleElement().satisfies(m -> {
      assertThat(m.offender()).isEqualTo(B.id());
      assertThat(m.evidence()).containsExactly(inflated.wireText());
    });
    // Re-sent, it stays refused and unvoted.
    assertThat(votesIn(a.receive(inflated, 3))).isEmpty();
    assertThat(a.balance(B.id())).isEqualTo(12);
  }

  @Test
  void aDeflatedBalanceIsRefusedToo() {
    Replica a = voterWithFundedBuyer(12);
    Effects fx = a.receive(request(B, G, 12, List.of(), 11, "Nespresso", 2), 2);
    assertThat(rejections(fx)).containsExactly(Reason.BAD_BALANCE);
    assertThat(votesIn(fx)).isEmpty();
  }

  @Test
  void anUnaffordableRequestIsInsufficientFunds() {
    Replica a = voterWithFundedBuyer(12);
    Signed<Request> r = TestNet.request(C, G, 3, List.of(), 3, "Nespresso", 2);
    Effects fx = a.receive(r, 2);
    assertThat(rejections(fx)).containsExactly(Reason.INSUFFICIENT_FUNDS);
    assertThat(votesIn(fx)).isEmpty();
  }

  @Test
  void aRequestCitingSharesNotYetHeldWaitsAndPullsThem() {
    Replica a = voterWithFundedBuyer(12);
    Signed<Request> r = request(B, G, 20, List.of(), 20, "Nespresso", 2);
    Effects fx = a.receive(r, 2);
    assertThat(rejections(fx)).isEmpty();
    assertThat(votesIn(fx)).isEmpty();
    assertThat(fx.messages()).singleElement().satisfies(o -> {
      assertThat(o.to()).isEqualTo(B.id());
      assertThat(o.message().body()).isEqualTo(new Pull(NET, A.id(), Pull.What.SHARES, B.id(), 13, 20));
    });
    // The missing shares arrive: the vote follows.
    Effects last = null;
    for (int seq = 13; seq <= 20; seq++) {
      last = a.receive(TestNet.share(B, seq, seq), 3);
    }
    assertThat(votesIn(last)).hasSize(1);
  }

  @Test
  void aRequestCitingAShareBehindTheHeadIsBadBalance() {
    Cluster net = ReplicaPurchaseTest.fourReplicas();
    net.share(B.id(), 12);
    net.run();
    net.buy(B.id(), "Nespresso");
    net.run();
    String head = net.get(A.id()).head(B.id());
    Effects fx = net.get(A.id()).receive(request(B, head, 11, List.of(), 1, "Receipt", 1), net.now);
    assertThat(rejections(fx)).containsExactly(Reason.BAD_BALANCE);
  }

  @Test
  void anUnknownEpochIsFetchedWhenAuthenticAndRefusedOtherwise() {
    Replica a = voterWithFundedBuyer(12);
    Request future = new Request(NET, B.id(), 3, G, 12, List.of(), 12, "Nespresso", 2, 0);
    Effects fx = a.receive(TestNet.mined(future, B), 2);
    assertThat(rejections(fx)).isEmpty();
    assertThat(fx.messages()).singleElement().satisfies(o -> {
      assertThat(o.to()).isEqualTo(B.id());
      assertThat(o.message().body()).isEqualTo(new Pull(NET, A.id(), Pull.What.REGISTRY, G, 2, 3));
    });
    Request mined = io.wallance.protocol.Pow.mine(future, 1);
    assertThat(onlyRejection(a.receive(Signed.of(mined, C.sign(mined.canonical())), 2)).reason())
        .isEqualTo(Reason.BAD_EPOCH);
  }

  @Test
  void aDoubleSpendIsRecordedAndHonestReplicasVoteOnlyForTheFirst() {
    Cluster net = ReplicaPurchaseTest.fourReplicas();
    net.share(B.id(), 12);
    net.run();
    Replica.Purchase first = net.buy(B.id(), "Nespresso");
    Signed<Request> second = request(B, G, 12, List.of(), 12, "Receipt", 1);
    net.broadcast(B.id(), second); // queued behind the first request, ahead of any vote
    net.run();

    for (Crypto.KeyPair k : List.of(A, C, D)) {
      Replica r = net.get(k.id());
      assertThat(net.events(k.id(), Voted.class)).extracting(Voted::request).containsExactly(first.request());
      assertThat(net.events(k.id(), Misbehaviour.class)).singleElement().satisfies(m -> {
        assertThat(m.kind()).isEqualTo(Misbehaviour.Kind.DOUBLE_REQUEST);
        assertThat(m.offender()).isEqualTo(B.id());
        assertThat(m.evidence()).hasSize(2).contains(second.wireText());
      });
      assertThat(r.chain(B.id())).containsExactly(first.request());
      assertThat(r.finalized(second.hash())).isNull();
      assertThat(r.balance(B.id())).isEqualTo(2);
    }
    assertThat(net.digests()).containsOnly(net.get(B.id()).digest());
  }

  @Test
  void aByzantineBuyerSplittingItsRequestsCannotGetBothFinal() {
    Cluster net = ReplicaPurchaseTest.fourReplicas();
    net.share(B.id(), 12);
    net.run();
    Replica.Purchase first = net.buy(B.id(), "Nespresso");
    Signed<Request> second = request(B, G, 12, List.of(), 12, "Receipt", 1);
    net.broadcast(B.id(), second);
    // The buyer's own sends: the first request only to A and C, the second only to D.
    net.drop = e -> e.from().equals(B.id()) && e.message().body() instanceof Request
        && (e.message().hash().equals(first.request()) ? e.to().equals(D.id()) : !e.to().equals(D.id()));
    net.run();
    net.drop = e -> false;
    for (int round = 0; round < 5; round++) {
      net.tickAll(1_000);
    }
    assertThat(net.events(D.id(), Voted.class)).extracting(Voted::request).containsExactly(second.hash());
    for (Replica r : net.nodes.values()) {
      assertThat(r.chain(B.id())).as("on %s", r.id()).containsExactly(first.request());
      assertThat(r.finalized(second.hash())).isNull();
    }
    assertThat(net.digests()).containsOnly(net.get(A.id()).digest());
  }

  @Test
  void equivocatingVotesAreRecorded() {
    Replica a = voterWithFundedBuyer(12);
    String x = "1".repeat(64);
    String y = "2".repeat(64);
    Signed<Vote> vx = vote(C, B, G, x);
    Signed<Vote> vy = vote(C, B, G, y);
    assertThat(misbehaviour(a.receive(vx, 2))).isEmpty();
    assertThat(misbehaviour(a.receive(vx, 3))).as("the same vote twice is not equivocation").isEmpty();
    Effects fx = a.receive(vy, 4);
    assertThat(fx.events()).filteredOn(Misbehaviour.class::isInstance).singleElement()
        .isInstanceOfSatisfying(Misbehaviour.class, m -> {
          assertThat(m.kind()).isEqualTo(Misbehaviour.Kind.EQUIVOCATING_VOTE);
          assertThat(m.offender()).isEqualTo(C.id());
          // The evidence is both signed votes: anyone can check it without trusting us.
          assertThat(m.evidence()).containsExactly(vx.wireText(), vy.wireText());
        });
    // A vote by C for another buyer (or another previous state) is not equivocation.
    assertThat(misbehaviour(a.receive(vote(C, D, G, y), 5))).isEmpty();
    assertThat(misbehaviour(a.receive(vote(C, B, "3".repeat(64), y), 6))).isEmpty();
  }

  @Test
  void aVoteByTheBuyerOnItsOwnRequestIsNotEligible() {
    Replica a = voterWithFundedBuyer(12);
    Signed<Request> r = request(B, G, 12, List.of(), 12, "Nespresso", 2);
    Rejected e = onlyRejection(a.receive(vote(B, r), 2));
    assertThat(e.reason()).isEqualTo(Reason.NOT_ELIGIBLE);
    assertThat(e.type()).isEqualTo("vote");
  }

  @Test
  void aVoteThatDoesNotMatchTheRequestItNamesIsNotEligible() {
    Replica a = voterWithFundedBuyer(12);
    Signed<Request> r = request(B, G, 12, List.of(), 12, "Nespresso", 2);
    a.receive(r, 2);
    Signed<Vote> wrongPrev = vote(C, B, "4".repeat(64), r.hash());
    assertThat(rejections(a.receive(wrongPrev, 3))).containsExactly(Reason.NOT_ELIGIBLE);
  }

  @Test
  void votesByStrangersOrForStrangersAreRefused() {
    Replica a = voterWithFundedBuyer(12);
    Signed<Request> r = request(B, G, 12, List.of(), 12, "Nespresso", 2);
    assertThat(onlyRejection(a.receive(vote(OUTSIDER, r), 2)).reason()).isEqualTo(Reason.UNKNOWN_AUTHOR);
    assertThat(onlyRejection(a.receive(vote(C, OUTSIDER, G, r.hash()), 2)).reason())
        .isEqualTo(Reason.UNKNOWN_AUTHOR);
    Vote body = vote(C, r).body();
    assertThat(onlyRejection(a.receive(Signed.of(body, D.sign(body.canonical())), 2)).reason())
        .isEqualTo(Reason.BAD_SIGNATURE);
    assertThat(onlyRejection(a.receive(TestNet.unmined(body, C), 2)).reason()).isEqualTo(Reason.BAD_POW);
  }

  @Test
  void aRewardCitedAgainOnTheSameChainIsBadReward() {
    Cluster net = ReplicaPurchaseTest.fourReplicas();
    net.share(B.id(), 10);
    net.run();
    Replica.Purchase p1 = net.buy(B.id(), "Nespresso");
    net.run();
    net.share(A.id(), 3);
    net.run();
    Replica.Purchase p2 = net.buy(A.id(), "Receipt"); // cites the reward of p1
    net.run();
    assertThat(net.get(C.id()).chain(A.id())).containsExactly(p2.request());

    Replica c = net.get(C.id());
    String head = c.head(A.id());
    Signed<Request> again = request(A, head, 3, List.of(p1.request()), TestNet.REWARD, "Receipt", 1);
    Effects fx = c.receive(again, net.now);
    assertThat(rejections(fx)).containsExactly(Reason.BAD_REWARD);
    assertThat(misbehaviour(fx)).containsExactly(Misbehaviour.Kind.INVALID_REQUEST);
    assertThat(votesIn(fx)).isEmpty();
    assertThat(c.citedTwice()).isZero();
  }

  @Test
  void aRequestListingOneRewardTwiceIsBadReward() {
    // The wire decoder refuses a repeated reward, so this request can only reach a replica in-process
    // (e.g. from a simulated Byzantine member); the ledger rule must hold on its own.
    Cluster net = ReplicaPurchaseTest.fourReplicas();
    net.share(B.id(), 10);
    net.run();
    Replica.Purchase p1 = net.buy(B.id(), "Nespresso");
    net.run();
    net.share(A.id(), 1);
    net.run();
    Replica c = net.get(C.id());
    assertThat(c.balance(A.id())).isEqualTo(1 + TestNet.REWARD);
    Signed<Request> doubled = request(A, G, 1, List.of(p1.request(), p1.request()), 1 + 2 * TestNet.REWARD,
        "Receipt", 1);
    Effects fx = c.receive(doubled, net.now);
    assertThat(votesIn(fx)).isEmpty();
    assertThat(rejections(fx)).containsExactly(Reason.BAD_REWARD);
    assertThat(c.citedTwice()).isZero();
    // Handed to every other replica in-process (the wire cannot carry it), it finalizes nowhere:
    // the reward is not spent twice.
    net.drop = e -> e.to().equals(A.id());
    for (Crypto.KeyPair k : List.of(B, C, D)) {
      net.post(k.id(), net.get(k.id()).receive(doubled, net.now));
    }
    net.run();
    for (Replica r : net.nodes.values()) {
      assertThat(r.finalized(doubled.hash())).isNull();
      assertThat(r.citedTwice()).isZero();
      assertThat(r.balance(A.id())).isEqualTo(1 + TestNet.REWARD);
    }
  }

  @Test
  void aMalformedRepeatedRewardHandedInProcessIsRefusedWithoutThrowing() {
    Replica a = voterWithFundedBuyer(12);
    Signed<Request> r = request(C, G, 3, List.of("x", "x"), 3, "Receipt", 1);
    Effects fx = a.receive(r, 2);
    assertThat(rejections(fx)).containsExactly(Reason.BAD_REWARD);
    assertThat(votesIn(fx)).isEmpty();
  }

  @Test
  void aRewardNeverEarnedIsPulledAndNotVotedFor() {
    Replica a = voterWithFundedBuyer(12);
    String unknown = "7".repeat(64);
    Signed<Request> r = request(C, G, 3, List.of(unknown), 3 + TestNet.REWARD, "Receipt", 1);
    Effects fx = a.receive(r, 2);
    assertThat(votesIn(fx)).isEmpty();
    assertThat(rejections(fx)).isEmpty();
    Set<Object> pulls = fx.messages().stream().map(o -> o.message().body()).collect(Collectors.toSet());
    assertThat(pulls).containsExactly(new Pull(NET, A.id(), Pull.What.REQUEST, unknown, 0, 0));
  }
}
