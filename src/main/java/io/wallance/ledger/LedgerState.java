package io.wallance.ledger;

import io.wallance.protocol.Registry;
import io.wallance.protocol.Request;
import io.wallance.protocol.Signed;
import io.wallance.protocol.Vote;
import java.util.ArrayList;
import java.util.HashMap;
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
  final Map<String, Final> finals = new HashMap<>();
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

  LedgerState() {}

  /**
   * Rebuilds a state from a journal: the changes a replica made, in the order it made them,
   * starting with its genesis registry. The result answers every {@link Replica} query as the
   * live state did and has the same {@link Replica#digest()}.
   *
   * @throws IllegalArgumentException when the journal is empty, does not start with a
   *     registry, or a change does not fit the state before it (a journal out of order)
   */
  public static LedgerState replay(List<? extends LedgerChange> journal) {
    if (journal.isEmpty() || !(journal.get(0) instanceof LedgerChange.RegistryAdopted)) {
      throw new IllegalArgumentException("a journal starts with the genesis registry");
    }
    LedgerState s = new LedgerState();
    int i = 0;
    for (LedgerChange c : journal) {
      try {
        s.apply(c);
      } catch (RuntimeException e) {
        throw new IllegalArgumentException("journal change " + i + " (" + c.getClass().getSimpleName()
            + ") does not apply: " + e.getMessage(), e);
      }
      i++;
    }
    return s;
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
      wallet(c.share().body().author()).addShare(c.share());
    } else if (change instanceof LedgerChange.Finalized c) {
      Request r = c.request().body();
      Wallet w = wallet(r.buyer());
      if (c.index() != w.chain.size() || !w.head.equals(r.prev())) {
        throw new IllegalStateException("finalized request at index " + c.index() + " on a chain of "
            + w.chain.size() + " or not on the head");
      }
      w.head = c.newState();
      w.headShares = c.headShares();
      w.headBalance = c.headBalance();
      w.headEpoch = r.epoch();
      for (String h : r.rewards()) {
        if (!w.cited.add(h)) {
          citedTwice++;
        }
      }
      w.chain.add(c.request().hash());
      w.states.put(c.newState(), w.chain.size());
      finals.put(c.request().hash(), new Final(c.request(), new TreeMap<>(c.votes()), c.index(), c.prevEpoch(),
          c.newState()));
    } else if (change instanceof LedgerChange.VoteStored c) {
      Final f = finals.get(c.request());
      if (f == null) {
        throw new IllegalStateException("vote for a request that is not final");
      }
      f.votes().putIfAbsent(c.vote().body().voter(), c.vote());
    } else if (change instanceof LedgerChange.RewardGranted c) {
      wallet(c.voter()).grant(c.purchase());
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

  private Wallet wallet(String id) {
    Wallet w = wallets.get(id);
    if (w == null) {
      throw new IllegalStateException("no wallet " + id.substring(0, Math.min(12, id.length())));
    }
    return w;
  }
}
