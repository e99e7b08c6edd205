package io.wallance.ledger;

import static io.wallance.ledger.TestNet.A;
import static io.wallance.ledger.TestNet.B;
import static io.wallance.ledger.TestNet.NET;
import static io.wallance.ledger.TestNet.OUTSIDER;
import static io.wallance.ledger.TestNet.replica;
import static io.wallance.ledger.TestNet.share;
import static org.assertj.core.api.Assertions.assertThat;

import io.wallance.ledger.LedgerEvent.Misbehaviour;
import io.wallance.ledger.LedgerEvent.Rejected;
import io.wallance.protocol.Crypto;
import io.wallance.protocol.Pow;
import io.wallance.protocol.Pull;
import io.wallance.protocol.Reason;
import io.wallance.protocol.Request;
import io.wallance.protocol.Share;
import io.wallance.protocol.Signed;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Proof of sharing: credit per (author, seq), idempotence, equivocation, gaps; and the buy() outcomes. */
class ReplicaSharesTest {

  static Rejected onlyRejection(Effects fx) {
    assertThat(fx.messages()).isEmpty();
    assertThat(fx.events()).hasSize(1).first().isInstanceOf(Rejected.class);
    return (Rejected) fx.events().get(0);
  }

  @Test
  void eachShareCreditsOneUnitEverywhere() {
    Replica a = replica(A);
    Replica b = replica(B);
    Cluster net = new Cluster(a, b);
    Effects fx = net.share(A.id(), 3);
    assertThat(fx.messages()).hasSize(1);
    Signed<?> sent = fx.messages().get(0).message();
    assertThat(sent.body()).isInstanceOf(Share.class);
    assertThat(((Share) sent.body()).seq()).isEqualTo(3);
    assertThat(Pow.satisfied(sent.hash(), TestNet.DIFFICULTY)).isTrue();
    assertThat(sent.verifies()).isTrue();
    net.run();
    for (Replica r : List.of(a, b)) {
      assertThat(r.shares(A.id())).isEqualTo(3);
      assertThat(r.balance(A.id())).isEqualTo(3);
      assertThat(r.headBalance(A.id())).isZero();
      assertThat(r.balance(B.id())).isZero();
    }
    assertThat(a.digest()).isEqualTo(b.digest());
  }

  @Test
  void aDuplicateShareIsIdempotent() {
    Replica b = replica(B);
    Signed<Share> s1 = share(A, 1, 100);
    assertThat(b.receive(s1, 1).events()).isEmpty();
    String digest = b.digest();
    for (int i = 0; i < 3; i++) {
      Effects fx = b.receive(s1, 2 + i);
      assertThat(fx.events()).isEmpty();
      assertThat(fx.messages()).isEmpty();
    }
    assertThat(b.balance(A.id())).isEqualTo(1);
    assertThat(b.digest()).isEqualTo(digest);
    assertThat(b.evidence()).isEmpty();
  }

  @Test
  void anEquivocatingShareIsRecordedAndCreditsNothing() {
    Replica b = replica(B);
    Signed<Share> first = share(A, 1, 100);
    Signed<Share> second = share(A, 1, 999);
    assertThat(first.hash()).isNotEqualTo(second.hash());
    b.receive(first, 1);
    String digest = b.digest();
    Effects fx = b.receive(second, 2);
    assertThat(fx.events()).singleElement().isInstanceOfSatisfying(Misbehaviour.class, m -> {
      assertThat(m.kind()).isEqualTo(Misbehaviour.Kind.EQUIVOCATING_SHARE);
      assertThat(m.offender()).isEqualTo(A.id());
      assertThat(m.evidence()).containsExactly(first.wireText(), second.wireText());
    });
    assertThat(b.balance(A.id())).isEqualTo(1);
    assertThat(b.digest()).isEqualTo(digest);
    assertThat(b.evidence()).hasSize(1);
  }

  @Test
  void equivocatingReadingsCannotSplitHonestLedgers() {
    Replica b = replica(B);
    Replica c = replica(TestNet.C);
    Signed<Share> x = share(A, 1, 100);
    Signed<Share> y = share(A, 1, -100);
    b.receive(x, 1);
    b.receive(y, 2);
    c.receive(y, 1);
    c.receive(x, 2);
    assertThat(b.digest()).isEqualTo(c.digest());
    assertThat(b.balance(A.id())).isEqualTo(1).isEqualTo(c.balance(A.id()));
    assertThat(b.evidence()).hasSize(1);
    assertThat(c.evidence()).hasSize(1);
  }

