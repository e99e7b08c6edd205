package io.wallance.sim;

import io.wallance.ledger.Effects;
import io.wallance.ledger.JournalArchive;
import io.wallance.ledger.LedgerChange;
import io.wallance.ledger.LedgerEvent;
import io.wallance.ledger.LedgerState;
import io.wallance.ledger.MemoryCaps;
import io.wallance.ledger.Replica;
import io.wallance.ledger.ReplicaOptions;
import io.wallance.ledger.Rules;
import io.wallance.ledger.SignatureCheck;
import io.wallance.protocol.Body;
import io.wallance.protocol.Codec;
import io.wallance.protocol.Crypto;
import io.wallance.protocol.ProtocolException;
import io.wallance.protocol.Registry;
import io.wallance.protocol.Signed;
import io.wallance.protocol.Vote;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.Set;

/**
 * One seeded run: a fleet of replicas, a faulty network, Byzantine members and the invariant
 * checks. Everything random comes from one {@link Random} seeded with the seed, and every
 * collection iterated is ordered, so a seed always replays the same run.
 */
final class World {
  static final long STEP = 10;

  static final String NET = "sim";
  private static final ReplicaOptions TIMERS = new ReplicaOptions(200, 500, 100, 256, 4, 4096);
  /**
   * Small memory caps, so every run evicts shares, chain entries and certificates and answers
   * pulls, late votes and replays from the persisted journal (a node's caps are larger).
   */
  static final MemoryCaps CAPS = new MemoryCaps(6, 3, 8);
  private static final int TRACE_LINES = 400;

  final long seed;
  final SimulationOptions options;
  final Random rnd;
  /** Draws only for {@link Fault#LATE_VOTE_LOSS}, so adding that fault left the other draws as they were. */
  private final Random lateRnd;
  private final boolean tracing;
  final int n;
  final Crypto.KeyPair operator;
  final Node[] nodes;
  final SignatureCheck signatures = new SignatureCheck(1 << 16);
  private final PriorityQueue<Delivery> queue = new PriorityQueue<>();
  final Adversary adversary;
  long now;
  private long sequence;
  int step;
  boolean healing;

  // Ground truth, known only to the simulator.
  final long[] sharesSigned;
  private final Set<String> honestVotes = new HashSet<>();
  private final Map<String, String> finalizedAt = new HashMap<>();
  final Set<String> finalized = new HashSet<>();
  private final Set<String> honestRequests = new HashSet<>();

  final EnumMap<Fault, Long> faults = new EnumMap<>(Fault.class);
  long delivered;
  /** Per finalized request, the epochs, member sets and quorums the first honest replica counted it in. */
  private final Map<String, List<LedgerEvent.Counted>> countedFor = new HashMap<>();
  String violationKind;
  String violation;
  private final Deque<String> trace = new ArrayDeque<>();
  private int[] partition;
  private int partitionUntil;

  // Registry epochs.
  final int initialMembers;
  final boolean growth;
  private final int epochChangeStep;
  Signed<Registry> genesis;
  Signed<Registry> epoch2;

  // The mass-crash scenario: these members die for good at massCrashStep; at continueStep the
  // operator publishes epoch 2 without them, continuing every wallet from the survivors' heads.
  private final Set<Integer> doomed = new HashSet<>();
  private final int massCrashStep;
  private final int liars;
  private Signed<Registry> continuing;
  /** Requests honest survivors signed after the mass crash: none can finalize before the continuing epoch. */
  private final Set<String> signedAfterCrash = new HashSet<>();
  private final int continueStep;

  /**
   * One member: its key, its replica while up, and its journal: the ledger changes persisted
   * so far (drained after every call, before the call's effects are delivered). A crash drops
   * the replica; a restart rebuilds its ledger from the journal alone.
   */
  static final class Node {
    final int index;
    final Crypto.KeyPair key;
    final boolean byzantine;
    Replica replica;
    final List<LedgerChange> journal = new ArrayList<>();
    /** The journal as the replica's archive (it survives crashes, as the journal does). */
    final JournalArchive archive = new JournalArchive(journal);
    /** What the replica answered just before it crashed, checked against the rebuilt one. */
    String beforeCrash;
    boolean joined;
    int downUntil;

    Node(int index, Crypto.KeyPair key, boolean byzantine) {
      this.index = index;
      this.key = key;
      this.byzantine = byzantine;
    }

    boolean up() {
      return joined && replica != null;
    }
  }

