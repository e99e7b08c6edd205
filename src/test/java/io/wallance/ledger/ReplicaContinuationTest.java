package io.wallance.ledger;

import static io.wallance.ledger.TestNet.A;
import static io.wallance.ledger.TestNet.B;
import static io.wallance.ledger.TestNet.C;
import static io.wallance.ledger.TestNet.CATALOGUE;
import static io.wallance.ledger.TestNet.D;
import static io.wallance.ledger.TestNet.MEMBERS;
import static io.wallance.ledger.TestNet.NET;
import static io.wallance.ledger.TestNet.OPERATOR;
import static io.wallance.ledger.TestNet.replica;
import static org.assertj.core.api.Assertions.assertThat;

import io.wallance.protocol.Continuations;
import io.wallance.protocol.Crypto;
import io.wallance.protocol.Reason;
import io.wallance.protocol.Registry;
import io.wallance.protocol.Signed;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Continuing epochs (PROTOCOL.md 9.10): with C and D dead, the four-member genesis (quorum 3)
 * can finalize nothing; removing them alone does not help wallets whose heads are in epoch 1,
 * while an epoch that also names the heads to continue from does, and refuses what conflicts.
 */
class ReplicaContinuationTest {

  /** Epoch 2 with members A and B only (quorum 2), continuing the given heads. */
  private static Signed<Registry> epoch2(List<Registry.Continue> continues) {
    Registry r = new Registry(NET, 2, 0, TestNet.RATE, TestNet.REWARD, TestNet.DIFFICULTY, 5,
        TestNet.parties(List.of(A, B), "pi-"), TestNet.parties(List.of(OPERATOR), "op-"), CATALOGUE, continues,
        OPERATOR.id());
    return Signed.sign(r, OPERATOR);
  }

  /** The heads the operator tooling picks from the views of the live replicas. */
  private static List<Registry.Continue> heads(Replica... live) {
    List<Map<String, Registry.Continue>> views = new ArrayList<>();
    for (Replica r : live) {
      Map<String, Registry.Continue> view = new TreeMap<>();
      for (String id : r.wallets()) {
        view.put(id, new Registry.Continue(id, r.head(id), r.chain(id).size()));
      }
      views.add(view);
    }
    return Continuations.choose(views);
  }

  /** A and B alive, C and D dead; A has published a request that cannot reach quorum 3. */
  private static Cluster stalled() {
    Cluster net = new Cluster(replica(A), replica(B));
    net.share(A.id(), 12);
    net.run();
    assertThat(net.buy(A.id(), "Nespresso").outcome()).isEqualTo(Replica.Purchase.Outcome.PUBLISHED);
    net.run();
    net.tickAll(5_000);
    assertThat(net.events(A.id(), LedgerEvent.Voted.class)).isEmpty();
    assertThat(net.events(B.id(), LedgerEvent.Voted.class)).hasSize(1);
    assertThat(net.events(A.id(), LedgerEvent.Finalized.class)).as("A and B are 2 of quorum 3").isEmpty();
    return net;
  }

  @Test
  void removingTheDeadAloneLeavesAHeadInTheOldEpochStuck() {
    Cluster net = stalled();
    Signed<Registry> removal = epoch2(List.of());
    net.broadcast(C.id(), removal);
    net.post(C.id(), new Effects());
    net.get(A.id()).receive(removal, net.now);
    net.run();
    net.tickAll(5_000);
    assertThat(net.get(A.id()).registry().epoch()).isEqualTo(2);
    assertThat(net.events(A.id(), LedgerEvent.Finalized.class)).as("still counted against epoch 1").isEmpty();
    assertThat(net.buy(A.id(), "Receipt").outcome()).isEqualTo(Replica.Purchase.Outcome.ALREADY_PENDING);
  }

  @Test
  void aContinuingEpochFinalizesThePendingRequestAndPurchasesGoOnInTheNewEpoch() {
    Cluster net = stalled();
    Replica a = net.get(A.id());
    Replica b = net.get(B.id());
    List<Registry.Continue> heads = heads(a, b);
    assertThat(heads).hasSize(4).allMatch(c -> c.chain() == 0 && c.head().equals(Crypto.GENESIS));
    Signed<Registry> two = epoch2(heads);
    net.post(A.id(), a.receive(two, net.now));
    net.post(B.id(), b.receive(two, net.now));
    net.run();
    net.tickAll(2_000);
    assertThat(a.chain(A.id())).hasSize(1);
    assertThat(b.chain(A.id())).hasSize(1);
    assertThat(a.balance(A.id())).isEqualTo(12 - 10);
    // The request was signed in epoch 1; the head it made is counted in epoch 2 from now on.
    net.share(A.id(), 10);
    net.run();
    assertThat(net.buy(A.id(), "Receipt").outcome()).isEqualTo(Replica.Purchase.Outcome.PUBLISHED);
    net.run();
    net.tickAll(2_000);
    assertThat(a.chain(A.id())).hasSize(2);
    assertThat(b.chain(A.id())).hasSize(2);
    assertThat(b.finalized(a.chain(A.id()).get(1)).body().epoch()).isEqualTo(2);
    // B buys from genesis, continued in epoch 2: A's vote is enough.
    net.share(B.id(), 5);
    net.run();
    assertThat(net.buy(B.id(), "Receipt").outcome()).isEqualTo(Replica.Purchase.Outcome.PUBLISHED);
    net.run();
    net.tickAll(2_000);
    assertThat(a.chain(B.id())).hasSize(1);
    assertThat(a.digest()).isEqualTo(b.digest());
    assertThat(a.citedTwice()).isZero();
    // A replica rebuilt from its journal counts the same way.
    Replica again = Replica.restart(B, LedgerState.replay(journal(b)), Rules.none(), new SignatureCheck(64),
        ReplicaOptions.defaults());
    assertThat(again.digest()).isEqualTo(b.digest());
  }