  @Test
  void aGapIsPulledFromTheAuthorAndFilledWhenTheAnswerArrives() {
    Replica a = replica(A);
    Replica b = replica(B);
    a.share("virtual", 1, 10);
    a.share("virtual", 2, 10);
    Effects third = a.share("virtual", 3, 10);
    Signed<?> share3 = third.messages().get(0).message();

    // Most gaps are reordering: nothing is pulled at once, only if the gap is still open
    // pullMillis (500 ms) later, on the re-send timer (resendMillis 1000 ms), from the author.
    assertThat(b.receive(share3, 20).messages()).isEmpty();
    assertThat(b.shares(A.id())).isZero();
    assertThat(b.balance(A.id())).isZero();
    assertThat(pulls(b.tick(100))).isEmpty();
    List<Effects.Outgoing> pulls = pulls(b.tick(1100));
    assertThat(pulls).singleElement().satisfies(o -> {
      assertThat(o.to()).isEqualTo(A.id());
      assertThat(o.message().body()).isEqualTo(new Pull(NET, B.id(), Pull.What.SHARES, A.id(), 1, 2));
      assertThat(o.message().verifies()).isTrue();
    });

    // The same gap is not pulled again within pullMillis.
    assertThat(b.receive(share3, 1150).messages()).isEmpty();
    assertThat(pulls(b.tick(1200))).isEmpty();

    Effects answer = a.receive(pulls.get(0).message(), 30);
    assertThat(answer.messages()).extracting(Effects.Outgoing::to).containsOnly(B.id());
    assertThat(answer.messages()).extracting(o -> ((Share) o.message().body()).seq()).containsExactly(1L, 2L);
    for (Effects.Outgoing o : answer.messages()) {
      b.receive(o.message(), 40);
    }
    assertThat(b.shares(A.id())).isEqualTo(3);
    assertThat(b.balance(A.id())).isEqualTo(3);
    assertThat(b.digest()).isEqualTo(a.digest());
  }

  @Test
  void aShareFarAheadOfThePrefixIsRefusedAsBufferFull() {
    Replica b = replica(B, new ReplicaOptions(1000, 2000, 500, 1024, 4, 4));
    // maxAheadShares = 4: seq 5 is one too far past an empty prefix.
    assertThat(onlyRejection(b.receive(share(A, 5, 0), 1)).reason()).isEqualTo(Reason.BUFFER_FULL);
    assertThat(b.receive(share(A, 4, 0), 1).events()).isEmpty(); // within bound: buffered, gap pulled
    assertThat(b.shares(A.id())).isZero();
    for (int seq = 1; seq <= 3; seq++) {
      b.receive(share(A, seq, 0), 2);
    }
    assertThat(b.shares(A.id())).isEqualTo(4);
    // The bound moves with the prefix.
    assertThat(b.receive(share(A, 8, 0), 3).events()).isEmpty();
  }

  @Test
  void sharesThatAreNotAuthenticCreditNothing() {
    Replica b = replica(B);
    Share body = Pow.mine(new Share(NET, A.id(), 1, "virtual", 5, 0), TestNet.DIFFICULTY);
    // Signed by B in A's name.
    Rejected forged = onlyRejection(b.receive(Signed.of(body, B.sign(body.canonical())), 1));
    assertThat(forged.reason()).isEqualTo(Reason.BAD_SIGNATURE);
    assertThat(forged.author()).isEqualTo(A.id());
    assertThat(forged.type()).isEqualTo("share");
    // A flipped signature bit.
    byte[] sig = A.sign(body.canonical());
    sig[10] ^= 1;
    assertThat(onlyRejection(b.receive(Signed.of(body, sig), 1)).reason()).isEqualTo(Reason.BAD_SIGNATURE);
    // No proof-of-work.
    assertThat(onlyRejection(b.receive(TestNet.unmined(body, A), 1)).reason()).isEqualTo(Reason.BAD_POW);
    // Not a member.
    assertThat(onlyRejection(b.receive(share(OUTSIDER, 1, 5), 1)).reason()).isEqualTo(Reason.UNKNOWN_AUTHOR);
    // Another network.
    Signed<Share> other = TestNet.mined(new Share("other", A.id(), 1, "virtual", 5, 0), A);
    assertThat(onlyRejection(b.receive(other, 1)).reason()).isEqualTo(Reason.WRONG_NETWORK);

    assertThat(b.balance(A.id())).isZero();
    assertThat(b.shares(A.id())).isZero();
    assertThat(b.rejections()).containsEntry(Reason.BAD_SIGNATURE, 2L).containsEntry(Reason.BAD_POW, 1L)
        .containsEntry(Reason.UNKNOWN_AUTHOR, 1L).containsEntry(Reason.WRONG_NETWORK, 1L);
    // The real share still counts afterwards.
    b.receive(Signed.sign(body, A), 2);
    assertThat(b.balance(A.id())).isEqualTo(1);
  }

