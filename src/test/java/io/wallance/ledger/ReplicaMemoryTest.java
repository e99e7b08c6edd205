package io.wallance.ledger;

import static io.wallance.ledger.TestNet.A;
import static io.wallance.ledger.TestNet.B;
import static io.wallance.ledger.TestNet.C;
import static io.wallance.ledger.TestNet.D;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wallance.protocol.Crypto;
import io.wallance.protocol.ProtocolException;
import io.wallance.protocol.Request;
import io.wallance.protocol.Signed;
import io.wallance.protocol.Vote;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The memory model (docs/ARCHITECTURE.md, "Memory model"): with tiny {@link MemoryCaps} a
 * replica keeps only the recent part of the ledger resident, never more than its caps, and
 * still answers exactly like a replica that keeps everything, reading what it evicted back
 * from its archive (here the journal it persisted, as the simulator does).
 */
class ReplicaMemoryTest {
  private static final MemoryCaps TINY = new MemoryCaps(4, 2, 3);
  private static final List<Crypto.KeyPair> ALL = List.of(A, B, C, D);

  /** Four replicas with tiny caps, each persisting to its own journal, archived. */
  private static Cluster bounded() {
    Cluster net = new Cluster();
    for (Crypto.KeyPair k : ALL) {
      List<LedgerChange> journal = new ArrayList<>();
      try {
        net.add(Replica.create(k, TestNet.genesis(), Rules.none(), new SignatureCheck(4096),
            ReplicaOptions.defaults(), TINY, new JournalArchive(journal)));
      } catch (ProtocolException e) {
        throw new AssertionError(e);
      }
      net.journals.put(k.id(), journal);
      net.post(k.id(), new Effects()); // persists the genesis registry
    }
    return net;
  }

  private static Cluster unbounded() {
    Cluster net = new Cluster();
    ALL.forEach(k -> net.add(TestNet.replica(k)));
    return net;
  }

  /** The same activity on any cluster: shares and purchases by every member, in rounds. */
  private static void activity(Cluster net, int rounds) {
    for (int i = 0; i < rounds; i++) {
      for (Crypto.KeyPair k : ALL) {
        net.share(k.id(), 7);
      }
      net.run();
      Crypto.KeyPair buyer = ALL.get(i % 4);
      assertThat(net.buy(buyer.id(), "Receipt").outcome()).isEqualTo(Replica.Purchase.Outcome.PUBLISHED);
      net.run();
    }
  }

  private static void assertWithinCaps(Replica r) {
    LedgerState s = r.state();
    assertThat(s.finals.size()).as("finals resident").isLessThanOrEqualTo(TINY.recentFinals());
    assertThat(s.myVotes.size()).as("own votes resident").isLessThanOrEqualTo(ALL.size());
    assertThat(s.myRequests.size()).as("own requests resident").isLessThanOrEqualTo(1);
    for (Wallet w : s.wallets.values()) {
      assertThat(w.sharesAfter(w.contiguous)).as("no gap in this run").isEmpty();
      assertThat(w.shares.size()).as("shares resident").isLessThanOrEqualTo(TINY.recentShares());
      assertThat(w.recentChain.size()).as("chain entries resident").isLessThanOrEqualTo(TINY.recentChain());
      assertThat(w.states.size()).as("states resident").isLessThanOrEqualTo(TINY.recentChain() + 1);
    }
  }

  @Test
  void aBoundedReplicaStaysWithinItsCapsAndAnswersLikeOneThatKeepsEverything() {
    Cluster small = bounded();
    Cluster full = unbounded();
    activity(small, 12);
    activity(full, 12);
    for (Crypto.KeyPair k : ALL) {
      Replica r = small.get(k.id());
      assertWithinCaps(r);
      assertThat(r.chainLength(k.id())).isEqualTo(3);
      assertThat(r.shares(k.id())).isEqualTo(84);
      assertThat(r.state().wallets.get(k.id()).shareFloor).as("old shares were evicted").isEqualTo(80);
      // Every query, the archived part included, equals the unbounded replica's answer.
      assertThat(JournalReplayTest.queries(r)).isEqualTo(JournalReplayTest.queries(full.get(k.id())));
      // A restart replays the journal within the same caps into the same state.
      LedgerState replayed = LedgerState.replay(small.journals.get(k.id()), TINY);
      assertThat(JournalReplayTest.dump(replayed)).isEqualTo(JournalReplayTest.dump(r.state()));
      assertThat(replayed.finals.size()).isLessThanOrEqualTo(TINY.recentFinals());
    }
    assertThat(new HashSet<>(small.digests())).hasSize(1).isEqualTo(new HashSet<>(full.digests()));
  }

