package io.wallance.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wallance.protocol.Body;
import io.wallance.protocol.Command;
import io.wallance.protocol.Crypto;
import io.wallance.protocol.Pow;
import io.wallance.protocol.ProtocolException;
import io.wallance.protocol.Registry;
import io.wallance.protocol.Request;
import io.wallance.protocol.Share;
import io.wallance.protocol.Signed;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.RandomDistribution;
import net.jqwik.api.ShrinkingMode;

/**
 * The change journal is complete: for random short scenarios (shares, purchases, reordered,
 * dropped and duplicated messages, restarts, equivocation, double requests, operator commands,
 * an epoch change that grows the fleet, a member voting twice under a mutation), the state
 * rebuilt from each replica's drained journal equals its live state field by field and
 * answers every query the same way.
 */
class JournalReplayTest {
  private static final String NET = "jr";
  private static final ReplicaOptions TIMERS = new ReplicaOptions(200, 500, 100, 256, 4, 4096);
  private static final SignatureCheck SIGNATURES = new SignatureCheck(1 << 14);

  /** A small fleet of four live replicas, a fifth member added in epoch 2, and a message pool. */
  static final class Fleet {
    final Crypto.KeyPair operator;
    final List<Crypto.KeyPair> keys = new ArrayList<>();
    final Replica[] replicas = new Replica[4];
    final Rules[] rules = new Rules[4];
    @SuppressWarnings("unchecked")
    final List<LedgerChange>[] journals = new List[4];
    final List<Object[]> pool = new ArrayList<>(); // {Integer to, Signed message}
    final Signed<Registry> epoch2;
    boolean epoch2Sent;
    long now;
    long counter;
    final Set<Class<?>> seen = new HashSet<>();
    boolean recordDrains;
    final List<List<List<LedgerChange>>> drains = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>(),
        new ArrayList<>());

    Fleet(long seed) throws ProtocolException {
      Random rnd = new Random(seed);
      operator = Crypto.KeyPair.fromSeed(bytes(rnd));
      for (int i = 0; i < 5; i++) {
        keys.add(Crypto.KeyPair.fromSeed(bytes(rnd)));
      }
      List<Crypto.KeyPair> first = new ArrayList<>(keys.subList(0, 4));
      first.sort((a, b) -> a.id().compareTo(b.id()));
      keys.subList(0, 4).clear();
      keys.addAll(0, first);
      Signed<Registry> genesis = Signed.sign(registry(1, 4), operator);
      epoch2 = Signed.sign(registry(2, 5), operator);
      for (int i = 0; i < 4; i++) {
        rules[i] = i == 3 ? Rules.broken(EnumSet.of(Rules.Mutation.VOTE_TWICE)) : Rules.none();
        replicas[i] = Replica.create(keys.get(i), genesis, rules[i], SIGNATURES, TIMERS);
        List<LedgerChange> initial = replicas[i].drainChanges();
        journals[i] = new ArrayList<>(initial);
        drains.get(i).add(initial);
      }
    }

    private static byte[] bytes(Random rnd) {
      byte[] b = new byte[32];
      rnd.nextBytes(b);
      return b;
    }

    private Registry registry(long epoch, int members) {
      List<Registry.Party> parties = new ArrayList<>();
      for (int i = 0; i < members; i++) {
        parties.add(new Registry.Party(keys.get(i).id(), "pi" + (i + 1)));
      }
      parties.sort((a, b) -> a.id().compareTo(b.id()));
      return new Registry(NET, epoch, 0, 1, 2, 1, 5, parties, List.of(new Registry.Party(operator.id(), "op")),
          Map.of("Nespresso", 2L, "Receipt", 1L, "Tea", 1L), operator.id());
    }

