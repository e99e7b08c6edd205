package io.wallance.ledger;

import io.wallance.ledger.LedgerEvent.Misbehaviour.Kind;
import io.wallance.ledger.LedgerState.Final;
import io.wallance.ledger.Rules.Mutation;
import io.wallance.protocol.Body;
import io.wallance.protocol.Command;
import io.wallance.protocol.Crypto;
import io.wallance.protocol.Pow;
import io.wallance.protocol.ProtocolException;
import io.wallance.protocol.Pull;
import io.wallance.protocol.Reason;
import io.wallance.protocol.Registry;
import io.wallance.protocol.Request;
import io.wallance.protocol.Share;
import io.wallance.protocol.Signed;
import io.wallance.protocol.Status;
import io.wallance.protocol.Sums;
import io.wallance.protocol.Vote;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The ledger state machine of one member. Inputs are decoded messages, the caller's time and
 * the member's own actions (share a reading, buy); outputs are {@link Effects}. It never reads
 * a clock, draws randomness or performs I/O, so the same inputs always give the same outputs.
 *
 * <p>Rules (see {@code docs/PROTOCOL.md}): balances are derived from contiguous shares,
 * rewards and finalized debits; a member votes at most once per (buyer, previous state) and
 * only for a request whose every cited item it holds and whose arithmetic adds up; a request
 * is final once a quorum of the registry of its previous state's epoch and of its own epoch
 * approve it (the buyer's request counts as the buyer's vote); every valid vote for a
 * finalized request earns its voter one reward, whenever it arrives.
 */
public final class Replica {
  private static final int CHAIN_PAGE = 8;
  /** A differing part holding at most this many of the peer's rewards is pulled, not split further. */
  static final int REWARD_LEAF = 16;
  /**
   * A reward difference that keeps moving is still bisected, once per this many status periods
   * per voter (from the peer whose status shows it then), not on every peer's status: while
   * purchases run most differences are votes in flight, and bisecting those with every peer
   * only duplicates them.
   */
  static final int UNSETTLED_EVERY = 4;
  /** Registries of epochs past the next one held until the epochs between arrive. */
  static final int MAX_FUTURE_REGISTRIES = 8;

  private final Crypto.KeyPair key;
  private final String me;
  private final String net;
  private final Rules rules;
  private final SignatureCheck signatures;
  private final ReplicaOptions options;
  private final LedgerState ledger;
  /** Where evicted items are read back from ({@link MemoryCaps}). */
  private final LedgerArchive archive;
  /** Changes made to {@link #ledger} since the last {@link #drainChanges()}. */
  private final List<LedgerChange> changes = new ArrayList<>();

  // Volatile: lost on a crash, rebuilt from re-sent and pulled messages.
  private final LinkedHashMap<String, Pending> pending = new LinkedHashMap<>();
  private final Map<String, LinkedHashMap<String, Map<String, Signed<Vote>>>> firstVotes = new HashMap<>();
  private final TreeMap<Long, Signed<Registry>> futureRegistries = new TreeMap<>();
  private final Map<String, Long> lastPull = new HashMap<>();
  /** Per voter: when its moving reward difference was last bisected (or first seen); keyed by members. */
  private final Map<String, Long> unsettledSince = new HashMap<>();
  private final Map<String, Long> gaps = new LinkedHashMap<>();
  private final Map<String, Map<String, Status.Entry>> peerStatus = new HashMap<>();
  private final EnumMap<Reason, Long> rejected = new EnumMap<>(Reason.class);
  private long lastResend = Long.MIN_VALUE / 2;
  private long lastStatus = Long.MIN_VALUE / 2;
  private String lastStatusDigest = "";

  /** A request not final yet (or only its votes, while the request is pulled). */
  private static final class Pending {
    Signed<Request> request;
    final LinkedHashMap<String, Signed<Vote>> votes = new LinkedHashMap<>();
    final long seen;
    boolean invalid;
    /** Re-sends back off exponentially, so a request that cannot finalize costs little. */
    long nextResend;
    int resends;

    Pending(long seen) {
      this.seen = seen;
      this.nextResend = seen;
    }
  }

  private enum Check { OK, WAIT }

  /**
   * A replica starting from {@code genesis} (epoch 1, signed by one of its own operators).
   *
   * @throws ProtocolException when the genesis registry is invalid or badly signed
   */
  public static Replica create(Crypto.KeyPair key, Signed<Registry> genesis, Rules rules, SignatureCheck signatures,
      ReplicaOptions options) throws ProtocolException {
    return create(key, genesis, rules, signatures, options, MemoryCaps.UNBOUNDED, LedgerArchive.NONE);
  }

  /**
   * As {@link #create(Crypto.KeyPair, Signed, Rules, SignatureCheck, ReplicaOptions)}, keeping
   * in memory only what {@code caps} allow and reading the rest back from {@code archive}
   * (which must hold every change this replica drains, once made durable).
   *
   * @throws ProtocolException when the genesis registry is invalid or badly signed
   */
  public static Replica create(Crypto.KeyPair key, Signed<Registry> genesis, Rules rules, SignatureCheck signatures,
      ReplicaOptions options, MemoryCaps caps, LedgerArchive archive) throws ProtocolException {
    Registry g = genesis.body();
    g.validateGenesis();
    if (!signatures.verify(genesis)) {
      throw new ProtocolException(Reason.BAD_REGISTRY, "genesis must be epoch 1 signed by one of its operators");
    }
    checkArchive(caps, archive);
    LedgerState state = new LedgerState(caps);
    Replica r = new Replica(key, g.net(), rules, signatures, options, state, archive);
    r.adopt(genesis);
    return r;
  }

  /**
   * A replica resuming from durable state after a restart (a state rebuilt by
   * {@link LedgerState#replay} from the persisted journal); everything volatile starts empty.
   */
  public static Replica restart(Crypto.KeyPair key, LedgerState state, Rules rules, SignatureCheck signatures,
      ReplicaOptions options) {
    return restart(key, state, rules, signatures, options, LedgerArchive.NONE);
  }

  /**
   * As {@link #restart(Crypto.KeyPair, LedgerState, Rules, SignatureCheck, ReplicaOptions)} for
   * a state replayed with memory caps: evicted items are read back from {@code archive}.
   */
  public static Replica restart(Crypto.KeyPair key, LedgerState state, Rules rules, SignatureCheck signatures,
      ReplicaOptions options, LedgerArchive archive) {
    if (state.isEmpty()) {
      throw new IllegalArgumentException("a restarted replica needs a state holding its genesis registry");
    }
    checkArchive(state.caps, archive);
    return new Replica(key, state.registries.firstEntry().getValue().body().net(), rules, signatures, options, state,
        archive);
  }

  private static void checkArchive(MemoryCaps caps, LedgerArchive archive) {
    if (!caps.unbounded() && archive == LedgerArchive.NONE) {
      throw new IllegalArgumentException("a replica that evicts needs an archive to read evicted items back from");
    }
  }

  private Replica(Crypto.KeyPair key, String net, Rules rules, SignatureCheck signatures, ReplicaOptions options,
      LedgerState ledger, LedgerArchive archive) {
    this.archive = archive;
    ledger.attach(archive);
    this.key = key;
    this.me = key.id();
    this.net = net;
    this.rules = rules;
    this.signatures = signatures;
    this.options = options;
    this.ledger = ledger;
  }

  // ------------------------------------------------------------------ the change journal