  private record Delivery(long time, long order, int to, Signed<? extends Body> message)
      implements Comparable<Delivery> {
    @Override
    public int compareTo(Delivery o) {
      int c = Long.compare(time, o.time);
      return c != 0 ? c : Long.compare(order, o.order);
    }
  }

  World(long seed, SimulationOptions options, int steps, boolean tracing) throws ProtocolException {
    this.seed = seed;
    this.options = options;
    this.rnd = new Random(seed);
    this.lateRnd = new Random(~seed);
    this.tracing = tracing;
    this.n = options.nodes();
    this.sharesSigned = new long[n];
    this.operator = Crypto.KeyPair.fromSeed(bytes(32));
    int kind = options.epochChanges() && !options.massCrash() ? rnd.nextInt(3) : 0;
    int wantedByzantine = options.byzantine() < 0 ? Registry.tolerated(n) : options.byzantine();
    // One more than the fleet tolerates dies; the survivors may hold only as many liars as they tolerate.
    int dying = options.massCrash() ? n - Registry.safeQuorum(n) + 1 : 0;
    if (options.massCrash()) {
      wantedByzantine = Math.min(wantedByzantine, Registry.tolerated(n - dying));
    }
    this.massCrashStep = options.massCrash() ? steps / 3 : -1;
    this.continueStep = options.massCrash() ? 2 * steps / 3 : -1;
    int grownFrom = Math.max(3, n - (n + 2) / 3);
    // Growth starts from a smaller fleet, which may tolerate fewer liars than the grown one:
    // such seeds run with as many Byzantine members as the smaller fleet tolerates.
    boolean canGrow = kind == 2 && grownFrom < n && (wantedByzantine == 0 || Registry.tolerated(grownFrom) >= 1);
    this.growth = canGrow;
    this.initialMembers = growth ? grownFrom : n;
    this.epochChangeStep = kind == 0 ? -1 : steps / 3;
    int byzantine = Math.min(wantedByzantine, Registry.tolerated(initialMembers));
    List<Crypto.KeyPair> keys = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      keys.add(Crypto.KeyPair.fromSeed(bytes(32)));
    }
    // Order nodes by id so member lists and node indexes agree.
    keys.sort((a, b) -> a.id().compareTo(b.id()));
    this.nodes = new Node[n];
    Set<Integer> byz = new HashSet<>();
    List<Integer> candidates = new ArrayList<>();
    for (int i = 0; i < initialMembers; i++) {
      candidates.add(i);
    }
    for (int b = 0; b < byzantine; b++) {
      byz.add(candidates.remove(rnd.nextInt(candidates.size())));
    }
    for (int i = 0; i < n; i++) {
      nodes[i] = new Node(i, keys.get(i), byz.contains(i));
    }
    List<Integer> honestOnes = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      if (!byz.contains(i)) {
        honestOnes.add(i);
      }
    }
    this.liars = byz.size();
    for (int d = 0; d < dying; d++) {
      doomed.add(honestOnes.remove(rnd.nextInt(honestOnes.size())));
    }
    this.genesis = Signed.sign(registry(1, initialMembers, Map.of("Nespresso", 2L, "Receipt", 1L)), operator);
    for (int i = 0; i < initialMembers; i++) {
      start(nodes[i], Replica.create(nodes[i].key, genesis, rules(nodes[i]), signatures, TIMERS, CAPS,
          nodes[i].archive));
    }
    this.adversary = new Adversary(this);
  }

  private Registry registry(long epoch, int members, Map<String, Long> contracts) {
    List<Registry.Party> parties = new ArrayList<>();
    for (int i = 0; i < members; i++) {
      parties.add(new Registry.Party(nodes[i].key.id(), "pi" + (i + 1)));
    }
    return new Registry(NET, epoch, 0, 5, 2, 1, 5, parties,
        List.of(new Registry.Party(operator.id(), "operator")), contracts, operator.id());
  }

  private Rules rules(Node node) {
    return node.byzantine ? Rules.broken(EnumSet.of(Rules.Mutation.VOTE_BLINDLY)) : Rules.broken(options.mutations());
  }

  private void start(Node node, Replica replica) {
    node.replica = replica;
    node.joined = true;
    persist(node);
  }

  /** The runtime's rule: the changes of a call are durable before its effects are published. */
  private static void persist(Node node) {
    List<LedgerChange> batch = node.replica.drainChanges();
    node.journal.addAll(batch);
    node.replica.durable(batch);
  }

  /** The answers a restart must preserve: digest, every wallet's balance and head, own request. */
  private static String view(Replica r) {
    StringBuilder sb = new StringBuilder(r.digest()).append(' ').append(r.ownPending());
    for (String id : r.wallets()) {
      sb.append(' ').append(r.balance(id)).append('/').append(r.head(id), 0, 8).append('/').append(r.cited(id).size());
    }
    return sb.append(" evidence=").append(r.evidence().size()).toString();
  }

  byte[] bytes(int len) {
    byte[] b = new byte[len];
    rnd.nextBytes(b);
    return b;
  }

  // ------------------------------------------------------------------ the run

  /** Runs the faulty phase, then heals and waits for quiescence. */
  void run(int steps) throws ProtocolException {
    for (step = 1; step <= steps && violation == null; step++) {
      now += STEP;
      if (step == epochChangeStep) {
        changeEpoch();
      }
      if (step == massCrashStep) {
        massCrash();
      }
      if (step == continueStep) {
        continueWithoutTheDead();
      } else if (continuing != null && (step - continueStep) % 50 == 0) {
        route(-1, null, continuing); // re-published, as nodes do with their registryUpdates
      }
      if (options.faults()) {
        injectNodeFaults();
      }
      deliverDue();
      act();
      tickAll();
      checkSafety();
    }
    heal(steps);
  }

  private void heal(int steps) {
    healing = true;
    partition = null;
    for (Node node : nodes) {
      if (node.joined && node.replica == null) {
        restart(node);
      }
    }
    int limit = 4000 + 40 * n;
    for (int h = 0; h < limit && violation == null; h++, step++) {
      now += STEP;
      deliverDue();
      tickAll();
      checkSafety();
      if (h % 10 == 0 && quiescent()) {
        checkRewards();
        return;
      }
    }
    if (violation == null) {
      String missing = unfinishedHonestRequest();
      if (missing != null) {
        violate("LIVENESS", "honest request " + missing + " not final on every honest replica after healing");
      } else {
        violate("CONVERGENCE", "honest replicas hold different ledgers after healing: " + digests());
      }
    }
  }

  private boolean quiescent() {
    if (unfinishedHonestRequest() != null) {
      return false;
    }
    String digest = null;
    for (Node node : honest()) {
      String d = node.replica.digest();
      if (digest != null && !digest.equals(d)) {
        return false;
      }
      digest = d;
    }
    return true;
  }

  private String unfinishedHonestRequest() {
    for (String h : sorted(honestRequests)) {
      for (Node node : honest()) {
        if (node.replica.finalized(h) == null) {
          return h.substring(0, 12);
        }
      }
    }
    return null;
  }

  private static List<String> sorted(Set<String> s) {
    List<String> l = new ArrayList<>(s);
    l.sort(null);
    return l;
  }

  private String digests() {
    StringBuilder sb = new StringBuilder();
    List<Node> honest = honest();
    for (Node node : honest) {
      sb.append("pi").append(node.index + 1).append('=').append(node.replica.digest(), 0, 12).append(' ');
    }
    // Name the first wallet on which two honest replicas disagree, and how.
    for (Node a : honest) {
      for (Node b : honest) {
        for (String id : a.replica.wallets()) {
          String va = walletView(a, id);
          String vb = walletView(b, id);
          if (!va.equals(vb)) {
            return sb.append("; wallet ").append(name(id)).append(": pi").append(a.index + 1).append(' ').append(va)
                .append(" vs pi").append(b.index + 1).append(' ').append(vb).toString();
          }
        }
      }
    }
    return sb.toString().trim();
  }

  private static String walletView(Node node, String id) {
    Replica r = node.replica;
    return "shares=" + r.shares(id) + " chain=" + r.chain(id).size() + " head=" + r.head(id).substring(0, 8)
        + " rewards=" + r.rewards(id).size();
  }

  List<Node> honest() {
    List<Node> out = new ArrayList<>();
    for (Node node : nodes) {
      if (!node.byzantine && node.up()) {
        out.add(node);
      }
    }
    return out;
  }

  private void changeEpoch() throws ProtocolException {
    Map<String, Long> catalogue = growth ? Map.of("Nespresso", 2L, "Receipt", 1L)
        : Map.of("Nespresso", 3L, "Receipt", 1L, "Tea", 1L);
    epoch2 = Signed.sign(registry(2, n, catalogue), operator);
    log("operator publishes registry epoch 2 (" + (growth ? "growth " + initialMembers + "->" + n : "new catalogue")
        + ")");
    for (int i = initialMembers; i < n; i++) {
      Node node = nodes[i];
      Replica r = Replica.create(node.key, genesis, rules(node), signatures, TIMERS, CAPS, node.archive);
      r.receive(epoch2, now); // a new Pi is installed with the newest registry
      start(node, r);
    }
    route(-1, null, epoch2);
  }

  /** More members die, for good, than the genesis tolerates: every wallet's head is stuck in epoch 1. */
  private void massCrash() {
    for (int i : new java.util.TreeSet<>(doomed)) {
      nodes[i].replica = null;
      nodes[i].joined = false;
      count(Fault.DEATH);
      log("pi" + (i + 1) + " dies for good");
    }
  }

  /**
   * The operator's continuing epoch: the survivors only, every wallet continued from the head
   * at the longest chain any survivor holds (a crashed survivor's view read from its journal).
   */
  private void continueWithoutTheDead() throws ProtocolException {
    List<Map<String, Registry.Continue>> views = new ArrayList<>();
    List<Registry.Party> parties = new ArrayList<>();
    for (Node node : nodes) {
      if (!node.joined) {
        continue;
      }
      parties.add(new Registry.Party(node.key.id(), "pi" + (node.index + 1)));
      Replica r = node.replica != null ? node.replica
          : Replica.restart(node.key, LedgerState.replay(node.journal), rules(node), signatures, TIMERS);
      Map<String, Registry.Continue> view = new java.util.TreeMap<>();
      for (String id : r.wallets()) {
        view.put(id, new Registry.Continue(id, r.head(id), r.chain(id).size()));
      }
      views.add(view);
    }
    Registry g = genesis.body();
    Registry two = new Registry(NET, 2, 0, g.dcoinRate(), g.reward(), g.difficulty(), g.outdate(), parties,
        g.operators(), g.contracts(), io.wallance.protocol.Continuations.choose(views), operator.id());
    log("operator publishes continuing epoch 2 without " + doomed.size() + " dead members, "
        + signedAfterCrash.size() + " requests stalled");
    continuing = Signed.sign(two, operator);
    route(-1, null, continuing);
  }

  private void injectNodeFaults() {
    if (healing) {
      return;
    }
    int down = 0;
    for (Node node : nodes) {
      if (node.joined && node.replica == null) {
        down++;
      }
    }
    int maxDown = Math.max(1, n - Registry.safeQuorum(n));
    for (Node node : nodes) {
      if (node.joined && node.replica == null && step >= node.downUntil) {
        restart(node);
        down--;
      } else if (!node.byzantine && node.up() && down < maxDown && rnd.nextInt(1000) < 2) {
        node.beforeCrash = view(node.replica);
        node.replica = null; // everything not in the journal is lost
        node.downUntil = step + 20 + rnd.nextInt(130);
        down++;
        count(Fault.CRASH);
        log("crash pi" + (node.index + 1) + " until step " + node.downUntil);
      }
    }
    if (partition != null && step >= partitionUntil) {
      partition = null;
      log("partition healed");
    } else if (partition == null && rnd.nextInt(1000) < 3) {
      partition = new int[n];
      for (int i = 0; i < n; i++) {
        partition[i] = rnd.nextInt(2);
      }
      partitionUntil = step + 20 + rnd.nextInt(130);
      count(Fault.PARTITION);
      log("partition " + Arrays.toString(partition) + " until step " + partitionUntil);
    }
  }

  private void restart(Node node) {
    node.replica = Replica.restart(node.key, LedgerState.replay(node.journal, CAPS), rules(node), signatures, TIMERS,
        node.archive);
    String after = view(node.replica);
    if (!after.equals(node.beforeCrash)) {
      violate("DURABILITY", "pi" + (node.index + 1) + " rebuilt from its journal differs from before its crash: "
          + node.beforeCrash + " vs " + after);
    }
    node.beforeCrash = null;
    count(Fault.RESTART);
    log("restart pi" + (node.index + 1));
  }

  private void deliverDue() {
    while (!queue.isEmpty() && queue.peek().time <= now && violation == null) {
      Delivery d = queue.poll();
      Node node = nodes[d.to];
      if (!node.up()) {
        continue;
      }
      delivered++;
      if (tracing) {
        log("deliver " + d.message + " by " + name(d.message.body().author()) + " to pi" + (d.to + 1));
      }
      handle(node, node.replica.receive(d.message, now));
    }
  }

  private void act() {
    if (healing) {
      return;
    }
    for (Node node : nodes) {
      if (!node.up()) {
        continue;
      }
      if (rnd.nextInt(100) < 20) {
        handle(node, node.replica.share("virtual", 20_000 + rnd.nextInt(5_000), now));
        if (!node.byzantine) {
          sharesSigned[node.index]++;
        }
      }
      if (node.byzantine) {
        adversary.maybeAttack(node);
      } else if (node.replica.ownPending() == null && rnd.nextInt(100) < 5) {
        List<String> contracts = new ArrayList<>(node.replica.registry().contracts().keySet());
        Replica.Purchase p = node.replica.buy(contracts.get(rnd.nextInt(contracts.size())), now);
        if (p.outcome() == Replica.Purchase.Outcome.PUBLISHED) {
          if (!doomed.contains(node.index)) {
            honestRequests.add(p.request()); // a member that dies for good need not see its purchase through
          }
          if (massCrashStep > 0 && step > massCrashStep && continuing == null) {
            signedAfterCrash.add(p.request());
          }
          log("pi" + (node.index + 1) + " buys, request " + p.request().substring(0, 12));
        }
        handle(node, p.effects());
      }
    }
  }

  private void tickAll() {
    for (Node node : nodes) {
      if (node.up()) {
        handle(node, node.replica.tick(now));
      }
    }
  }

  /** Routes a replica's output and checks the events it reports. */
  void handle(Node node, Effects fx) {
    persist(node);
    for (Effects.Outgoing out : fx.messages()) {
      Body b = out.message().body();
      if (!node.byzantine && b instanceof Vote v && v.voter().equals(node.key.id())) {
        honestVotes.add(v.voter() + v.request());
      }
      route(node.index, out.to(), out.message());
    }
    if (node.byzantine) {
      return;
    }
    for (LedgerEvent e : fx.events()) {
      if (e instanceof LedgerEvent.Finalized f) {
        finalized.add(f.hash());
        String slot = f.buyer() + f.oldState();
        // With a lying buyer, a certificate only members that die for good hold is lost with
        // them, and the survivors may continue differently (PROTOCOL.md 9.10): their
        // finalizations are then left out; without liars they must agree with everyone's.
        boolean lost = doomed.contains(node.index) && liars > 0;
        if (continuing == null && signedAfterCrash.contains(f.hash())) {
          violate("SAFETY", "pi" + (node.index + 1) + " finalized " + f.hash().substring(0, 12) + " while fewer members"
              + " than the quorum of epoch 1 were alive and before any continuing epoch");
        }
        String earlier = lost ? null : finalizedAt.putIfAbsent(slot, f.hash());
        if (earlier != null && !earlier.equals(f.hash())) {
          violate("SAFETY", "two requests final for one (buyer " + name(f.buyer()) + ", state "
              + f.oldState().substring(0, 12) + "): " + earlier.substring(0, 12) + " and " + f.hash().substring(0, 12));
        }
        if (f.balanceAfter() < 0) {
          violate("SAFETY", "negative balance " + f.balanceAfter() + " for " + name(f.buyer()));
        }
        List<LedgerEvent.Counted> first = countedFor.putIfAbsent(f.hash(), f.counted());
        // A request pending when the continuing epoch comes is counted in the lost epoch by a
        // replica that finalized it before adopting the continuation, in the continuing epoch by
        // the others: two quorums for the same request (PROTOCOL.md 9.10). Nothing else may differ.
        boolean acrossContinuation = continuing != null && (countsIn(first, 2) != countsIn(f.counted(), 2));
        if (first != null && !first.equals(f.counted()) && !acrossContinuation) {
          violate("SAFETY", "pi" + (node.index + 1) + " counted " + f.hash().substring(0, 12) + " in " + f.counted()
              + ", another replica in " + first);
        }
        if (tracing) {
          log("pi" + (node.index + 1) + " finalizes " + f.hash().substring(0, 12) + " of " + name(f.buyer()) + " "
              + f.balanceBefore() + "->" + f.balanceAfter());
        }
      }
    }
  }

  private static boolean countsIn(List<LedgerEvent.Counted> counted, long epoch) {
    return counted != null && counted.stream().anyMatch(c -> c.epoch() == epoch);
  }

  /** Sends a message through the faulty network: broadcast when {@code to} is null. */
  void route(int from, String to, Signed<? extends Body> message) {
    if (from >= 0 && !nodes[from].byzantine) {
      adversary.observe(message);
    }
    Signed<? extends Body> decoded;
    try {
      decoded = Codec.decode(message.wire());
    } catch (ProtocolException e) {
      violate("SAFETY", "a replica sent a message that does not decode: " + e.getMessage());
      return;
    }
    for (Node node : nodes) {
      if (node.index == from || to != null && !to.equals(node.key.id())) {
        continue;
      }
      if (to == null && lateVoteLost(node, decoded)) {
        continue;
      }
      send(from, node.index, decoded);
    }
  }

  /**
   * Whether a broadcast vote is lost on its way to {@code node} because it comes late: its
   * request is already final there (half of them, during the faulty phase). Only the reward
   * repair of PROTOCOL.md 9.2 (digest bisection) can bring such a vote back, since the voter
   * stops re-sending once the request is final on its own replica, and an answer to a pull is
   * never lost this way.
   */
  private boolean lateVoteLost(Node node, Signed<? extends Body> message) {
    if (!options.faults() || healing || !(message.body() instanceof Vote v) || node.replica == null
        || node.replica.finalized(v.request()) == null || lateRnd.nextInt(2) != 0) {
      return false;
    }
    count(Fault.LATE_VOTE_LOSS);
    return true;
  }

  /** Sends to one node (used by the adversary to target subsets). */
  void send(int from, int to, Signed<? extends Body> message) {
    boolean faulty = options.faults() && !healing;
    if (faulty && from >= 0 && partition != null && partition[from] != partition[to]) {
      return;
    }
    if (faulty && rnd.nextInt(100) < 5) {
      count(Fault.DROP);
      return;
    }
    long delay = 1 + rnd.nextInt(30);
    if (faulty && rnd.nextInt(100) < 3) {
      delay = 100 + rnd.nextInt(500);
      count(Fault.LONG_DELAY);
    }
    queue.add(new Delivery(now + delay, sequence++, to, message));
    if (faulty && rnd.nextInt(100) < 3) {
      count(Fault.DUPLICATE);
      queue.add(new Delivery(now + 1 + rnd.nextInt(60), sequence++, to, message));
    }
  }

  // ------------------------------------------------------------------ invariants

  private void checkSafety() {
    for (Node x : honest()) {
      if (x.replica.citedTwice() > 0) {
        violate("SAFETY", "pi" + (x.index + 1) + " accepted a reward cited twice on one chain");
        return;
      }
      for (Node a : nodes) {
        if (!a.byzantine && a.joined && x.replica.wallets().contains(a.key.id())
            && x.replica.shares(a.key.id()) > sharesSigned[a.index]) {
          violate("SAFETY", "pi" + (x.index + 1) + " credits pi" + (a.index + 1) + " with "
              + x.replica.shares(a.key.id()) + " shares but it signed " + sharesSigned[a.index]);
          return;
        }
      }
    }
  }

  /** Every reward an honest replica holds for an honest voter stands for a vote that voter really signed. */
  private void checkRewards() {
    for (Node x : honest()) {
      for (Node v : nodes) {
        if (v.byzantine || !v.joined) {
          continue;
        }
        for (String h : x.replica.rewards(v.key.id())) {
          if (!honestVotes.contains(v.key.id() + h) || !finalized.contains(h)) {
            violate("SAFETY", "pi" + (x.index + 1) + " rewards pi" + (v.index + 1) + " for " + h.substring(0, 12)
                + " without a real vote");
            return;
          }
        }
        if (x.replica.headBalance(v.key.id()) < 0) {
          violate("SAFETY", "negative head balance of pi" + (v.index + 1));
          return;
        }
      }
    }
  }

  void violate(String kind, String detail) {
    if (violation == null) {
      violationKind = kind;
      violation = detail;
      log("VIOLATION " + kind + ": " + detail);
    }
  }

  void count(Fault f) {
    faults.merge(f, 1L, Long::sum);
  }

  void log(String line) {
    if (tracing) {
      if (trace.size() == TRACE_LINES) {
        trace.removeFirst();
      }
      trace.addLast(String.format(java.util.Locale.ROOT, "t=%dms step=%d %s", now, step, line));
    }
  }

  List<String> trace() {
    return new ArrayList<>(trace);
  }

  String name(String id) {
    for (Node node : nodes) {
      if (node.key.id().equals(id)) {
        return "pi" + (node.index + 1) + (node.byzantine ? "(byz)" : "");
      }
    }
    return id.equals(operator.id()) ? "operator" : id.substring(0, 8);
  }
}