    /** Persists the call's changes, then publishes its messages: the runtime's rule. */
    void handle(int from, Effects fx) {
      List<LedgerChange> drained = replicas[from].drainChanges();
      if (recordDrains && !drained.isEmpty()) {
        drains.get(from).add(drained);
      }
      for (LedgerChange c : drained) {
        journals[from].add(c);
        seen.add(c.getClass());
      }
      for (Effects.Outgoing o : fx.messages()) {
        for (int to = 0; to < 4; to++) {
          if (to != from && (o.to() == null || o.to().equals(keys.get(to).id()))) {
            pool.add(new Object[] {to, o.message()});
          }
        }
      }
    }

    void broadcast(int from, Signed<? extends Body> m) {
      for (int to = 0; to < 4; to++) {
        if (to != from) {
          pool.add(new Object[] {to, m});
        }
      }
    }

    @SuppressWarnings("unchecked")
    void deliver(int index, boolean keep) {
      if (pool.isEmpty()) {
        return;
      }
      Object[] d = keep ? pool.get(index % pool.size()) : pool.remove(index % pool.size());
      int to = (Integer) d[0];
      handle(to, replicas[to].receive((Signed<? extends Body>) d[1], now));
    }

    void flush(int budget) {
      for (int i = 0; i < budget && !pool.isEmpty(); i++) {
        deliver(0, false);
      }
    }

    /** No more faults: timers re-send and pull what was lost until the pool drains. */
    void heal() {
      for (int round = 0; round < 6; round++) {
        flush(5000);
        now += 1000;
        for (int i = 0; i < 4; i++) {
          handle(i, replicas[i].tick(now));
        }
      }
      flush(5000);
    }

    void step(int v) throws ProtocolException {
      int node = (v / 32) % 4;
      int param = v / 128;
      Replica r = replicas[node];
      switch (v % 32) {
        case 12, 13, 14, 15 -> handle(node, r.share("virtual", 20_000 + param % 1000, now));
        case 16, 17, 18 -> handle(node, r.buy(List.of("Nespresso", "Receipt", "Tea").get(param % 3), now).effects());
        case 19, 20 -> {
          now += 50 + param % 300;
          handle(node, r.tick(now));
        }
        case 21 -> {
          if (!pool.isEmpty()) {
            pool.remove(param % pool.size()); // lost message
          }
        }
        case 22 -> deliver(param, true); // duplicate
        case 23 -> restart(node);
        case 24 -> {
          // An equivocating share: a second reading signed for a seq already shared.
          long seq = r.shares(r.id());
          if (seq > 0) {
            Share s = Pow.mine(new Share(NET, r.id(), 1 + param % seq, "virtual", 99_000 + param % 1000, 0), 1);
            broadcast(node, Signed.sign(s, keys.get(node)));
          }
        }
        case 25 -> {
          // A double request: a second request on the buyer's head, for another contract.
          Request d = r.draft(List.of("Receipt", "Tea").get(param % 2));
          if (d != null && r.ownPending() != null && d.balance() >= d.price()) {
            broadcast(node, Signed.sign(Pow.mine(d, 1), keys.get(node)));
          }
        }
        case 26 -> {
          long c = param % 4 == 0 ? Math.max(1, counter) : ++counter; // sometimes a replay
          Command cmd = new Command(NET, operator.id(), r.id(), c, Command.Action.BUY, "Receipt", c);
          handle(node, r.receive(Signed.sign(cmd, operator), now));
        }
        case 27 -> {
          if (!epoch2Sent && param % 4 == 0) {
            epoch2Sent = true;
            handle(node, r.receive(epoch2, now));
            broadcast(node, epoch2);
          } else {
            flush(200);
          }
        }
        case 28, 29, 30, 31 -> flush(2000);
        default -> deliver(param, false);
      }
    }

