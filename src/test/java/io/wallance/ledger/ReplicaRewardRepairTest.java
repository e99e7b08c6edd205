package io.wallance.ledger;

import static io.wallance.ledger.TestNet.A;
import static io.wallance.ledger.TestNet.B;
import static io.wallance.ledger.TestNet.C;
import static io.wallance.ledger.TestNet.D;
import static io.wallance.ledger.TestNet.MEMBERS;
import static io.wallance.ledger.TestNet.NET;
import static io.wallance.ledger.TestNet.OUTSIDER;
import static io.wallance.ledger.TestNet.replica;
import static org.assertj.core.api.Assertions.assertThat;

import io.wallance.protocol.Body;
import io.wallance.protocol.Crypto;
import io.wallance.protocol.Pull;
import io.wallance.protocol.Reason;
import io.wallance.protocol.Signed;
import io.wallance.protocol.Status;
import io.wallance.protocol.Sums;
import io.wallance.protocol.Vote;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The reward repair of PROTOCOL.md 9.2: a late vote (one that arrives after its request's
 * certificate and earns a reward) lost on its way to one replica is found by digest
 * bisection over the voter's reward set and pulled, in a few round trips.
 */
class ReplicaRewardRepairTest {
  private static final long STATUS = ReplicaOptions.defaults().statusMillis();

  /** A fleet that bought {@code purchases} times in turn, with every late vote to D lost. */
  private static Cluster lateVotesLostToD(int purchases) {
    return lateVotesLostToD(purchases, k -> replica(k));
  }

  /** The same, with replicas made by {@code make} (e.g. with the repair switched off). */
  private static Cluster lateVotesLostToD(int purchases, java.util.function.Function<Crypto.KeyPair, Replica> make) {
    Cluster net = new Cluster(make.apply(A), make.apply(B), make.apply(C), make.apply(D));
    for (Crypto.KeyPair k : MEMBERS) {
      net.share(k.id(), 40);
    }
    net.run();
    Replica d = net.get(D.id());
    net.drop = e -> e.to().equals(D.id()) && e.message().body() instanceof Vote v && d.finalized(v.request()) != null;
    for (int i = 0; i < purchases; i++) {
      net.buy(MEMBERS.get(i % MEMBERS.size()).id(), "Receipt");
      net.run();
    }
    net.drop = e -> false;
    return net;
  }

  private static List<Pull> pullsBy(Cluster net, String from, int since) {
    return net.delivered.subList(since, net.delivered.size()).stream()
        .filter(e -> e.from().equals(from) && e.message().body() instanceof Pull).map(e -> (Pull) e.message().body())
        .toList();
  }

  @Test
  void lateVotesLostToOneReplicaAreFoundByBisectionAndPulled() {
    Cluster net = lateVotesLostToD(12);
    Replica a = net.get(A.id());
    Replica d = net.get(D.id());
    long lost = net.dropped.size();
    assertThat(lost).as("late votes lost to D").isPositive();
    assertThat(d.digest()).as("D lacks rewards").isNotEqualTo(a.digest());
    assertThat(net.digests().stream().distinct()).as("the others agree").hasSize(2);

    int since = net.delivered.size();
    int rounds = 0;
    while (!d.digest().equals(a.digest()) && rounds < 6) {
      net.tickAll(STATUS);
      rounds++;
    }
    // The first status of each peer only records it; the next one (a quiet ledger reports at
    // least every fourth interval) shows the same difference, settled, and starts the
    // bisection, which completes within that round's deliveries.
    assertThat(rounds).as("status rounds to repair").isLessThanOrEqualTo(5);
    assertThat(net.digests()).containsOnly(a.digest());
    for (Crypto.KeyPair k : MEMBERS) {
      assertThat(d.rewards(k.id())).isEqualTo(a.rewards(k.id()));
      assertThat(d.balance(k.id())).isEqualTo(a.balance(k.id()));
    }
    List<Pull> pulls = pullsBy(net, D.id(), since);
    assertThat(pulls).extracting(Pull::what).contains(Pull.What.SUMS, Pull.What.REWARDS)
        .doesNotContain(Pull.What.CHAIN, Pull.What.REQUEST);
    // Every vote pulled came from a small part of a reward set, never a whole list.
    long votesToD = net.delivered.subList(since, net.delivered.size()).stream()
        .filter(e -> e.to().equals(D.id()) && e.message().body() instanceof Vote).count();
    assertThat(votesToD).isLessThanOrEqualTo((long) pulls.size() * Replica.REWARD_LEAF);
  }

  @Test
  void withoutTheRepairTheLostRewardsStayLost() {
    // The same history with the repair switched off (the mutation the simulator must catch).
    Cluster net = lateVotesLostToD(12, ReplicaRewardRepairTest::broken);
    Replica d = net.get(D.id());
    for (int i = 0; i < 6; i++) {
      net.tickAll(STATUS);
    }
    assertThat(d.digest()).isNotEqualTo(net.get(A.id()).digest());
  }