  /**
   * Returns the changes made to the durable state since the last call, in order, and forgets
   * them. The runtime calls this after every call into the replica ({@code receive},
   * {@code tick}, {@code share}, {@code buy}) and makes the changes durable, in one
   * transaction, before it publishes that call's {@link Effects} or shows anything as final:
   * the effects may carry votes, requests and finality that the journal must hold first.
   * The first drain of a replica made by {@link #create} starts with its genesis registry.
   */
  public List<LedgerChange> drainChanges() {
    if (changes.isEmpty()) {
      return List.of();
    }
    List<LedgerChange> out = List.copyOf(changes);
    changes.clear();
    return out;
  }

  /**
   * Tells the replica that {@code batch}, as drained by {@link #drainChanges()} (batches in drain
   * order), is durable in its archive: the rewards it spent may now leave memory. A runtime
   * that never calls this keeps every reward resident, which is always safe.
   */
  public void durable(List<LedgerChange> batch) {
    ledger.durable(batch);
  }

  /** Makes one change to the durable state and journals it. */
  private void record(LedgerChange c) {
    ledger.apply(c);
    changes.add(c);
  }

  // ------------------------------------------------------------------ own actions

  /** Signs and broadcasts this member's next share of a reading (milli-units). */
  public Effects share(String sensor, long reading, long now) {
    Effects fx = new Effects();
    Wallet w = wallet(me);
    long seq = w.lastSeq + 1;
    Share body = Pow.mine(new Share(net, me, seq, sensor, reading, 0), difficulty());
    Signed<Share> s = Signed.sign(body, key);
    record(new LedgerChange.ShareStored(s));
    fx.broadcast(s);
    reconsiderBuyer(me, now, fx);
    return fx;
  }

  /** The outcome of {@link #buy}. */
  public record Purchase(Outcome outcome, String request, long missingUnits, Effects effects) {
    /** What happened to a purchase attempt. */
    public enum Outcome {
      /** A request was signed and broadcast. */
      PUBLISHED,
      /** A request on the current state is already out; nothing new was signed. */
      ALREADY_PENDING,
      /** Not affordable yet: {@code missingUnits} more units are needed. */
      INSUFFICIENT,
      /** The contract is not in the current catalogue. */
      UNKNOWN_CONTRACT,
      /** This replica is not a member of the current registry epoch, so it cannot buy. */
      NOT_MEMBER
    }
  }

  /**
   * Buys {@code contract} if this member can afford it at its current position. At most one
   * request is ever signed per wallet state, so a second call before finality returns the
   * pending one.
   */
  public Purchase buy(String contract, long now) {
    Effects fx = new Effects();
    Wallet w = wallet(me);
    Signed<Request> existing = ledger.myRequests.get(w.head);
    if (existing != null) {
      fx.broadcast(existing);
      return new Purchase(Purchase.Outcome.ALREADY_PENDING, existing.hash(), 0, fx);
    }
    if (!current().isMember(me)) {
      return new Purchase(Purchase.Outcome.NOT_MEMBER, null, 0, fx);
    }
    Request draft = draft(contract);
    if (draft == null) {
      return new Purchase(Purchase.Outcome.UNKNOWN_CONTRACT, null, 0, fx);
    }
    long debit = draft.price() * current().dcoinRate();
    if (draft.balance() < debit) {
      return new Purchase(Purchase.Outcome.INSUFFICIENT, null, debit - draft.balance(), fx);
    }
    Signed<Request> s = Signed.sign(Pow.mine(draft, difficulty()), key);
    record(new LedgerChange.MyRequest(s));
    fx.broadcast(s);
    onRequest(s, now, fx);
    return new Purchase(Purchase.Outcome.PUBLISHED, s.hash(), 0, fx);
  }

  /**
   * The request this member would sign now for {@code contract} (nonce 0, not mined, not
   * signed), or null when the contract is not in the current catalogue. It cites the
   * contiguous shares, up to {@link Request#MAX_REWARDS} uncited rewards in ascending order,
   * and the balance at that position; whether it is affordable is the caller's question.
   */
  public Request draft(String contract) {
    Wallet w = wallet(me);
    Registry reg = current();
    Long price = reg.price(contract);
    if (price == null) {
      return null;
    }
    List<String> rewards = w.uncitedRewards();
    if (rewards.size() > Request.MAX_REWARDS) {
      rewards = rewards.subList(0, Request.MAX_REWARDS);
    }
    long shares = Math.max(w.contiguous, w.headShares);
    long balance = w.headBalance + (shares - w.headShares) + rewardUnits(w, rewards);
    return new Request(net, me, reg.epoch(), w.head, shares, rewards, balance, contract, price, 0);
  }

  /** The hash of this member's request on its current state, or null when none is out. */
  public String ownPending() {
    Signed<Request> s = ledger.myRequests.get(wallet(me).head);
    return s == null ? null : s.hash();
  }

  /** Timers: re-send own votes and request, pull what is missing, broadcast the status. */
  public Effects tick(long now) {
    Effects fx = new Effects();
    if (now - lastResend >= options.resendMillis()) {
      lastResend = now;
      Wallet mine = wallet(me);
      Signed<Request> own = ledger.myRequests.get(mine.head);
      if (own != null && !pending.containsKey(own.hash())) {
        onRequest(own, now, fx); // after a restart: our request is durable, its pending entry is not
      }
      for (Iterator<Map.Entry<String, Long>> it = gaps.entrySet().iterator(); it.hasNext(); ) {
        Map.Entry<String, Long> gap = it.next();
        Wallet w = ledger.wallets.get(gap.getKey());
        if (w.lastSeq <= w.contiguous) {
          it.remove();
        } else if (now - gap.getValue() >= options.pullMillis()) {
          long to = Math.min(w.sharesAfter(w.contiguous).firstKey() - 1, w.contiguous + Pull.MAX_ITEMS);
          pull(Pull.What.SHARES, w.id, w.contiguous + 1, to, w.id, now, fx);
        }
      }
      for (Map.Entry<String, Pending> e : new ArrayList<>(pending.entrySet())) {
        Pending p = e.getValue();
        if (p.request == null && now - p.seen >= options.pullMillis() && !p.votes.isEmpty()) {
          // Votes for a request we never received: ask a voter for it.
          pull(Pull.What.REQUEST, e.getKey(), 0, 0, p.votes.keySet().iterator().next(), now, fx);
        }
      }
      for (Pending p : new ArrayList<>(pending.values())) {
        if (p.request == null || p.invalid || !pending.containsKey(p.request.hash()) || now < p.nextResend) {
          continue;
        }
        p.resends++;
        p.nextResend = now + (options.resendMillis() << Math.min(p.resends, 5));
        String hash = p.request.hash();
        if (p.request.body().buyer().equals(me)) {
          fx.broadcast(p.request);
        }
        Signed<Vote> v = p.votes.get(me);
        if (v != null) {
          fx.broadcast(v);
        }
        if (p.resends > 1) {
          String peer = peer(now, hash);
          if (peer != null) {
            pull(Pull.What.REQUEST, hash, 0, 0, peer, now, fx);
          }
        }
        consider(p, now, fx);
      }
      lastPull.values().removeIf(t -> now - t > 4 * options.pullMillis());
    }
    if (now - lastStatus >= options.statusMillis()) {
      // Report when something changed, and at least every fourth interval so peers that
      // missed a status still learn what to pull.
      String digest = digest();
      if (!digest.equals(lastStatusDigest) || now - lastStatus >= 4 * options.statusMillis()) {
        lastStatus = now;
        lastStatusDigest = digest;
        fx.broadcast(Signed.sign(status(), key));
      }
    }
    return fx;
  }