  private static final java.util.Map<Replica, List<LedgerChange>> JOURNALS = new java.util.IdentityHashMap<>();

  private static List<LedgerChange> journal(Replica r) {
    JOURNALS.computeIfAbsent(r, k -> new ArrayList<>()).addAll(r.drainChanges());
    return JOURNALS.get(r);
  }

  @Test
  void aBehindReplicaAppliesTheCertificatesBelowTheNamedHeadThenContinues() {
    // All four alive: A buys once (final everywhere but on D, which misses it), then C dies.
    Replica a = replica(A);
    Replica b = replica(B);
    Replica c = replica(C);
    Replica d = replica(D);
    Cluster net = new Cluster(a, b, c, d);
    net.drop = e -> e.to().equals(D.id()) && !(e.message().body() instanceof io.wallance.protocol.Share);
    net.share(A.id(), 12);
    net.run();
    net.buy(A.id(), "Receipt");
    net.run();
    assertThat(a.chain(A.id())).hasSize(1);
    assertThat(d.chain(A.id())).isEmpty();
    net.drop = e -> false;
    net.nodes.remove(C.id());
    List<Registry.Continue> heads = heads(a, b, d);
    assertThat(heads.stream().filter(h -> h.wallet().equals(A.id())).findFirst().orElseThrow().chain()).isEqualTo(1);
    Registry r = new Registry(NET, 2, 0, TestNet.RATE, TestNet.REWARD, TestNet.DIFFICULTY, 5,
        TestNet.parties(List.of(A, B, D), "pi-"), TestNet.parties(List.of(OPERATOR), "op-"), CATALOGUE, heads,
        OPERATOR.id());
    Signed<Registry> two = Signed.sign(r, OPERATOR);
    for (Replica x : List.of(a, b, d)) {
      net.post(x.id(), x.receive(two, net.now));
    }
    net.run();
    // D learns the missing certificate (counted under epoch 1, where it was formed) by catch-up.
    for (int i = 0; i < 10 && d.chain(A.id()).size() < 1; i++) {
      net.tickAll(3_000);
    }
    assertThat(d.chain(A.id())).hasSize(1);
    net.buy(A.id(), "Receipt");
    net.run();
    net.tickAll(2_000);
    assertThat(d.chain(A.id())).hasSize(2);
    assertThat(a.digest()).isEqualTo(d.digest()).isEqualTo(b.digest());
  }

  @Test
  void aCertificateLeadingAwayFromTheNamedHeadIsRefused() {
    Replica a = replica(A);
    Replica b = replica(B);
    Replica c = replica(C);
    Replica d = replica(D);
    Cluster net = new Cluster(a, b, c, d);
    net.drop = e -> e.to().equals(D.id()) && !(e.message().body() instanceof io.wallance.protocol.Share);
    net.share(A.id(), 12);
    net.run();
    net.buy(A.id(), "Receipt");
    net.run();
    assertThat(a.chain(A.id())).hasSize(1);
    net.drop = e -> false;
    // A (wrong) continuing epoch names another state for A at length 1; D, still at length 0, adopts it.
    List<Registry.Continue> heads = new ArrayList<>(heads(d));
    heads.replaceAll(h -> h.wallet().equals(A.id()) ? new Registry.Continue(A.id(), "ab".repeat(32), 1) : h);
    Registry r = new Registry(NET, 2, 0, TestNet.RATE, TestNet.REWARD, TestNet.DIFFICULTY, 5,
        TestNet.parties(MEMBERS, "pi-"), TestNet.parties(List.of(OPERATOR), "op-"), CATALOGUE, heads, OPERATOR.id());
    net.post(D.id(), d.receive(Signed.sign(r, OPERATOR), net.now));
    assertThat(d.registry().epoch()).isEqualTo(2);
    for (int i = 0; i < 5; i++) {
      net.tickAll(3_000);
    }
    assertThat(d.chain(A.id())).as("no certificate may lead away from the named head").isEmpty();
    assertThat(d.rejections()).containsKey(Reason.CONTINUATION_CONFLICT);
  }

  @Test
  void aContinuingRegistryNamingAnotherStateAtALengthAlreadyPassedIsRefused() {
    Replica a = replica(A);
    Replica b = replica(B);
    Replica c = replica(C);
    Cluster net = new Cluster(a, b, c);
    net.share(A.id(), 12);
    net.run();
    net.buy(A.id(), "Receipt");
    net.run();
    assertThat(a.chain(A.id())).hasSize(1);
    List<Registry.Continue> heads = new ArrayList<>(heads(a));
    heads.replaceAll(h -> h.wallet().equals(A.id()) ? new Registry.Continue(A.id(), "ab".repeat(32), 1) : h);
    Effects fx = a.receive(epoch2(heads), net.now);
    assertThat(a.registry().epoch()).isEqualTo(1);
    assertThat(fx.events()).anyMatch(e -> e instanceof LedgerEvent.Rejected r
        && r.reason() == Reason.CONTINUATION_CONFLICT);
  }
}