  private static Replica broken(Crypto.KeyPair key) {
    try {
      return Replica.create(key, TestNet.genesis(), Rules.broken(java.util.EnumSet.of(Rules.Mutation.NO_REWARD_REPAIR)),
          new SignatureCheck(4096), ReplicaOptions.defaults());
    } catch (io.wallance.protocol.ProtocolException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void aDifferenceThatKeepsMovingIsStillBisectedEveryFewStatuses() {
    Replica d = replica(D);
    long now = 0;
    List<Integer> sumsPullsAt = new ArrayList<>();
    for (int i = 1; i <= 2 * Replica.UNSETTLED_EVERY + 2; i++) {
      // A's view of C's rewards grows on every status: the difference never settles.
      Status st = new Status(NET, A.id(), 1, List.of(entry(C, i)));
      now += STATUS;
      Effects fx = d.receive(Signed.sign(st, A), now);
      if (fx.messages().stream().anyMatch(o -> o.message().body() instanceof Pull p && p.what() == Pull.What.SUMS)) {
        sumsPullsAt.add(i);
      }
    }
    // Status 1 is only recorded; status 2 first shows the moving difference; it is bisected
    // UNSETTLED_EVERY status periods later, and again after as many.
    assertThat(sumsPullsAt).containsExactly(2 + Replica.UNSETTLED_EVERY, 2 + 2 * Replica.UNSETTLED_EVERY);

    Replica d2 = replica(D);
    d2.receive(Signed.sign(new Status(NET, A.id(), 1, List.of(entry(C, 3))), A), STATUS);
    Effects settled = d2.receive(Signed.sign(new Status(NET, A.id(), 1, List.of(entry(C, 3))), A), 2 * STATUS);
    assertThat(settled.messages()).extracting(o -> (Body) o.message().body())
        .containsExactly((Body) new Pull(NET, D.id(), Pull.What.SUMS, C.id(), 0, Sums.SPACE - 1));
  }

  @Test
  void aMovingDifferenceIsBisectedWithOnePeerPerPeriodNotWithEveryPeer() {
    Replica d = replica(D);
    long now = 0;
    int pulls = 0;
    int periods = 2 * Replica.UNSETTLED_EVERY + 2;
    for (int i = 1; i <= periods; i++) {
      now += STATUS;
      for (Crypto.KeyPair peer : List.of(A, B)) {
        // Both peers see C's rewards grow: the same moving difference, shown by two peers.
        Effects fx = d.receive(Signed.sign(new Status(NET, peer.id(), 1, List.of(entry(C, i))), peer), now);
        pulls += (int) fx.messages().stream()
            .filter(o -> o.message().body() instanceof Pull p && p.what() == Pull.What.SUMS).count();
      }
    }
    assertThat(pulls).as("one bisection per period for the voter, whichever peer showed it").isEqualTo(2);
  }

  private static Status.Entry entry(Crypto.KeyPair wallet, int rewards) {
    String digest = String.format("%064x", rewards);
    return new Status.Entry(wallet.id(), 0, 0, Crypto.GENESIS, rewards, digest);
  }

  @Test
  void sumsAndRewardsPullsAreAnsweredFromTheRewardSet() {
    Cluster net = lateVotesLostToD(8);
    Replica a = net.get(A.id());
    List<String> rewards = a.rewards(C.id());
    assertThat(rewards).isNotEmpty();

    Effects fx = a.receive(Signed.sign(new Pull(NET, D.id(), Pull.What.SUMS, C.id(), 0, Sums.SPACE - 1), D), 0);
    assertThat(fx.messages()).hasSize(1);
    assertThat(fx.messages().get(0).to()).isEqualTo(D.id());
    Sums sums = (Sums) fx.messages().get(0).message().body();
    assertThat(sums.voter()).isEqualTo(C.id());
    assertThat(sums.parts()).hasSize(Sums.PARTS);
    long width = Sums.SPACE / Sums.PARTS;
    for (int i = 0; i < Sums.PARTS; i++) {
      long from = i * width;
      List<String> in = rewards.stream().filter(h -> Sums.key(h) >= from && Sums.key(h) < from + width).toList();
      assertThat(sums.parts().get(i)).isEqualTo(new Sums.Part(in.size(), xor(in)));
      // The votes of one part: exactly its rewards, ascending, each C's signed vote for it.
      Effects votes = a.receive(Signed.sign(new Pull(NET, D.id(), Pull.What.REWARDS, C.id(), from, from + width - 1),
          D), 0);
      assertThat(votes.messages()).extracting(o -> ((Vote) o.message().body()).request()).containsExactlyElementsOf(in);
      assertThat(votes.messages()).allSatisfy(o -> {
        assertThat(((Vote) o.message().body()).voter()).isEqualTo(C.id());
        assertThat(o.message().verifies()).isTrue();
      });
    }
  }

  @Test
  void sumsFromAnUnknownOrForgedReporterPullNothing() {
    Cluster net = lateVotesLostToD(8);
    Replica a = net.get(A.id());
    Replica d = net.get(D.id());
    Sums real = (Sums) a.receive(Signed.sign(new Pull(NET, D.id(), Pull.What.SUMS, C.id(), 0, Sums.SPACE - 1), D), 0)
        .messages().get(0).message().body();
    assertThat(d.receive(Signed.sign(real, A), 1).messages()).as("the genuine answer leads to pulls").isNotEmpty();

    Sums outsider = new Sums(NET, OUTSIDER.id(), C.id(), real.from(), real.to(), real.parts());
    Effects fx = d.receive(Signed.sign(outsider, OUTSIDER), 10_000);
    assertThat(fx.messages()).isEmpty();
    assertThat(d.rejections()).containsKey(Reason.UNKNOWN_AUTHOR);

    Signed<Sums> signed = Signed.sign(real, A);
    Signed<? extends Body> forged = Signed.of(real, B.sign(signed.bytes()));
    fx = d.receive(forged, 20_000);
    assertThat(fx.messages()).isEmpty();
    assertThat(d.rejections()).containsKey(Reason.BAD_SIGNATURE);
  }

  private static String xor(List<String> hashes) {
    BigInteger x = BigInteger.ZERO;
    for (String h : hashes) {
      x = x.xor(new BigInteger(h, 16));
    }
    return String.format("%064x", x);
  }
}