  @Test
  void aMemberThatMissedEverythingCatchesUpFromTheOthersArchives() {
    Cluster net = bounded();
    net.drop = e -> e.to().equals(D.id()) || e.from().equals(D.id());
    for (int i = 0; i < 8; i++) {
      for (Crypto.KeyPair k : List.of(A, B, C)) {
        net.share(k.id(), 7);
      }
      net.run();
      net.buy(List.of(A, B, C).get(i % 3).id(), "Receipt");
      net.run();
    }
    Replica d = net.get(D.id());
    assertThat(d.shares(A.id())).isZero();
    net.drop = e -> false;
    for (int i = 0; i < 200 && new HashSet<>(net.digests()).size() > 1; i++) {
      net.tickAll(600);
    }
    assertThat(new HashSet<>(net.digests())).as("D caught up on shares, chains and rewards").hasSize(1);
    assertThat(d.shares(A.id())).isEqualTo(56);
    assertThat(d.chain(A.id())).isEqualTo(net.get(A.id()).chain(A.id())).hasSize(3);
    assertThat(d.rewards(B.id())).isEqualTo(net.get(A.id()).rewards(B.id()));
    assertWithinCaps(d);
  }

  @Test
  void oldItemsReplayedAfterEvictionAreRecognisedFromTheArchive() {
    Cluster net = bounded();
    // D's votes on B's first purchase are held back: they arrive after the purchase left memory.
    List<Cluster.Envelope> held = new ArrayList<>();
    net.drop = e -> {
      if (e.from().equals(D.id()) && e.message().body() instanceof Vote v && v.buyer().equals(B.id())
          && v.prev().equals(Crypto.GENESIS)) {
        held.add(e);
        return true;
      }
      return false;
    };
    for (Crypto.KeyPair k : ALL) {
      net.share(k.id(), 7);
    }
    net.run();
    String first = net.buy(B.id(), "Receipt").request();
    net.run();
    net.drop = e -> false;
    assertThat(held).isNotEmpty();
    assertThat(net.get(A.id()).votes(first)).doesNotContainKey(D.id());
    // Evicts the first purchase, its state and B's first shares everywhere. D does not buy: its
    // request would cite the reward and make the others pull D's vote.
    for (int i = 0; i < 8; i++) {
      for (Crypto.KeyPair k : ALL) {
        net.share(k.id(), 7);
      }
      net.run();
      net.buy(List.of(A, B, C).get(i % 3).id(), "Receipt");
      net.run();
    }
    Replica a = net.get(A.id());
    assertThat(a.state().finals).doesNotContainKey(first);
    assertThat(a.state().wallets.get(B.id()).states).doesNotContainKey(a.finalized(first).body().prev());

    // The late vote still counts (a certificate vote and a reward), read from the archive.
    net.clearEvents();
    Cluster.Envelope toA = held.stream().filter(e -> e.to().equals(A.id())).findFirst().orElseThrow();
    net.deliver(toA);
    net.run();
    assertThat(a.votes(first)).containsKey(D.id());
    assertThat(a.rewards(D.id())).contains(first);
    assertThat(net.events(A.id(), LedgerEvent.VoteSeen.class)).hasSize(1);

    // The finalized request again: ignored quietly, as when it was resident.
    net.clearEvents();
    Effects fx = a.receive(a.finalized(first), net.now);
    assertThat(fx.events()).isEmpty();
    assertThat(fx.messages()).isEmpty();
    // Another request on the state it spent: refused as stale, though the state left memory.
    Signed<Request> stale = TestNet.request(B, Crypto.GENESIS, 7, List.of(), 7, "Nespresso", 2);
    assertThat(a.receive(stale, net.now).events()).singleElement().isInstanceOfSatisfying(LedgerEvent.Rejected.class,
        e -> assertThat(e.reason()).isEqualTo(io.wallance.protocol.Reason.STALE_STATE));
    // A second, different share at an evicted position is equivocation, shown from the archive.
    Effects eq = a.receive(TestNet.share(B, 1, 99_999), net.now);
    assertThat(eq.events()).singleElement().isInstanceOfSatisfying(LedgerEvent.Misbehaviour.class,
        m -> assertThat(m.kind()).isEqualTo(LedgerEvent.Misbehaviour.Kind.EQUIVOCATING_SHARE));
    net.journals.get(A.id()).addAll(a.drainChanges()); // the evidence
    // The same share again: nothing (never stored twice).
    Signed<io.wallance.protocol.Share> old = net.journals.get(A.id()).stream()
        .filter(c -> c instanceof LedgerChange.ShareStored s && s.share().body().author().equals(B.id())
            && s.share().body().seq() == 1)
        .map(c -> ((LedgerChange.ShareStored) c).share()).findFirst().orElseThrow();
    int before = net.journals.get(A.id()).size();
    assertThat(a.receive(old, net.now).events()).isEmpty();
    assertThat(a.drainChanges()).isEmpty();
    assertThat(net.journals.get(A.id())).hasSize(before);
  }