  // ------------------------------------------------------------------ receiving

  /** Handles one decoded message from the network. Never throws on any input. */
  public Effects receive(Signed<? extends Body> m, long now) {
    Effects fx = new Effects();
    Body b = m.body();
    if (!b.net().equals(net)) {
      reject(Reason.WRONG_NETWORK, m, "network " + b.net(), fx);
      return fx;
    }
    if (b instanceof Share) {
      onShare(cast(m), now, fx);
    } else if (b instanceof Request) {
      onRequest(cast(m), now, fx);
    } else if (b instanceof Vote) {
      onVote(cast(m), now, fx);
    } else if (b instanceof Status) {
      onStatus(cast(m), now, fx);
    } else if (b instanceof Pull) {
      onPull(cast(m), fx);
    } else if (b instanceof Sums) {
      onSums(cast(m), now, fx);
    } else if (b instanceof Registry) {
      onRegistry(cast(m), now, fx);
    } else if (b instanceof Command) {
      onCommand(cast(m), fx);
    }
    return fx;
  }

  @SuppressWarnings("unchecked")
  private static <B extends Body> Signed<B> cast(Signed<? extends Body> m) {
    return (Signed<B>) m;
  }

  private boolean authentic(Signed<? extends Body> m, boolean knownAuthor, boolean mined, Effects fx) {
    if (!knownAuthor) {
      reject(Reason.UNKNOWN_AUTHOR, m, "author is not in the registry", fx);
      return false;
    }
    if (mined && !Pow.satisfied(m.hash(), difficulty())) {
      reject(Reason.BAD_POW, m, "proof-of-work missing", fx);
      return false;
    }
    if (!rules.has(Mutation.SKIP_SIGNATURE) && !signatures.verify(m)) {
      reject(Reason.BAD_SIGNATURE, m, "signature does not verify", fx);
      return false;
    }
    return true;
  }

  private void onShare(Signed<Share> s, long now, Effects fx) {
    Share sh = s.body();
    Wallet w = ledger.wallets.get(sh.author());
    if (!authentic(s, w != null, true, fx)) {
      return;
    }
    if (sh.seq() > w.contiguous + options.maxAheadShares()) {
      reject(Reason.BUFFER_FULL, s, "share " + sh.seq() + " too far ahead of " + w.contiguous, fx);
      return;
    }
    long before = w.contiguous;
    Signed<Share> old = w.shares.get(sh.seq());
    if (old == null && sh.seq() <= w.shareFloor) {
      // Evicted long ago: never stored twice; the archive still shows an equivocation.
      List<Signed<Share>> held = archive.shares(sh.author(), sh.seq(), sh.seq());
      old = held.isEmpty() ? s : held.get(0);
    }
    if (old == null) {
      record(new LedgerChange.ShareStored(s));
    } else {
      if (!old.hash().equals(s.hash())) {
        misbehaviour(Kind.EQUIVOCATING_SHARE, sh.author(), List.of(old.wireText(), s.wireText()), fx);
      }
      return;
    }
    if (sh.seq() > w.contiguous + 1) {
      gaps.putIfAbsent(sh.author(), now); // most gaps are reordering: pulled only if still open later
    }
    if (w.contiguous != before) {
      reconsiderBuyer(sh.author(), now, fx);
    }
  }

  private void onRequest(Signed<Request> s, long now, Effects fx) {
    Request r = s.body();
    if (ledger.finals.containsKey(s.hash())) {
      return; // a replay of a final request: nothing to do
    }
    Wallet buyer = ledger.wallets.get(r.buyer());
    boolean stale = buyer != null && !buyer.head.equals(r.prev()) && superseded(buyer, r.prev());
    if (stale && ledger.finalsEvicted > 0 && archive.certificate(s.hash()) != null) {
      return; // a replay of an archived final request
    }
    Registry reg = registry(r.epoch());
    if (reg == null) {
      // A newer epoch than we know: check it is authentic, then fetch the registry. The buyer
      // re-sends its request, so nothing is lost by not buffering it.
      if (r.epoch() > currentEpoch() && signatures.verify(s)) {
        pull(Pull.What.REGISTRY, Crypto.GENESIS, currentEpoch() + 1, r.epoch(), r.buyer(), now, fx);
      } else {
        reject(Reason.BAD_EPOCH, s, "unknown epoch " + r.epoch(), fx);
      }
      return;
    }
    if (!authentic(s, reg.isMember(r.buyer()), true, fx)) {
      return;
    }
    Long price = reg.price(r.contract());
    if (price == null || price != r.price()) {
      reject(Reason.UNKNOWN_CONTRACT, s, "contract " + r.contract() + " at price " + r.price(), fx);
      return;
    }
    Pending p = pending.get(s.hash());
    if (p != null && p.request != null) {
      consider(p, now, fx);
      return;
    }
    Wallet w = wallet(r.buyer());
    if (stale) {
      reject(Reason.STALE_STATE, s, "previous state already superseded", fx);
      return;
    }
    boolean atHead = w.head.equals(r.prev());
    int siblings = 0;
    int future = 0;
    for (Pending o : pending.values()) {
      if (o.request != null && o.request.body().buyer().equals(r.buyer())) {
        if (o.request.body().prev().equals(r.prev())) {
          siblings++;
          if (siblings == 1 && atHead) {
            misbehaviour(Kind.DOUBLE_REQUEST, r.buyer(), List.of(o.request.wireText(), s.wireText()), fx);
          }
        } else if (!o.request.body().prev().equals(w.head)) {
          future++;
        }
      }
    }
    boolean voted = p != null && !p.votes.isEmpty();
    if (!voted && (atHead ? siblings >= options.maxFuturePerBuyer()
        : siblings > 0 || future >= options.maxFuturePerBuyer())) {
      // Bounded buffer: dropped (and counted), pulled again by hash once votes name it.
      reject(Reason.BUFFER_FULL, s, "requests of this buyer already buffered for its state or later ones", fx);
      return;
    }
    if (p == null) {
      p = new Pending(now);
      pending.put(s.hash(), p);
      evictIfFull();
    }
    p.request = s;
    p.votes.values().removeIf(v -> !matches(v.body(), r));
    fx.event(new LedgerEvent.RequestSeen(s.hash(), r.buyer(), r.contract(), r.price(), r.prev()));
    if (!atHead && !r.buyer().equals(me)) {
      pull(Pull.What.CHAIN, r.buyer(), w.chainLength, w.chainLength + CHAIN_PAGE - 1L, r.buyer(), now, fx);
    }
    consider(p, now, fx);
  }

  private static boolean matches(Vote v, Request r) {
    return v.buyer().equals(r.buyer()) && v.prev().equals(r.prev()) && v.epoch() == r.epoch();
  }

  private void evictIfFull() {
    Iterator<Map.Entry<String, Pending>> it = pending.entrySet().iterator();
    while (pending.size() > options.maxPending() && it.hasNext()) {
      Pending p = it.next().getValue();
      if (p.request == null || !p.request.body().buyer().equals(me)) {
        it.remove();
        rejected.merge(Reason.BUFFER_FULL, 1L, Long::sum); // the oldest pending request or vote set dropped
      }
    }
  }

