package io.wallance.ledger;

import io.wallance.protocol.Share;
import io.wallance.protocol.Signed;
import io.wallance.protocol.Vote;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A {@link LedgerArchive} over a journal held in memory (the simulator's persisted journal,
 * tests): it indexes the changes appended to the list since its last answer, so it always
 * answers from exactly what was persisted. Not for a node: it holds the whole journal.
 */
public final class JournalArchive implements LedgerArchive {
  private final List<? extends LedgerChange> journal;
  private int indexed;
  private final Map<String, TreeMap<Long, Signed<Share>>> shares = new HashMap<>();
  private final Map<String, LedgerChange.Finalized> finals = new HashMap<>();
  private final Map<String, TreeMap<String, Signed<Vote>>> late = new HashMap<>();
  private final Map<String, List<String>> chains = new HashMap<>();
  private final Map<String, Set<String>> states = new HashMap<>();
  /** Per voter: purchase → the position of its reward in the journal. */
  private final Map<String, TreeMap<String, Long>> rewards = new HashMap<>();

  /** An archive answering from {@code journal}, which the caller appends to as it persists. */
  public JournalArchive(List<? extends LedgerChange> journal) {
    this.journal = journal;
  }

  private void catchUp() {
    while (indexed < journal.size()) {
      LedgerChange c = journal.get(indexed++);
      if (c instanceof LedgerChange.ShareStored s) {
        shares.computeIfAbsent(s.share().body().author(), k -> new TreeMap<>()).putIfAbsent(s.share().body().seq(),
            s.share());
      } else if (c instanceof LedgerChange.Finalized f) {
        String buyer = f.request().body().buyer();
        finals.put(f.request().hash(), f);
        chains.computeIfAbsent(buyer, k -> new ArrayList<>()).add(f.request().hash());
        states.computeIfAbsent(buyer, k -> new HashSet<>()).add(f.newState());
      } else if (c instanceof LedgerChange.RewardGranted g) {
        rewards.computeIfAbsent(g.voter(), k -> new TreeMap<>()).putIfAbsent(g.purchase(), indexed - 1L);
      } else if (c instanceof LedgerChange.VoteStored v) {
        late.computeIfAbsent(v.request(), k -> new TreeMap<>()).putIfAbsent(v.vote().body().voter(), v.vote());
      }
    }
  }

  @Override
  public List<Signed<Share>> shares(String author, long from, long to) {
    catchUp();
    TreeMap<Long, Signed<Share>> m = shares.get(author);
    return m == null || from > to ? List.of() : List.copyOf(m.subMap(from, true, to, true).values());
  }

  @Override
  public Certificate certificate(String request) {
    catchUp();
    LedgerChange.Finalized f = finals.get(request);
    if (f == null) {
      return null;
    }
    TreeMap<String, Signed<Vote>> votes = new TreeMap<>(f.votes());
    late.getOrDefault(request, new TreeMap<>()).forEach(votes::putIfAbsent);
    return new Certificate(f.request(), votes, f.index(), f.prevEpoch(), f.newState());
  }

  @Override
  public String chainEntry(String buyer, long index) {
    catchUp();
    List<String> chain = chains.get(buyer);
    return chain == null || index < 0 || index >= chain.size() ? null : chain.get((int) index);
  }

  @Override
  public boolean isState(String wallet, String state) {
    catchUp();
    return states.getOrDefault(wallet, Set.of()).contains(state);
  }

  @Override
  public long rewardPosition(String voter, String purchase) {
    catchUp();
    TreeMap<String, Long> held = rewards.get(voter);
    return held == null ? ABSENT : held.getOrDefault(purchase, ABSENT);
  }

  @Override
  public List<String> rewards(String voter, long from, long to) {
    catchUp();
    List<String> out = new ArrayList<>();
    TreeMap<String, Long> held = rewards.get(voter);
    if (held == null) {
      return out;
    }
    for (String h : held.keySet()) {
      long key = io.wallance.protocol.Sums.key(h);
      if (key >= from && key <= to) {
        out.add(h);
      }
    }
    return out;
  }
}