  @Test
  void aReplicaThatEvictsRefusesToRunWithoutAnArchive() {
    assertThatThrownBy(() -> Replica.create(A, TestNet.genesis(), Rules.none(), new SignatureCheck(16),
        ReplicaOptions.defaults(), TINY, LedgerArchive.NONE)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("archive");
    assertThatThrownBy(() -> new MemoryCaps(0, 1, 1)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theRewardBookAgreesWithPlainSetsPastManyGrowths() {
    RewardBook book = new RewardBook();
    TreeSet<String> granted = new TreeSet<>();
    TreeSet<String> cited = new TreeSet<>();
    Random rnd = new Random(7);
    List<String> seen = new ArrayList<>();
    for (int i = 0; i < 20_000; i++) {
      String h = i % 3 == 0 && !seen.isEmpty() ? seen.get(rnd.nextInt(seen.size()))
          : Crypto.sha256Hex(("p" + rnd.nextLong()).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      seen.add(h);
      if (rnd.nextBoolean()) {
        assertThat(mark(book, h, RewardBook.GRANTED)).isEqualTo(granted.add(h));
      } else {
        assertThat(mark(book, h, RewardBook.CITED)).isEqualTo(cited.add(h));
      }
    }
    mark(book, "not-a-hash", RewardBook.CITED);
    cited.add("not-a-hash");
    assertThat(book.sorted(RewardBook.GRANTED)).isEqualTo(new ArrayList<>(granted));
    assertThat(book.sorted(RewardBook.CITED)).isEqualTo(new ArrayList<>(cited));
    assertThat(book.grantedCount()).isEqualTo(granted.size());
    Set<String> all = new HashSet<>(seen);
    for (String h : all) {
      assertThat((flags(book, h) & RewardBook.GRANTED) != 0).isEqualTo(granted.contains(h));
      assertThat((flags(book, h) & RewardBook.CITED) != 0).isEqualTo(cited.contains(h));
    }
    assertThat(flags(book, Crypto.sha256Hex(new byte[] {1}))).isZero();
  }

  @Test
  void theRewardBookEvictsSpentRewardsAndFindsEveryOtherOne() {
    RewardBook book = new RewardBook();
    TreeSet<String> granted = new TreeSet<>();
    TreeSet<String> cited = new TreeSet<>();
    TreeSet<String> evicted = new TreeSet<>();
    Random rnd = new Random(11);
    List<String> seen = new ArrayList<>();
    for (int i = 0; i < 20_000; i++) {
      String h = i % 2 == 0 && !seen.isEmpty() ? seen.get(rnd.nextInt(seen.size()))
          : Crypto.sha256Hex(("q" + rnd.nextLong()).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      seen.add(h);
      if (evicted.contains(h)) {
        continue;
      }
      if (rnd.nextBoolean()) {
        mark(book, h, RewardBook.GRANTED);
        granted.add(h);
      } else {
        mark(book, h, RewardBook.CITED);
        cited.add(h);
      }
      boolean spent = granted.contains(h) && cited.contains(h);
      assertThat(book.evict(RewardBook.key(h))).as("only a spent reward leaves").isEqualTo(spent);
      if (spent) {
        evicted.add(h);
      }
    }
    assertThat(evicted).hasSizeGreaterThan(1000);
    assertThat(book.evicted()).isEqualTo(evicted.size());
    assertThat(book.resident()).isEqualTo(new HashSet<>(seen).size() - evicted.size());
    assertThat(book.grantedCount()).isEqualTo(granted.size());
    for (String h : new HashSet<>(seen)) {
      byte expected = evicted.contains(h) ? 0
          : (byte) ((granted.contains(h) ? RewardBook.GRANTED : 0) | (cited.contains(h) ? RewardBook.CITED : 0));
      assertThat(flags(book, h)).as(h).isEqualTo(expected);
    }
    // The coarse sums of the evicted rewards: per part of the two first bisection levels.
    for (long width : new long[] {io.wallance.protocol.Sums.SPACE, io.wallance.protocol.Sums.SPACE / 16}) {
      long from = width == io.wallance.protocol.Sums.SPACE ? 0 : 5 * width;
      long[] counts = new long[16];
      long[][] xors = new long[16][4];
      assertThat(book.evictedSums(from, width, counts, xors)).isTrue();
      long[] want = new long[16];
      long[][] wantXors = new long[16][4];
      for (String h : evicted) {
        long[] k = RewardBook.key(h);
        long key = RewardBook.bucketKey(k);
        if (key >= from && key < from + width) {
          int part = (int) ((key - from) / (width / 16));
          want[part]++;
          for (int w = 0; w < 4; w++) {
            wantXors[part][w] ^= k[w];
          }
        }
      }
      assertThat(counts).isEqualTo(want);
      assertThat(xors).isEqualTo(wantXors);
    }
    assertThat(book.evictedSums(0, io.wallance.protocol.Sums.SPACE / 256, new long[16], new long[16][4]))
        .as("narrower buckets are read from the archive").isFalse();
  }

  @Test
  void spentRewardsLeaveMemoryOnceDurableAndAreStillRefusedWhenCitedAgain() {
    Cluster small = bounded();
    Cluster full = unbounded();
    activity(small, 16);
    activity(full, 16);
    Replica a = small.get(A.id());
    Replica fa = full.get(A.id());
    LedgerState s = a.state();
    assertThat(s.residentRewards()).as("resident rewards").isLessThan(fa.state().residentRewards());
    for (Crypto.KeyPair k : ALL) {
      Wallet w = s.wallets.get(k.id());
      Wallet fw = fa.state().wallets.get(k.id());
      assertThat(w.book.evicted()).as("evicted rewards of %s", k.id()).isPositive();
      assertThat(w.book.resident() + w.book.evicted()).isEqualTo(fw.book.resident());
      assertThat(w.rewardCount()).isEqualTo(fw.rewardCount());
      assertThat(w.rewardDigest()).isEqualTo(fw.rewardDigest());
      // Sums at every bisection level, the archived ones included, as the replica that keeps everything.
      for (long width = io.wallance.protocol.Sums.SPACE; width >= 16; width /= 16) {
        for (String h : fa.rewards(k.id())) {
          long from = io.wallance.protocol.Sums.key(h) / width * width;
          long[] counts = new long[16];
          long[][] xors = new long[16][4];
          s.rewardSums(w, from, from + width - 1, counts, xors);
          long[] fullCounts = new long[16];
          long[][] fullXors = new long[16][4];
          fa.state().rewardSums(fw, from, from + width - 1, fullCounts, fullXors);
          assertThat(counts).isEqualTo(fullCounts);
          assertThat(xors).isEqualTo(fullXors);
          assertThat(s.granted(w, from, from + width - 1, 5)).isEqualTo(fa.state().granted(fw, from,
              from + width - 1, 5));
        }
      }
    }
    assertThat(JournalReplayTest.queries(a)).isEqualTo(JournalReplayTest.queries(fa));

    // B cites again a reward it spent long ago, now only in A's archive: refused as before.
    String spent = a.cited(B.id()).stream().filter(h -> flags(s.wallets.get(B.id()).book, h) == 0).findFirst()
        .orElseThrow();
    Replica b = small.get(B.id());
    Signed<Request> again = TestNet.request(B, b.head(B.id()), b.shares(B.id()), List.of(spent),
        b.balance(B.id()) + 5, "Receipt", 1);
    assertThat(a.receive(again, small.now).events()).anySatisfy(e -> assertThat(e)
        .isInstanceOfSatisfying(LedgerEvent.Rejected.class, r -> assertThat(r.reason())
            .isEqualTo(io.wallance.protocol.Reason.BAD_REWARD)));
    assertThat(a.citedTwice()).isZero();
  }

  @Test
  void rewardsNotYetDurableStayResident() {
    Cluster lagging = bounded();
    lagging.reportDurable = false;
    Cluster full = unbounded();
    activity(lagging, 8);
    activity(full, 8);
    for (Crypto.KeyPair k : ALL) {
      LedgerState s = lagging.get(k.id()).state();
      assertThat(s.residentRewards()).isEqualTo(full.get(k.id()).state().residentRewards()).isPositive();
      s.wallets.values().forEach(w -> assertThat(w.book.evicted()).isZero());
    }
    // Once the runtime reports the journal durable, the spent ones leave.
    Replica a = lagging.get(A.id());
    long before = a.state().residentRewards();
    a.durable(lagging.journals.get(A.id()));
    assertThat(a.state().residentRewards()).isLessThan(before);
    assertThat(JournalReplayTest.queries(a)).isEqualTo(JournalReplayTest.queries(full.get(A.id())));
  }

  @Test
  void aRewardLeavesOnlyOnceBothItsGrantAndItsCitationAreDurable() {
    List<LedgerChange> durableJournal = new ArrayList<>();
    LedgerState s = new LedgerState(TINY);
    s.attach(new JournalArchive(durableJournal));
    String h = Crypto.sha256Hex(new byte[] {42});
    Signed<Request> cites = TestNet.request(B, Crypto.GENESIS, 0, List.of(h), 2, "Receipt", 1);
    // B's request citing h is final here before B's grant on h arrives; the grant is applied
    // right after, in the next batch, which is not durable yet.
    List<LedgerChange> first = List.of(new LedgerChange.RegistryAdopted(TestNet.genesis()),
        new LedgerChange.Finalized(cites, java.util.Map.of(), 0, 1, Crypto.sha256Hex(new byte[] {1}), 0, 0));
    List<LedgerChange> second = List.of(new LedgerChange.RewardGranted(B.id(), h, 1));
    first.forEach(s::apply);
    second.forEach(s::apply);
    Wallet b = s.wallets.get(B.id());
    durableJournal.addAll(first);
    s.durable(first);
    assertThat(b.book.evicted()).as("the grant is not durable: the spent reward stays").isZero();
    assertThat(s.isGranted(b, h)).isTrue();
    assertThat(s.isCited(b, h)).isTrue();
    durableJournal.addAll(second);
    s.durable(second);
    assertThat(b.book.evicted()).isEqualTo(1);
    assertThat(flags(b.book, h)).as("no longer resident").isZero();
    assertThat(s.isGranted(b, h)).as("read back from the archive").isTrue();
    assertThat(s.isCited(b, h)).isTrue();
    assertThat(s.isCited(b, Crypto.sha256Hex(new byte[] {43}))).isFalse();
    assertThat(s.rewards(b, RewardBook.CITED)).containsExactly(h);
  }

  /** Sets {@code flag} on {@code hash} as the ledger does; false when it was already set. */
  private static boolean mark(RewardBook book, String hash, byte flag) {
    return book.mark(hash, RewardBook.key(hash), flag) >= 0;
  }

  private static byte flags(RewardBook book, String hash) {
    return book.flags(hash, RewardBook.key(hash));
  }
}