  private void onVote(Signed<Vote> s, long now, Effects fx) {
    Vote v = s.body();
    if (!authentic(s, isKnownMember(v.voter()), true, fx)) {
      return;
    }
    if (v.voter().equals(v.buyer())) {
      reject(Reason.NOT_ELIGIBLE, s, "a buyer's request is its vote", fx);
      return;
    }
    Wallet w = ledger.wallets.get(v.buyer());
    if (w == null) {
      reject(Reason.UNKNOWN_AUTHOR, s, "buyer is not in the registry", fx);
      return;
    }
    LinkedHashMap<String, Map<String, Signed<Vote>>> byPrev =
        firstVotes.computeIfAbsent(v.buyer(), k -> new LinkedHashMap<>());
    Map<String, Signed<Vote>> first = byPrev.computeIfAbsent(v.prev(), k -> new HashMap<>());
    Signed<Vote> earlier = first.putIfAbsent(v.voter(), s);
    if (earlier != null && !earlier.body().request().equals(v.request())) {
      // Both signed votes are the evidence: anyone can check them without trusting us.
      misbehaviour(Kind.EQUIVOCATING_VOTE, v.voter(), List.of(earlier.wireText(), s.wireText()), fx);
    }
    trim(byPrev, (int) registry(currentEpoch()).outdate());
    boolean stale = !w.head.equals(v.prev()) && superseded(w, v.prev());
    Final f = ledger.finals.get(v.request());
    if (f == null && stale) {
      f = archived(v.request()); // a late vote for a final that left memory
    }
    if (f != null) {
      if (matches(v, f.request().body()) && !f.votes().containsKey(v.voter())) {
        record(new LedgerChange.VoteStored(s));
        fx.event(new LedgerEvent.VoteSeen(v.request(), v.voter()));
        if (!rules.has(Mutation.REWARDS_BY_ARRIVAL) && eligible(v.voter(), f.request().body(), f.prevEpoch())) {
          grant(v.voter(), v.request(), f.request().body().epoch(), now, fx);
        }
      }
      return;
    }
    if (stale) {
      return; // for a superseded state: kept only as equivocation evidence above
    }
    Pending p = pending.get(v.request());
    if (p == null) {
      p = new Pending(now);
      pending.put(v.request(), p);
      evictIfFull();
    }
    if (p.request != null && !matches(v, p.request.body())) {
      reject(Reason.NOT_ELIGIBLE, s, "vote does not match the request it names", fx);
      return;
    }
    if (p.votes.putIfAbsent(v.voter(), s) == null) {
      fx.event(new LedgerEvent.VoteSeen(v.request(), v.voter()));
    }
    if (p.request != null) {
      tryFinalize(p, now, fx);
    }
  }

  private static void trim(LinkedHashMap<String, ?> map, int keep) {
    Iterator<String> it = map.keySet().iterator();
    while (map.size() > keep && it.hasNext()) {
      it.next();
      it.remove();
    }
  }

  private void onStatus(Signed<Status> s, long now, Effects fx) {
    Status st = s.body();
    if (!authentic(s, isKnownMember(st.node()), false, fx) || st.node().equals(me)) {
      return;
    }
    String peer = st.node();
    if (st.epoch() > currentEpoch()) {
      pull(Pull.What.REGISTRY, Crypto.GENESIS, currentEpoch() + 1, st.epoch(), peer, now, fx);
    }
    // Act only on differences that already showed in the peer's previous status: most
    // differences are messages still in flight, and pulling those would only duplicate them.
    Map<String, Status.Entry> previous = peerStatus.put(peer, byId(st.entries()));
    if (previous == null) {
      return;
    }
    for (Status.Entry e : st.entries()) {
      Wallet w = ledger.wallets.get(e.id());
      Status.Entry before = previous.get(e.id());
      if (w == null || before == null) {
        continue;
      }
      if (before.shares() > w.contiguous) {
        pull(Pull.What.SHARES, e.id(), w.contiguous + 1, Math.min(e.shares(), w.contiguous + Pull.MAX_ITEMS), peer,
            now, fx);
      }
      if (before.chain() > w.chainLength) {
        pull(Pull.What.CHAIN, e.id(), w.chainLength, Math.min(e.chain() - 1, w.chainLength + CHAIN_PAGE - 1L), peer,
            now, fx);
      }
      boolean differs = e.rewards() != w.rewardCount() || !e.rewardDigest().equals(w.rewardDigest());
      boolean settled = before.rewards() == e.rewards() && before.rewardDigest().equals(e.rewardDigest());
      if (differs && !rules.has(Mutation.NO_REWARD_REPAIR) && (settled || unsettledDue(e.id(), now))) {
        // The reward sets differ: bisect them by digest (onSums). A busy voter's count never
        // settles while purchases run, so such a difference is still bisected now and then.
        pull(Pull.What.SUMS, e.id(), 0, Sums.SPACE - 1, peer, now, fx);
      }
    }
  }

  /**
   * @return whether a moving reward difference of {@code voter} is due for a bisection: once per
   *     {@link #UNSETTLED_EVERY} status periods, counted from when it was first seen
   */
  private boolean unsettledDue(String voter, long now) {
    Long since = unsettledSince.putIfAbsent(voter, now);
    if (since == null || now - since < UNSETTLED_EVERY * options.statusMillis()) {
      return false;
    }
    unsettledSince.put(voter, now);
    return true;
  }

  /**
   * A peer's sums of one voter's rewards over a bucket: descend into every part that differs
   * from ours and that holds rewards on the peer, pulling the part's votes once it is small.
   */
  private void onSums(Signed<Sums> s, long now, Effects fx) {
    Sums sums = s.body();
    if (!authentic(s, isKnownMember(sums.node()), false, fx) || sums.node().equals(me)) {
      return;
    }
    Wallet w = ledger.wallets.get(sums.voter());
    if (w == null) {
      return;
    }
    List<Sums.Part> mine = sums(w, sums.from(), sums.to());
    long part = (sums.to() - sums.from() + 1) / Sums.PARTS;
    for (int i = 0; i < Sums.PARTS; i++) {
      Sums.Part theirs = sums.parts().get(i);
      if (theirs.count() == 0 || theirs.equals(mine.get(i))) {
        continue;
      }
      long from = sums.from() + i * part;
      long to = from + part - 1;
      if (theirs.count() <= REWARD_LEAF || part == 1) {
        pull(Pull.What.REWARDS, w.id, from, to, sums.node(), now, fx);
      } else {
        pull(Pull.What.SUMS, w.id, from, to, sums.node(), now, fx);
      }
    }
  }

  /** This replica's sums of {@code w}'s granted rewards over the 16 parts of a bucket. */
  private List<Sums.Part> sums(Wallet w, long from, long to) {
    long[] counts = new long[Sums.PARTS];
    long[][] xors = new long[Sums.PARTS][4];
    ledger.rewardSums(w, from, to, counts, xors);
    List<Sums.Part> parts = new ArrayList<>(Sums.PARTS);
    for (int i = 0; i < Sums.PARTS; i++) {
      parts.add(new Sums.Part(counts[i], RewardBook.hex(xors[i], 0)));
    }
    return parts;
  }

  private static Map<String, Status.Entry> byId(List<Status.Entry> entries) {
    Map<String, Status.Entry> m = new HashMap<>();
    entries.forEach(e -> m.put(e.id(), e));
    return m;
  }