    /** Restarts a node from its journal alone and checks nothing it could answer changed. */
    void restart(int node) {
      Replica before = replicas[node];
      Replica after = Replica.restart(keys.get(node), LedgerState.replay(journals[node]), rules[node], SIGNATURES,
          TIMERS);
      assertSame(before, after);
      replicas[node] = after;
    }
  }

  @Provide
  Arbitrary<List<Integer>> scenarios() {
    return Arbitraries.integers().between(0, 1 << 20).withDistribution(RandomDistribution.uniform()).list()
        .ofMinSize(40).ofMaxSize(200);
  }

  @Property(tries = 40, shrinking = ShrinkingMode.BOUNDED)
  void replayingTheJournalRebuildsTheLiveState(@ForAll("scenarios") List<Integer> actions,
      @ForAll long seed) throws ProtocolException {
    Fleet fleet = new Fleet(seed);
    for (int v : actions) {
      fleet.step(v);
    }
    fleet.heal();
    int finals = 0;
    for (int i = 0; i < 4; i++) {
      finals += fleet.replicas[i].chain(fleet.keys.get(i).id()).size();
    }
    net.jqwik.api.statistics.Statistics.label("purchases final").collect(finals == 0 ? "none" : finals < 4 ? "1-3" : "4+");
    net.jqwik.api.statistics.Statistics.label("change types").collect(fleet.seen.size() < 6 ? "<6" : fleet.seen.size() < 9
        ? "6-8" : "9+");
    for (int i = 0; i < 4; i++) {
      Replica rebuilt = Replica.restart(fleet.keys.get(i), LedgerState.replay(fleet.journals[i]), fleet.rules[i],
          SIGNATURES, TIMERS);
      assertSame(fleet.replicas[i], rebuilt);
    }
  }

  /** A long seeded scenario exercises every change type, so the property above is not vacuous. */
  @Example
  void aLongScenarioExercisesEveryChangeType() throws ProtocolException {
    Set<Class<?>> seen = new HashSet<>();
    boolean finalized = false;
    for (long seed = 1; seed <= 1; seed++) {
      Fleet fleet = new Fleet(seed);
      Random rnd = new Random(seed);
      for (int i = 0; i < 700; i++) {
        int v = rnd.nextInt(1 << 20);
        // Favour progress: shares and purchases early, then mostly deliveries.
        fleet.step(i < 40 ? (v & ~31) | 12 : v);
      }
      fleet.heal();
      for (int i = 0; i < 4; i++) {
        fleet.restart(i);
        finalized |= !fleet.replicas[i].chain(fleet.keys.get(i).id()).isEmpty();
      }
      seen.addAll(fleet.seen);
    }
    assertThat(finalized).isTrue();
    Set<String> names = new TreeSet<>();
    seen.forEach(c -> names.add(c.getSimpleName()));
    Set<String> all = new TreeSet<>();
    for (Class<?> c : LedgerChange.class.getPermittedSubclasses()) {
      all.add(c.getSimpleName());
    }
    assertThat(names).isEqualTo(all);
  }

  @Example
  void aJournalMustStartWithTheGenesisRegistryAndApplyInOrder() throws ProtocolException {
    Fleet fleet = new Fleet(7);
    for (int i = 0; i < 30; i++) {
      fleet.step(20);
    }
    List<LedgerChange> journal = fleet.journals[0];
    assertThatThrownBy(() -> LedgerState.replay(List.of())).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> LedgerState.replay(journal.subList(1, journal.size())))
        .isInstanceOf(IllegalArgumentException.class);
  }

  // ------------------------------------------------------------------ comparison

  static void assertSame(Replica live, Replica rebuilt) {
    assertThat(dump(rebuilt.state())).isEqualTo(dump(live.state()));
    assertThat(queries(rebuilt)).isEqualTo(queries(live));
  }

  /** Every answer a replica gives about its durable state. */
  static String queries(Replica r) {
    StringBuilder sb = new StringBuilder();
    sb.append(r.id()).append(' ').append(r.digest()).append(' ').append(r.registry().epoch()).append(' ')
        .append(r.ownPending()).append(' ').append(r.citedTwice()).append(' ').append(r.evidence()).append('\n');
    Map<String, Long> cut = new TreeMap<>();
    Set<String> purchases = new TreeSet<>();
    for (String id : r.wallets()) {
      cut.put(id, r.shares(id) / 2);
      sb.append(id, 0, 8).append(" balance=").append(r.balance(id)).append(" head=").append(r.head(id))
          .append(" headBalance=").append(r.headBalance(id)).append(" shares=").append(r.shares(id))
          .append(" chain=").append(r.chain(id)).append(" rewards=").append(r.rewards(id)).append(" cited=")
          .append(r.cited(id)).append('\n');
      purchases.addAll(r.chain(id));
      purchases.addAll(r.rewards(id));
    }
    sb.append(r.digestAt(cut)).append('\n');
    for (String h : purchases) {
      Signed<Request> f = r.finalized(h);
      sb.append(h, 0, 8).append(' ').append(f == null ? null : f.wireText().hashCode()).append(' ')
          .append(new TreeMap<>(r.votes(h)).keySet()).append('\n');
    }
    for (String c : r.registry().contracts().keySet()) {
      sb.append(c).append(' ').append(r.draft(c)).append('\n');
    }
    return sb.toString();
  }

  /** The whole durable state, field by field, in a canonical order. */
  static String dump(LedgerState s) {
    StringBuilder sb = new StringBuilder();
    s.registries.forEach((e, r) -> sb.append("registry ").append(e).append(' ').append(sig(r)).append('\n'));
    for (Wallet w : s.wallets.values()) {
      sb.append("wallet ").append(w.id).append(" genesis=").append(w.genesisEpoch).append(" contiguous=")
          .append(w.contiguous).append(" head=").append(w.head).append('/').append(w.headShares).append('/')
          .append(w.headBalance).append('/').append(w.headEpoch).append(" chain=").append(w.chainLength)
          .append(w.recentChain).append(" states=").append(new TreeMap<>(w.states)).append(" last=").append(w.lastSeq)
          .append(" floor=").append(w.shareFloor).append(" cited=").append(s.rewards(w, RewardBook.CITED))
          .append(" rewards=").append(s.rewards(w, RewardBook.GRANTED)).append(" resident=")
          .append(w.book.resident()).append(" evicted=").append(w.book.evicted()).append(" uncited=").append(w.uncited)
          .append(" xor=").append(w.rewardDigest()).append('\n');
      w.shares.forEach((seq, sh) -> sb.append("  share ").append(seq).append(' ').append(sig(sh)).append('\n'));
    }
    new TreeMap<>(s.finals).forEach((h, f) -> {
      sb.append("final ").append(h).append(' ').append(sig(f.request())).append(' ').append(f.index()).append(' ')
          .append(f.prevEpoch()).append(' ').append(f.newState()).append('\n');
      f.votes().forEach((v, vote) -> sb.append("  vote ").append(v).append(' ').append(sig(vote)).append('\n'));
    });
    new TreeMap<>(s.myVotes).forEach((k, v) -> sb.append("myVote ").append(k).append(' ').append(sig(v)).append('\n'));
    new TreeMap<>(s.extraVotes).forEach((k, v) -> sb.append("extra ").append(k).append(' ').append(sig(v))
        .append('\n'));
    new TreeMap<>(s.myRequests).forEach((k, v) -> sb.append("myRequest ").append(k).append(' ').append(sig(v))
        .append('\n'));
    new TreeMap<>(s.commandCounters).forEach((k, v) -> sb.append("counter ").append(k).append(' ').append(v)
        .append('\n'));
    s.evidence.forEach(e -> sb.append("evidence ").append(e).append('\n'));
    sb.append("citedTwice ").append(s.citedTwice).append('\n');
    return sb.toString();
  }

  private static String sig(Signed<?> m) {
    return m.hash() + ":" + Crypto.hex(m.signature());
  }
}
