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

  /** As {@link #replay(List)}, keeping in memory only what {@code caps} allow. */
  public static LedgerState replay(List<? extends LedgerChange> journal, MemoryCaps caps) {
    Replay r = new Replay(caps);
    journal.forEach(r::apply);
    return r.state();
  }

  /**
   * A replay fed one change at a time, so a store can stream a long journal without holding
   * it (memory stays within the caps while replaying).
   */
  public static final class Replay {
    private final LedgerState s;
    private long count;

    /** An empty replay keeping what {@code caps} allow. */
    public Replay(MemoryCaps caps) {
      s = new LedgerState(caps);
    }

    /**
     * Applies the next change of the journal.
     *
     * @throws IllegalArgumentException when the first change is not a registry or a change does not fit
     */
    public void apply(LedgerChange c) {
      if (count == 0 && !(c instanceof LedgerChange.RegistryAdopted)) {
        throw new IllegalArgumentException("a journal starts with the genesis registry");
      }
      try {
        s.apply(c);
      } catch (RuntimeException e) {
        throw new IllegalArgumentException("journal change " + count + " (" + c.getClass().getSimpleName()
            + ") does not apply: " + e.getMessage(), e);
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
        if (!w.cite(h)) {
          citedTwice++;
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
      wallet(c.voter()).grant(c.purchase(), c.epoch());
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

  private Wallet wallet(String id) {
    Wallet w = wallets.get(id);
    if (w == null) {
      throw new IllegalStateException("no wallet " + id.substring(0, Math.min(12, id.length())));
    }
    return w;
  }
}