  private void onPull(Signed<Pull> s, Effects fx) {
    Pull p = s.body();
    if (!authentic(s, isKnownMember(p.node()), false, fx) || p.node().equals(me)) {
      return;
    }
    String to = p.node();
    long last = Math.min(p.to(), p.from() + Pull.MAX_ITEMS - 1);
    switch (p.what()) {
      case SHARES -> {
        Wallet w = ledger.wallets.get(p.subject());
        if (w != null) {
          if (p.from() <= w.shareFloor) {
            archive.shares(w.id, p.from(), Math.min(last, w.shareFloor)).forEach(sh -> fx.send(to, sh));
          }
          w.shares.subMap(p.from(), true, last, true).values().forEach(sh -> fx.send(to, sh));
        }
      }
      case REQUEST -> {
        Final f = finalOf(p.subject());
        if (f != null) {
          f.votes().values().forEach(v -> fx.send(to, v));
          fx.send(to, f.request());
        } else {
          Pending q = pending.get(p.subject());
          if (q != null && q.request != null) {
            q.votes.values().forEach(v -> fx.send(to, v));
            fx.send(to, q.request);
          }
        }
      }
      case CHAIN -> {
        Wallet w = ledger.wallets.get(p.subject());
        if (w != null) {
          long end = Math.min(Math.min(p.to(), p.from() + CHAIN_PAGE - 1), w.chainLength - 1L);
          for (long i = Math.max(0, p.from()); i <= end; i++) {
            String h = chainEntry(w, i);
            Final f = h == null ? null : finalOf(h);
            if (f == null) {
              break; // not durable yet: the peer pulls again
            }
            f.votes().values().forEach(v -> fx.send(to, v));
            fx.send(to, f.request());
          }
        }
      }
      case REWARDS -> {
        Wallet w = ledger.wallets.get(p.subject());
        if (w != null) {
          for (String purchase : ledger.granted(w, p.from(), p.to(), Pull.MAX_ITEMS)) {
            Final f = finalOf(purchase);
            Signed<Vote> v = f == null ? null : f.votes().get(p.subject());
            if (v != null) {
              fx.send(to, v);
            }
          }
        }
      }
      case SUMS -> {
        Wallet w = ledger.wallets.get(p.subject());
        if (w != null && Sums.isBucket(p.from(), p.to())) {
          fx.send(to, Signed.sign(new Sums(net, me, w.id, p.from(), p.to(), sums(w, p.from(), p.to())), key));
        }
      }
      case REGISTRY -> ledger.registries.subMap(p.from(), true, last, true).values().forEach(r -> fx.send(to, r));
    }
  }

  private void onRegistry(Signed<Registry> s, long now, Effects fx) {
    Registry r = s.body();
    Signed<Registry> known = ledger.registries.get(r.epoch());
    if (known != null) {
      if (!known.hash().equals(s.hash()) && signatures.verify(s) && registry(r.epoch() - 1) != null
          && registry(r.epoch() - 1).operator(r.signer()) != null) {
        misbehaviour(Kind.CONFLICTING_REGISTRY, r.signer(), List.of(known.wireText(), s.wireText()), fx);
      }
      return;
    }
    if (r.epoch() > currentEpoch() + 1) {
      // Held until the epochs between arrive; its signer is checked against the previous
      // epoch then. Only signed, self-consistent registries take one of the few slots.
      if (futureRegistries.containsKey(r.epoch())) {
        return;
      }
      if (futureRegistries.size() >= MAX_FUTURE_REGISTRIES) {
        reject(Reason.BUFFER_FULL, s, "already " + MAX_FUTURE_REGISTRIES + " registries of future epochs held", fx);
      } else if (signatures.verify(s)) {
        futureRegistries.put(r.epoch(), s);
      }
      return;
    }
    try {
      r.validateSuccessorOf(current());
    } catch (ProtocolException e) {
      reject(e.reason(), s, e.getMessage(), fx);
      return;
    }
    if (!rules.has(Mutation.SKIP_SIGNATURE) && !signatures.verify(s)) {
      reject(Reason.BAD_SIGNATURE, s, "registry signature does not verify", fx);
      return;
    }
    String conflict = continuationConflict(r);
    if (conflict != null) {
      reject(conflict.startsWith("unknown") ? Reason.BAD_REGISTRY : Reason.CONTINUATION_CONFLICT, s, conflict, fx);
      return;
    }
    adopt(s);
    fx.event(new LedgerEvent.RegistryAdopted(r.epoch()));
    Signed<Registry> next = futureRegistries.remove(r.epoch() + 1);
    if (next != null) {
      onRegistry(next, now, fx);
    }
    futureRegistries.headMap(currentEpoch(), true).clear();
  }

  /**
   * Why a continuing registry cannot be adopted here, or null: it names a wallet nobody holds,
   * or a head that this replica's chain, already that long, did not pass through (section 9.10).
   */
  private String continuationConflict(Registry r) {
    for (Registry.Continue c : r.continues()) {
      Wallet w = wallet(c.wallet());
      if (w == null && !r.isMember(c.wallet())) {
        return "unknown wallet " + c.wallet().substring(0, 12) + " continued";
      }
      if (w != null && w.chainLength >= c.chain()) {
        Integer index = w.states.get(c.head());
        // Evicted from memory (section 9.6.1): a state hash commits to the whole chain below it,
        // so one of this wallet's stored states is at the named length or the check above fails.
        boolean consistent = index == null
            ? c.chain() < w.chainLength - (w.states.size() - 1) && archive.isState(c.wallet(), c.head())
            : index == c.chain();
        if (!consistent) {
          return "wallet " + c.wallet().substring(0, 12) + " passed another state at chain length " + c.chain();
        }
      }
    }
    return null;
  }

  private void adopt(Signed<Registry> s) {
    record(new LedgerChange.RegistryAdopted(s));
  }

  private void onCommand(Signed<Command> s, Effects fx) {
    Command c = s.body();
    if (!authentic(s, current().operator(c.operator()) != null, false, fx)) {
      return;
    }
    if (!c.node().equals(me)) {
      reject(Reason.BAD_COMMAND, s, "command is addressed to another node", fx);
      return;
    }
    long last = ledger.commandCounters.getOrDefault(c.operator(), 0L);
    if (c.counter() <= last) {
      reject(Reason.BAD_COMMAND, s, "replayed command: counter " + c.counter() + " <= " + last, fx);
      return;
    }
    record(new LedgerChange.CommandCounter(c.operator(), c.counter()));
    fx.event(new LedgerEvent.CommandAccepted(c));
  }

  // ------------------------------------------------------------------ voting and finality

  private void reconsiderBuyer(String buyer, long now, Effects fx) {
    for (Pending p : new ArrayList<>(pending.values())) {
      if (p.request != null && p.request.body().buyer().equals(buyer) && pending.containsKey(p.request.hash())) {
        consider(p, now, fx);
      }
    }
  }

  /** Re-evaluates a pending request: vote when it checks out, finalize when a quorum exists. */
  private void consider(Pending p, long now, Effects fx) {
    Request r = p.request.body();
    Wallet w = wallet(r.buyer());
    if (!r.prev().equals(w.head)) {
      // Superseded: expired from memory, validity unchanged. Only resident states are checked
      // here (this runs on every share of the buyer); the bounded buffer drops the rest.
      if (w.states.containsKey(r.prev())) {
        pending.remove(p.request.hash());
      }
      return;
    }
    if (r.epoch() < w.headEpoch) {
      p.invalid = true;
      pending.remove(p.request.hash());
      reject(Reason.BAD_EPOCH, p.request, "epoch older than the previous state's", fx);
      misbehaviour(Kind.INVALID_REQUEST, r.buyer(), List.of(p.request.wireText()), fx);
      return;
    }
    if (tryFinalize(p, now, fx)) {
      return; // a quorum already exists (e.g. while catching up): no vote needed
    }
    if (!p.invalid) {
      maybeVote(p, now, fx);
      tryFinalize(p, now, fx);
    }
  }