  @Test
  void buyReportsInsufficientWithTheMissingUnits() {
    Replica b = replica(B);
    for (int i = 0; i < 3; i++) {
      b.share("virtual", i, i);
    }
    Replica.Purchase p = b.buy("Nespresso", 10);
    assertThat(p.outcome()).isEqualTo(Replica.Purchase.Outcome.INSUFFICIENT);
    assertThat(p.missingUnits()).isEqualTo(2 * 5 - 3);
    assertThat(p.request()).isNull();
    assertThat(p.effects().messages()).isEmpty();
    Replica.Purchase receipt = b.buy("Receipt", 10);
    assertThat(receipt.outcome()).isEqualTo(Replica.Purchase.Outcome.INSUFFICIENT);
    assertThat(receipt.missingUnits()).isEqualTo(2);
  }

  @Test
  void buyRefusesAContractNotInTheCatalogue() {
    Replica b = replica(B);
    for (int i = 0; i < 20; i++) {
      b.share("virtual", i, i);
    }
    Replica.Purchase p = b.buy("Latte", 10);
    assertThat(p.outcome()).isEqualTo(Replica.Purchase.Outcome.UNKNOWN_CONTRACT);
    assertThat(p.request()).isNull();
    assertThat(p.effects().messages()).isEmpty();
  }

  @Test
  void buyPublishesOneRequestPerStateThenReportsItPending() {
    Replica b = replica(B);
    for (int i = 0; i < 12; i++) {
      b.share("virtual", i, i);
    }
    Replica.Purchase p = b.buy("Nespresso", 10);
    assertThat(p.outcome()).isEqualTo(Replica.Purchase.Outcome.PUBLISHED);
    assertThat(p.effects().messages()).singleElement().satisfies(o -> {
      assertThat(o.to()).isNull();
      assertThat(o.message().hash()).isEqualTo(p.request());
      assertThat(o.message().verifies()).isTrue();
      assertThat(Pow.satisfied(o.message().hash(), TestNet.DIFFICULTY)).isTrue();
      Request r = (Request) o.message().body();
      assertThat(r).isEqualTo(new Request(NET, B.id(), 1, Crypto.GENESIS, 12, List.of(), 12, "Nespresso", 2,
          r.nonce()));
    });
    assertThat(p.effects().events()).anySatisfy(e -> assertThat(e).isInstanceOf(LedgerEvent.RequestSeen.class));

    Replica.Purchase again = b.buy("Nespresso", 11);
    assertThat(again.outcome()).isEqualTo(Replica.Purchase.Outcome.ALREADY_PENDING);
    assertThat(again.request()).isEqualTo(p.request());
    assertThat(again.effects().messages()).singleElement()
        .satisfies(o -> assertThat(o.message().hash()).isEqualTo(p.request()));
    // Even for another contract: one request per wallet state, ever.
    Replica.Purchase other = b.buy("Receipt", 12);
    assertThat(other.outcome()).isEqualTo(Replica.Purchase.Outcome.ALREADY_PENDING);
    assertThat(other.request()).isEqualTo(p.request());
    // Nothing was spent yet.
    assertThat(b.balance(B.id())).isEqualTo(12);
    assertThat(b.chain(B.id())).isEmpty();
  }

  private static List<Effects.Outgoing> pulls(Effects fx) {
    return fx.messages().stream().filter(o -> o.message().body() instanceof Pull).toList();
  }
}
