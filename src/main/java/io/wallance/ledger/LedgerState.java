package io.wallance.ledger;

import io.wallance.protocol.Registry;
import io.wallance.protocol.Request;
import io.wallance.protocol.Signed;
import io.wallance.protocol.Vote;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The part of a replica that must survive a crash: everything a replica has published or
 * reported final is recorded here first. It changes only through {@link LedgerChange}s
 * ({@link #apply}), which {@link Replica} also hands to the runtime to persist
 * ({@link Replica#drainChanges()}); {@link #replay} rebuilds an identical state from them.
 * The simulator rebuilds this object from the journal persisted so far at every simulated
 * crash and drops everything else; the durable-ledger adapter ({@code io.wallance.store})
 * persists the journal.
 */
public final class LedgerState {
  /** Most misbehaviour records kept. */
  static final int MAX_EVIDENCE = 256;

  /** A finalized purchase with every vote known for it (the quorum certificate and late votes). */
  record Final(Signed<Request> request, TreeMap<String, Signed<Vote>> votes, int index, long prevEpoch,
      String newState) {}

  final TreeMap<Long, Signed<Registry>> registries = new TreeMap<>();
  final TreeMap<String, Wallet> wallets = new TreeMap<>();
  /** The recent finalized requests, oldest first ({@link MemoryCaps#recentFinals}); the rest are archived. */
  final LinkedHashMap<String, Final> finals = new LinkedHashMap<>();
  /** What is kept in memory. */
  final MemoryCaps caps;
  /** Finals evicted from {@link #finals} so far. */
  long finalsEvicted;
  /** This member's vote per (buyer, previous state): it never signs another one. */
  final Map<String, Signed<Vote>> myVotes = new HashMap<>();
  /** Extra votes signed only under the VOTE_TWICE mutation, by request hash. */
  final Map<String, Signed<Vote>> extraVotes = new HashMap<>();
  /** This member's request per previous state: it never signs another one. */
  final Map<String, Signed<Request>> myRequests = new HashMap<>();
  /** Highest operator-command counter accepted, per operator. */
  final Map<String, Long> commandCounters = new HashMap<>();
  /** Recorded evidence of misbehaviour (bounded). */
  final List<LedgerEvent.Misbehaviour> evidence = new ArrayList<>();
  /** Rewards cited again on a chain where they were already cited (only possible under a mutation). */
  long citedTwice;
  /**
   * Where spent rewards evicted from the wallets' books are read back from; {@link LedgerArchive#NONE}
   * (nothing is evicted) unless the caps are bounded and an archive was attached.
   */
  private LedgerArchive archive = LedgerArchive.NONE;
  /**
   * The journal position of the change being replayed ({@link Replay}), so that the archive's
   * later rows (it holds the whole journal while a replay runs) are not taken for the past; at
   * any other time every row the archive holds is in the past.
   */
  private long applying = Long.MAX_VALUE;
  /** The evicted (wallet, purchase) pairs, as a Bloom filter in front of the archive; null until one. */
  private RewardFilter evictedRewards;
  /** Changes applied so far (a live replica's changes are numbered in the order it drains them). */
  private long applied;
  /** How many of {@link #applied} are durable ({@link #durable}). */
  private long durableCount;

  /** A reward spent by change number {@code at}: it may leave memory once that change is durable. */
  private record Spent(Wallet wallet, long[] key, long at) {}

  /** Rewards spent by changes not yet durable, in change order (only while an archive is attached). */
  private final java.util.ArrayDeque<Spent> spent = new java.util.ArrayDeque<>();

  LedgerState() {
    this(MemoryCaps.UNBOUNDED);
  }

  LedgerState(MemoryCaps caps) {
    this.caps = caps;
  }

  /** The memory caps this state was built with. */
  public MemoryCaps caps() {
    return caps;
  }

  /**
   * Rebuilds a state from a journal: the changes a replica made, in the order it made them,
   * starting with its genesis registry. The result answers every {@link Replica} query as the
   * live state did and has the same {@link Replica#digest()}.
   *
   * @throws IllegalArgumentException when the journal is empty, does not start with a
   *     registry, or a change does not fit the state before it (a journal out of order)
   */
  public static LedgerState replay(List<? extends LedgerChange> journal) {
    return replay(journal, MemoryCaps.UNBOUNDED);
  }

  /**
   * As {@link #replay(List)}, keeping in memory only what {@code caps} allow; the evicted part is
   * read back from the journal itself (a {@link JournalArchive} over it, positions being list
   * indexes).
   */
  public static LedgerState replay(List<? extends LedgerChange> journal, MemoryCaps caps) {
    Replay r = new Replay(caps, caps.unbounded() ? LedgerArchive.NONE : new JournalArchive(journal));
    for (int i = 0; i < journal.size(); i++) {
      r.apply(journal.get(i), i);
    }
    return r.state();
  }

  /**
   * A replay fed one change at a time, so a store can stream a long journal without holding
   * it (memory stays within the caps while replaying).
   */
  public static final class Replay {
    private final LedgerState s;
    private long count;

    /** An empty replay keeping what {@code caps} allow; nothing is evicted to an archive. */
    public Replay(MemoryCaps caps) {
      this(caps, LedgerArchive.NONE);
    }

    /**
     * An empty replay keeping what {@code caps} allow, evicting spent rewards as it goes: they are
     * read back from {@code archive}, which must hold the whole journal being replayed and answer
     * with the positions given to {@link #apply(LedgerChange, long)}.
     */
    public Replay(MemoryCaps caps, LedgerArchive archive) {
      s = new LedgerState(caps);
      s.attach(archive);
    }

    /**
     * Applies the next change of the journal, one that is not in an archive (nothing is evicted).
     *
     * @throws IllegalArgumentException when the first change is not a registry or a change does not fit
     */
    public void apply(LedgerChange c) {
      apply(c, Long.MAX_VALUE);
    }

    /**
     * Applies the next change of the journal, at {@code position} in the archive (ascending), and
     * evicts what it spent: every change of a journal is durable.
     *
     * @throws IllegalArgumentException when the first change is not a registry or a change does not fit
     */
    public void apply(LedgerChange c, long position) {
      if (count == 0 && !(c instanceof LedgerChange.RegistryAdopted)) {
        throw new IllegalArgumentException("a journal starts with the genesis registry");
      }
      s.applying = position;
      try {
        s.apply(c);
        if (position != Long.MAX_VALUE) {
          s.durable(List.of(c));
        }
      } catch (RuntimeException e) {
        throw new IllegalArgumentException("journal change " + count + " (" + c.getClass().getSimpleName()
            + ") does not apply: " + e.getMessage(), e);
      } finally {
        s.applying = Long.MAX_VALUE;
      }
      count++;
    }

    /**
     * The state rebuilt so far.
     *
     * @throws IllegalArgumentException when no change was applied
     */
    public LedgerState state() {
      if (count == 0) {
        throw new IllegalArgumentException("a journal starts with the genesis registry");
      }
      return s;
    }
  }

  /** True when no registry was adopted yet (a replica's state always has one). */
  boolean isEmpty() {
    return registries.isEmpty();
  }

  /** Applies one change: the only way this state changes. */
  void apply(LedgerChange change) {
    applied++;
    if (change instanceof LedgerChange.RegistryAdopted c) {
      Registry r = c.registry().body();
      registries.put(r.epoch(), c.registry());
      for (Registry.Party m : r.members()) {
        wallets.computeIfAbsent(m.id(), id -> new Wallet(id, r.epoch()));
      }
    } else if (change instanceof LedgerChange.ShareStored c) {
      wallet(c.share().body().author()).addShare(c.share(), caps.recentShares());
    } else if (change instanceof LedgerChange.Finalized c) {
      Request r = c.request().body();
      Wallet w = wallet(r.buyer());
      if (c.index() != w.chainLength || !w.head.equals(r.prev())) {
        throw new IllegalStateException("finalized request at index " + c.index() + " on a chain of "
            + w.chainLength + " or not on the head");
      }
      w.head = c.newState();
      w.headShares = c.headShares();
      w.headBalance = c.headBalance();
      w.headEpoch = r.epoch();
      for (String h : r.rewards()) {
        long[] k = RewardBook.key(h);
        int now = w.book.flags(h, k) == 0 && evicted(w, h, k, false) ? -1 : w.cite(h, k);
        if (now < 0) {
          citedTwice++;
        } else {
          spending(w, k, now);
        }
      }
      w.appendChain(c.request().hash(), c.newState(), caps.recentChain());
      finals.put(c.request().hash(), new Final(c.request(), new TreeMap<>(c.votes()), c.index(), c.prevEpoch(),
          c.newState()));
      forgetSlot(r);
      Iterator<String> it = finals.keySet().iterator();
      while (finals.size() > caps.recentFinals() && it.hasNext()) {
        it.next();
        it.remove();
        finalsEvicted++;
      }
    } else if (change instanceof LedgerChange.VoteStored c) {
      Final f = finals.get(c.request());
      if (f != null) {
        f.votes().putIfAbsent(c.vote().body().voter(), c.vote());
      } else if (finalsEvicted == 0) {
        throw new IllegalStateException("vote for a request that is not final");
      } // else: for an archived final; the journal (the archive) holds it
    } else if (change instanceof LedgerChange.RewardGranted c) {
      Wallet w = wallet(c.voter());
      long[] k = RewardBook.key(c.purchase());
      int now = w.grant(c.purchase(), k, c.epoch());
      if (now >= 0) {
        spending(w, k, now);
      }
    } else if (change instanceof LedgerChange.MyVote c) {
      myVotes.putIfAbsent(c.slot(), c.vote());
    } else if (change instanceof LedgerChange.ExtraVote c) {
      extraVotes.putIfAbsent(c.vote().body().request(), c.vote());
    } else if (change instanceof LedgerChange.MyRequest c) {
      myRequests.putIfAbsent(c.prev(), c.request());
    } else if (change instanceof LedgerChange.CommandCounter c) {
      commandCounters.merge(c.operator(), c.counter(), Math::max);
    } else if (change instanceof LedgerChange.Evidence c) {
      if (evidence.size() < MAX_EVIDENCE) {
        evidence.add(c.misbehaviour());
      }
    } else {
      throw new IllegalArgumentException("unknown change " + change);
    }
  }

  /**
   * A request on (buyer, prev) became final, so the slot is superseded for good: this member's
   * vote and request on it are never consulted again (a replica votes and requests only at a
   * head) and leave memory. The journal keeps them.
   */
  private void forgetSlot(Request r) {
    if (caps.unbounded()) {
      return;
    }
    myVotes.remove(r.buyer() + r.prev());
    Signed<Request> mine = myRequests.get(r.prev());
    if (mine != null && mine.body().buyer().equals(r.buyer())) {
      myRequests.remove(r.prev());
    }
    extraVotes.values().removeIf(v -> v.body().buyer().equals(r.buyer()) && v.body().prev().equals(r.prev()));
  }

  // ------------------------------------------------------------------ rewards, resident or evicted

  /**
   * Attaches the archive spent rewards are evicted to (a no-op for unbounded caps): from now on
   * {@link #durable} evicts. A state replayed with one archive may be attached to another that
   * holds the same journal at the same positions.
   */
  void attach(LedgerArchive to) {
    if (!caps.unbounded()) {
      archive = to;
      durableCount = applied; // what was applied before (a replayed journal) is durable
    }
  }

  /**
   * Queues a reward (its {@link RewardBook#key} {@code k}) for eviction when the change being
   * applied spent it: {@code flags}, the book's flags after the change, are both.
   */
  private void spending(Wallet w, long[] k, int flags) {
    if (archive != LedgerArchive.NONE && k != null && flags == (RewardBook.GRANTED | RewardBook.CITED)) {
      spent.addLast(new Spent(w, k, applied));
    }
  }

  /**
   * The next {@code batch} drained from the replica (every batch once, in drain order) is durable
   * in the archive: the rewards spent by changes up to it (a grant of a cited reward, a citation of
   * a granted one) leave memory. Before that they stay resident, so an archive that lags never
   * hides a reward already granted or cited: an evicted reward's grant and citation are both
   * durable, the later of the two being the change that spent it.
   */
  void durable(List<LedgerChange> batch) {
    durableCount += batch.size();
    while (!spent.isEmpty() && spent.peekFirst().at() <= durableCount) {
      Spent x = spent.pollFirst();
      evict(x.wallet(), x.key());
    }
  }

  private void evict(Wallet w, long[] k) {
    if (w.book.evict(k)) {
      if (evictedRewards == null) {
        evictedRewards = new RewardFilter();
      }
      evictedRewards.add(w.salt, k);
    }
  }

  /**
   * True when {@code purchase}, not resident in {@code w}'s book, is a reward of {@code w} evicted
   * as spent: the filter may say so (then the archive decides: a durable grant that is not
   * resident was evicted) or knows it was not. When the archive cannot be read, the answer is
   * {@code ifUnknown}: true where a reward is checked before it is accepted (taken as spent, it
   * can only refuse a request, never accept a second citation), false for the
   * {@link #citedTwice} count.
   */
  private boolean evicted(Wallet w, String purchase, long[] k, boolean ifUnknown) {
    if (w.book.evicted() == 0) {
      return false;
    }
    if (k == null || !evictedRewards.mightContain(w.salt, k)) {
      return false;
    }
    long at = archive.rewardPosition(w.id, purchase);
    return at == LedgerArchive.UNKNOWN ? ifUnknown : at >= 0 && at < applying;
  }

  /** The flags of {@code purchase} in {@code w}'s rewards: resident, or both for an evicted (spent) one. */
  byte rewardFlags(Wallet w, String purchase) {
    long[] k = RewardBook.key(purchase);
    byte f = w.book.flags(purchase, k);
    return f != 0 || !evicted(w, purchase, k, true) ? f : (byte) (RewardBook.GRANTED | RewardBook.CITED);
  }

  boolean isGranted(Wallet w, String purchase) {
    return (rewardFlags(w, purchase) & RewardBook.GRANTED) != 0;
  }

  boolean isCited(Wallet w, String purchase) {
    return (rewardFlags(w, purchase) & RewardBook.CITED) != 0;
  }

  /**
   * Sums of {@code w}'s granted rewards, evicted ones included, over the 16 parts of the bucket
   * {@code [from, to]}: the first two bisection levels from memory, deeper ones reading the
   * archive's rows of the bucket.
   */
  void rewardSums(Wallet w, long from, long to, long[] counts, long[][] xors) {
    long width = to - from + 1;
    w.book.sums(from, width, counts, xors);
    if (w.book.evicted() == 0 || w.book.evictedSums(from, width, counts, xors)) {
      return;
    }
    long part = width / io.wallance.protocol.Sums.PARTS;
    for (String h : archived(w, from, to)) {
      long[] k = RewardBook.key(h);
      int i = (int) ((RewardBook.bucketKey(k) - from) / part);
      counts[i]++;
      for (int x = 0; x < 4; x++) {
        xors[i][x] ^= k[x];
      }
    }
  }

  /** {@code w}'s granted rewards, evicted ones included, with bucket key in {@code [from, to]}, ascending, at most {@code max}. */
  List<String> granted(Wallet w, long from, long to, int max) {
    List<String> out = w.book.granted(from, to, Integer.MAX_VALUE);
    if (w.book.evicted() > 0) {
      out.addAll(archived(w, from, to));
      out.sort(null);
    }
    return out.size() > max ? new ArrayList<>(out.subList(0, max)) : out;
  }

  /** {@code w}'s purchase hashes carrying {@code flag} (granted or cited), evicted ones included, ascending. */
  List<String> rewards(Wallet w, byte flag) {
    List<String> out = w.book.sorted(flag);
    if (w.book.evicted() > 0) {
      out.addAll(archived(w, 0, io.wallance.protocol.Sums.SPACE - 1));
      out.sort(null);
    }
    return out;
  }

  /** The archive's rewards of {@code w} in {@code [from, to]} that are not resident: the evicted ones. */
  private List<String> archived(Wallet w, long from, long to) {
    List<String> out = new ArrayList<>();
    for (String h : archive.rewards(w.id, from, to)) {
      long[] k = RewardBook.key(h);
      if (k != null && w.book.flags(h, k) == 0) {
        out.add(h);
      }
    }
    return out;
  }

  /** Rewards held in memory over all wallets (purchase hashes resident in the books). */
  long residentRewards() {
    long n = 0;
    for (Wallet w : wallets.values()) {
      n += w.book.resident();
    }
    return n;
  }

  /** Rewards evicted from the books so far, over all wallets. */
  long evictedRewards() {
    long n = 0;
    for (Wallet w : wallets.values()) {
      n += w.book.evicted();
    }
    return n;
  }

  private Wallet wallet(String id) {
    Wallet w = wallets.get(id);
    if (w == null) {
      throw new IllegalStateException("no wallet " + id.substring(0, Math.min(12, id.length())));
    }
    return w;
  }
}