  private void maybeVote(Pending p, long now, Effects fx) {
    Request r = p.request.body();
    Wallet w = wallet(r.buyer());
    if (r.buyer().equals(me) || !eligible(me, r, prevEpoch(w))) {
      return;
    }
    String slot = r.buyer() + r.prev();
    Signed<Vote> mine = ledger.myVotes.get(slot);
    if (mine != null && mine.body().request().equals(p.request.hash())) {
      p.votes.putIfAbsent(me, mine);
      return;
    }
    Signed<Vote> extra = ledger.extraVotes.get(p.request.hash());
    if (extra != null) {
      p.votes.putIfAbsent(me, extra);
      return;
    }
    if (mine != null && !rules.has(Mutation.VOTE_TWICE) && !rules.has(Mutation.VOTE_BLINDLY)) {
      return; // one vote per (buyer, previous state), ever
    }
    if (!rules.has(Mutation.VOTE_BLINDLY)) {
      try {
        if (check(r, w, now, fx) == Check.WAIT) {
          return;
        }
      } catch (ProtocolException e) {
        p.invalid = true;
        reject(e.reason(), p.request, e.getMessage(), fx);
        misbehaviour(Kind.INVALID_REQUEST, r.buyer(), List.of(p.request.wireText()), fx);
        return;
      }
    }
    Vote body = Pow.mine(new Vote(net, me, r.buyer(), r.epoch(), r.prev(), p.request.hash(), 0), difficulty());
    Signed<Vote> v = Signed.sign(body, key);
    record(mine == null ? new LedgerChange.MyVote(v) : new LedgerChange.ExtraVote(v));
    p.votes.put(me, v);
    fx.broadcast(v);
    fx.event(new LedgerEvent.Voted(p.request.hash(), r.buyer()));
  }

  /** Checks a request at the buyer's head: OK, WAIT (pulls issued) or a typed rejection. */
  private Check check(Request r, Wallet w, long now, Effects fx) throws ProtocolException {
    if (r.shares() < w.headShares) {
      throw new ProtocolException(Reason.BAD_BALANCE, "share position " + r.shares() + " behind " + w.headShares);
    }
    Check result = Check.OK;
    if (w.contiguous < r.shares()) {
      pull(Pull.What.SHARES, r.buyer(), w.contiguous + 1, Math.min(r.shares(), w.contiguous + Pull.MAX_ITEMS),
          r.buyer(), now, fx);
      result = Check.WAIT;
    }
    Set<String> listed = new HashSet<>();
    for (String h : r.rewards()) {
      if ((ledger.isCited(w, h) || !listed.add(h)) && !rules.has(Mutation.REWARD_CITED_TWICE)) {
        throw new ProtocolException(Reason.BAD_REWARD, "reward " + h.substring(0, Math.min(12, h.length()))
            + " already cited");
      }
      if (!ledger.isGranted(w, h)) {
        pull(Pull.What.REQUEST, h, 0, 0, r.buyer(), now, fx);
        result = Check.WAIT;
      }
    }
    if (result == Check.WAIT) {
      return result;
    }
    long debit = r.price() * registry(r.epoch()).dcoinRate();
    if (rules.has(Mutation.OWN_COUNTER)) {
      if (balance(r.buyer()) < debit) {
        throw new ProtocolException(Reason.INSUFFICIENT_FUNDS, "own counter says the buyer cannot afford it");
      }
      return Check.OK;
    }
    long expected = w.headBalance + (r.shares() - w.headShares) + rewardUnits(w, r.rewards());
    if (r.balance() != expected) {
      throw new ProtocolException(Reason.BAD_BALANCE, "balance " + r.balance() + " but the cited position gives "
          + expected);
    }
    if (r.balance() < debit) {
      throw new ProtocolException(Reason.INSUFFICIENT_FUNDS, "balance " + r.balance() + " < debit " + debit);
    }
    return Check.OK;
  }

  /** True when {@code voter} may vote on {@code r}: a member of its epoch or of its previous state's epoch. */
  private boolean eligible(String voter, Request r, long prevEpoch) {
    if (voter.equals(r.buyer())) {
      return false;
    }
    Registry own = registry(r.epoch());
    Registry prev = registry(prevEpoch);
    return own != null && own.isMember(voter) || prev != null && prev.isMember(voter);
  }

  /**
   * The epochs a request's quorum is counted in: its previous state's, then its own when
   * different and newer. A request older than the epoch it is counted in exists only on a
   * continued head (section 9.10): it is counted against the continuing epoch alone.
   */
  private List<Long> quorumEpochs(Request r, long prevEpoch) {
    return rules.has(Mutation.OWN_EPOCH_ONLY) || prevEpoch == r.epoch() ? List.of(r.epoch())
        : r.epoch() < prevEpoch ? List.of(prevEpoch) : List.of(prevEpoch, r.epoch());
  }

  /** The votes epoch {@code reg} requires (buyer included). */
  private int needed(Registry reg) {
    return reg.quorumSize() - (rules.has(Mutation.QUORUM_MINUS_ONE) ? 1 : 0);
  }

  private boolean hasQuorum(Request r, Collection<String> voters, long prevEpoch) {
    for (long e : quorumEpochs(r, prevEpoch)) {
      Registry reg = registry(e);
      if (reg == null) {
        return false;
      }
      if (approvals(reg, r, voters) < needed(reg)) {
        return false;
      }
    }
    return true;
  }

  /** Members of {@code reg} approving {@code r}: the buyer (its request is its vote) and distinct voters. */
  private static int approvals(Registry reg, Request r, Collection<String> voters) {
    int count = reg.isMember(r.buyer()) ? 1 : 0;
    for (String v : voters) {
      if (!v.equals(r.buyer()) && reg.isMember(v)) {
        count++;
      }
    }
    return count;
  }

  /** What {@link #hasQuorum} counted {@code r} against: per epoch, its registry, size and quorum. */
  private List<LedgerEvent.Counted> counted(Request r, long prevEpoch) {
    List<LedgerEvent.Counted> counted = new ArrayList<>();
    for (long e : quorumEpochs(r, prevEpoch)) {
      Registry reg = registry(e);
      counted.add(new LedgerEvent.Counted(e, signedRegistry(e).hash(), reg.members().size(), needed(reg)));
    }
    return counted;
  }

  private boolean tryFinalize(Pending p, long now, Effects fx) {
    if (p.request == null) {
      return false;
    }
    Request r = p.request.body();
    Wallet w = wallet(r.buyer());
    if (!r.prev().equals(w.head) || r.epoch() < w.headEpoch || !hasQuorum(r, p.votes.keySet(), prevEpoch(w))) {
      return false;
    }
    String named = namedHead(w, w.chainLength + 1);
    if (named != null && !named.equals(stateHash(p.request, r.balance() - r.price() * registry(r.epoch()).dcoinRate()))
        && !rules.has(Mutation.OWN_COUNTER)) {
      p.invalid = true;
      pending.remove(p.request.hash());
      reject(Reason.CONTINUATION_CONFLICT, p.request, "certificate leads away from the head a continuing registry names",
          fx);
      return false;
    }
    finalizeRequest(p, now, fx);
    return true;
  }

  /**
   * The epoch a request on {@code w}'s head is counted in (section 9.10): the head state's own
   * epoch, or the newest continuing epoch that continues {@code w} at or below its chain
   * length, if newer. It depends only on the chain and the registries held, never on when a
   * registry arrived, so every replica counts a request the same way.
   */
  private long prevEpoch(Wallet w) {
    for (Signed<Registry> s : ledger.registries.descendingMap().values()) {
      Registry reg = s.body();
      if (reg.epoch() <= w.headEpoch) {
        break;
      }
      Registry.Continue c = reg.continuation(w.id);
      if (c != null && c.chain() <= w.chainLength) {
        return reg.epoch();
      }
    }
    return w.headEpoch;
  }

  /** The head a continuing registry names for {@code w} at chain length {@code length}, or null. */
  private String namedHead(Wallet w, int length) {
    for (Signed<Registry> s : ledger.registries.values()) {
      Registry.Continue c = s.body().continuation(w.id);
      if (c != null && c.chain() == length) {
        return c.head();
      }
    }
    return null;
  }

  private void finalizeRequest(Pending p, long now, Effects fx) {
    Signed<Request> s = p.request;
    Request r = s.body();
    Wallet w = wallet(r.buyer());
    long prevEpoch = w.headEpoch; // the state's own epoch: rewards go to the same voters on every replica
    long countedIn = prevEpoch(w); // the epoch the quorum was counted in (section 9.10)
    long debit = r.price() * registry(r.epoch()).dcoinRate();
    long before = r.balance();
    long position = r.shares();
    if (rules.has(Mutation.OWN_COUNTER)) {
      before = balance(r.buyer());
      position = Math.max(w.contiguous, w.headShares);
    }
    long after = before - debit;
    String old = w.head;
    String state = stateHash(s, after);
    record(new LedgerChange.Finalized(s, p.votes, w.chainLength, prevEpoch, state, position, after));
    pending.remove(s.hash());
    List<String> rewarded = new ArrayList<>();
    int arrivalBudget = registry(r.epoch()).quorumSize() - 1;
    for (String voter : p.votes.keySet()) {
      if (!eligible(voter, r, prevEpoch)) {
        continue;
      }
      if (rules.has(Mutation.REWARDS_BY_ARRIVAL) && rewarded.size() >= arrivalBudget) {
        break;
      }
      grant(voter, s.hash(), r.epoch(), now, fx);
      rewarded.add(voter);
    }
    List<String> voters = new ArrayList<>(p.votes.keySet());
    voters.remove(r.buyer());
    fx.event(new LedgerEvent.Finalized(s.hash(), r.buyer(), r.contract(), r.price(), before, after, old, state,
        voters, counted(r, countedIn)));
    // Requests waiting for this state (or for the one just left) can now move on.
    for (Pending o : new ArrayList<>(pending.values())) {
      if (o.request != null && o.request.body().buyer().equals(r.buyer()) && pending.containsKey(o.request.hash())) {
        consider(o, now, fx);
      }
    }
  }

  /** The new state: SHA-256 over the request's canonical bytes followed by {@code newbalance=<units>\n}. */
  public static String stateHash(Signed<Request> request, long newBalance) {
    byte[] tail = ("newbalance=" + newBalance + "\n").getBytes(StandardCharsets.US_ASCII);
    byte[] all = java.util.Arrays.copyOf(request.bytes(), request.bytes().length + tail.length);
    System.arraycopy(tail, 0, all, request.bytes().length, tail.length);
    return Crypto.sha256Hex(all);
  }

  private void grant(String voter, String purchase, long epoch, long now, Effects fx) {
    Wallet w = ledger.wallets.get(voter);
    if (w != null && !ledger.isGranted(w, purchase)) {
      record(new LedgerChange.RewardGranted(voter, purchase, epoch));
      reconsiderBuyer(voter, now, fx);
    }
  }

  /** The units of the rewards {@code purchases} cited by wallet {@code w} (0 for a purchase not final here). */
  private long rewardUnits(Wallet w, List<String> purchases) {
    long units = 0;
    for (String h : purchases) {
      Long epoch = w.uncited.get(h);
      if (epoch == null) {
        Final f = finalOf(h); // only under a mutation that cites a reward twice, or one not granted here
        epoch = f == null ? null : f.request().body().epoch();
      }
      if (epoch != null) {
        units += registry(epoch).reward();
      }
    }
    return units;
  }

  // ------------------------------------------------------------------ resident or archived

  /**
   * True when {@code state} is a state {@code w}'s chain has produced (so any request or vote
   * on it, other than on the head, is for a superseded slot). Recent states are in memory; an
   * older one is looked up in the archive.
   */
  private boolean superseded(Wallet w, String state) {
    if (w.states.containsKey(state)) {
      return true;
    }
    if (ledger.caps.unbounded() || w.chainLength < ledger.caps.recentChain()) {
      return false; // every state of the chain is resident
    }
    return state.equals(Crypto.GENESIS) || archive.isState(w.id, state);
  }

  /** The final with this hash, resident or archived, or null. */
  private Final finalOf(String hash) {
    Final f = ledger.finals.get(hash);
    return f != null || ledger.finalsEvicted == 0 ? f : archived(hash);
  }

  private Final archived(String hash) {
    if (ledger.finalsEvicted == 0) {
      return null;
    }
    Certificate c = archive.certificate(hash);
    return c == null ? null : new Final(c.request(), new TreeMap<>(c.votes()), c.index(), c.prevEpoch(), c.newState());
  }

  /** The request hash at {@code index} of {@code w}'s chain, resident or archived, or null. */
  private String chainEntry(Wallet w, long index) {
    String h = w.chainEntry(index);
    return h != null || index < 0 || index >= w.chainLength ? h : archive.chainEntry(w.id, index);
  }

  // ------------------------------------------------------------------ helpers

  private boolean pull(Pull.What what, String subject, long from, long to, String peer, long now, Effects fx) {
    if (peer == null || peer.equals(me) || !isKnownMember(peer)) {
      return false;
    }
    String k = what + subject + from + peer + (what == Pull.What.SUMS || what == Pull.What.REWARDS ? "-" + to : "");
    Long last = lastPull.get(k);
    if (last != null && now - last < options.pullMillis()) {
      return false;
    }
    lastPull.put(k, now);
    fx.send(peer, Signed.sign(new Pull(net, me, what, subject, from, Math.max(from, to)), key));
    return true;
  }

  /** A peer chosen by rotation, so repeated pulls spread over the members. */
  private String peer(long now, String salt) {
    List<Registry.Party> members = current().members();
    int n = members.size();
    int start = (int) Math.floorMod(now / Math.max(1, options.resendMillis()) + salt.charAt(0), (long) n);
    for (int i = 0; i < n; i++) {
      String id = members.get((start + i) % n).id();
      if (!id.equals(me)) {
        return id;
      }
    }
    return null;
  }

  private void reject(Reason reason, Signed<? extends Body> m, String detail, Effects fx) {
    rejected.merge(reason, 1L, Long::sum);
    fx.event(new LedgerEvent.Rejected(reason, m.body().type().wire(), m.body().author(), detail));
  }

  private void misbehaviour(Kind kind, String offender, List<String> evidence, Effects fx) {
    LedgerEvent.Misbehaviour e = new LedgerEvent.Misbehaviour(kind, offender, evidence);
    if (ledger.evidence.size() < LedgerState.MAX_EVIDENCE) {
      record(new LedgerChange.Evidence(e));
    }
    fx.event(e);
  }

  private Wallet wallet(String id) {
    return ledger.wallets.get(id);
  }

  private boolean isKnownMember(String id) {
    return ledger.wallets.containsKey(id);
  }

  private Registry registry(long epoch) {
    Signed<Registry> s = ledger.registries.get(epoch);
    return s == null ? null : s.body();
  }

  private Registry current() {
    return ledger.registries.lastEntry().getValue().body();
  }

  private long currentEpoch() {
    return ledger.registries.lastKey();
  }

  private long difficulty() {
    return ledger.registries.firstEntry().getValue().body().difficulty();
  }

  private Status status() {
    List<Status.Entry> entries = new ArrayList<>();
    for (Wallet w : ledger.wallets.values()) {
      if (entries.size() < Status.MAX_ENTRIES) {
        entries.add(new Status.Entry(w.id, w.contiguous, w.chainLength, w.head, w.rewardCount(), w.rewardDigest()));
      }
    }
    return new Status(net, me, currentEpoch(), entries);
  }

  // ------------------------------------------------------------------ queries

  /** This member's id. */
  public String id() {
    return me;
  }

  /** The durable state (kept across a restart). */
  public LedgerState state() {
    return ledger;
  }

  /** The newest registry this replica holds. */
  public Registry registry() {
    return current();
  }

  /** The signed registry of {@code epoch} held here, or null (e.g. to check a restored journal's genesis). */
  public Signed<Registry> signedRegistry(long epoch) {
    return ledger.registries.get(epoch);
  }

  /** Member ids with a wallet, ascending. */
  public List<String> wallets() {
    return List.copyOf(ledger.wallets.keySet());
  }

  /** The derived balance of {@code id} in units: head balance + shares since + uncited rewards. */
  public long balance(String id) {
    Wallet w = wallet(id);
    return w.headBalance + w.freshShares() + rewardUnits(w, w.uncitedRewards());
  }

  /** The balance stored in {@code id}'s current state (never negative). */
  public long headBalance(String id) {
    return wallet(id).headBalance;
  }

  /** The current state hash of {@code id}. */
  public String head(String id) {
    return wallet(id).head;
  }

  /** Contiguous shares of {@code id} held here. */
  public long shares(String id) {
    return wallet(id).contiguous;
  }

  /**
   * The finalized request hashes of {@code id}, in chain order (the archived part read from
   * the archive: for tests and tools, not for a node's hot paths; see {@link #chainLength}).
   */
  public List<String> chain(String id) {
    Wallet w = wallet(id);
    List<String> out = new ArrayList<>(w.chainLength);
    for (long i = 0; i < w.chainLength; i++) {
      String h = chainEntry(w, i);
      if (h != null) {
        out.add(h);
      }
    }
    return List.copyOf(out);
  }

  /** The number of finalized purchases on {@code id}'s chain. */
  public int chainLength(String id) {
    return wallet(id).chainLength;
  }

  /**
   * The purchases on which {@code id}'s votes earned rewards, ascending (the evicted part read from
   * the archive: for tests and tools).
   */
  public List<String> rewards(String id) {
    return List.copyOf(ledger.rewards(wallet(id), RewardBook.GRANTED));
  }

  /** The finalized request with this hash (resident or archived), or null. */
  public Signed<Request> finalized(String hash) {
    Final f = finalOf(hash);
    return f == null ? null : f.request();
  }

  /** The votes held for a finalized request (voter → vote), or an empty map. */
  public Map<String, Signed<Vote>> votes(String hash) {
    Final f = finalOf(hash);
    return f == null ? Map.of() : java.util.Collections.unmodifiableMap(f.votes());
  }

  /** The highest command counter accepted from each operator (durable with the ledger). */
  public Map<String, Long> commandCounters() {
    return Map.copyOf(ledger.commandCounters);
  }

  /** Rewards already cited along {@code id}'s chain (the evicted part read from the archive). */
  public List<String> cited(String id) {
    return List.copyOf(ledger.rewards(wallet(id), RewardBook.CITED));
  }

  /** Reward-book entries (purchase hashes) held in memory, over all wallets. */
  public long rewardsResident() {
    return ledger.residentRewards();
  }

  /** Spent rewards evicted from memory to the archive so far, over all wallets. */
  public long rewardsEvicted() {
    return ledger.evictedRewards();
  }

  /** Rewards cited twice along a chain (must stay 0; only a mutation can raise it). */
  public long citedTwice() {
    return ledger.citedTwice;
  }

  /** Rejections by reason since this replica started. */
  public Map<Reason, Long> rejections() {
    return java.util.Collections.unmodifiableMap(rejected);
  }

  /** Recorded misbehaviour evidence. */
  public List<LedgerEvent.Misbehaviour> evidence() {
    return List.copyOf(ledger.evidence);
  }

  /**
   * How far a request is from finality here: per epoch whose quorum it needs, the members
   * counted so far and the quorum. Empty when the request is not held as pending on its
   * buyer's head (unknown, final, or waiting for an earlier state).
   */
  public List<Tally> tally(String hash) {
    Pending p = pending.get(hash);
    if (p == null || p.request == null || !p.request.body().prev().equals(wallet(p.request.body().buyer()).head)) {
      return List.of();
    }
    Request r = p.request.body();
    List<Tally> out = new ArrayList<>();
    for (long e : quorumEpochs(r, prevEpoch(wallet(r.buyer())))) {
      Registry reg = registry(e);
      if (reg != null) {
        out.add(new Tally(e, approvals(reg, r, p.votes.keySet()), reg.quorumSize()));
      }
    }
    return out;
  }

  /** Members counted for a request in one epoch, and that epoch's quorum ({@link #tally}). */
  public record Tally(long epoch, int counted, int quorum) {}

  /** Requests held while not final (for observers and bounds tests). */
  public int pendingCount() {
    return pending.size();
  }

  /**
   * The ledger digest: SHA-256 over {@code epoch=<e>\n} then, per wallet ascending by id,
   * {@code wallet=<id>,<contiguous shares>,<chain length>,<head>,<rewards>,<reward xor>\n}.
   * It covers (author, seq) positions, never readings, and determines every balance.
   */
  public String digest() {
    return digestAt(null);
  }

  /**
   * The checkpoint digest at a cut: as {@link #digest()} but with each wallet's shares counted
   * only up to {@code cut.get(id)} (wallets missing from the cut count all shares held).
   */
  public String digestAt(Map<String, Long> cut) {
    StringBuilder sb = new StringBuilder("epoch=").append(currentEpoch()).append('\n');
    for (Wallet w : ledger.wallets.values()) {
      long shares = cut == null || !cut.containsKey(w.id) ? w.contiguous : Math.min(w.contiguous, cut.get(w.id));
      sb.append("wallet=").append(w.id).append(',').append(shares).append(',').append(w.chainLength).append(',')
          .append(w.head).append(',').append(w.rewardCount()).append(',').append(w.rewardDigest()).append('\n');
    }
    return Crypto.sha256Hex(sb.toString().getBytes(StandardCharsets.US_ASCII));
  }
}
