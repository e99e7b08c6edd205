package io.wallance.node;

import io.wallance.ledger.Replica;
import io.wallance.protocol.Registry;
import io.wallance.protocol.Status;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The node's readiness notion {@code inSync} (node view): whether peers' signed statuses show
 * anything this node lacks. It only informs; it never gates a vote. The core already votes
 * on a request only when the request's {@code prev} is the buyer's head it holds and it holds
 * every cited share and reward (PROTOCOL.md 6.9), which is the per-wallet form of "in sync";
 * gating on statuses, which nobody can verify, would let one lying member silence an honest one.
 *
 * <p>Rule: a peer is <em>ahead</em> when its previous status (a difference that persisted for
 * a whole status round, not a message in flight) shows a newer epoch, or for some wallet more
 * contiguous shares or a longer chain than held now. A peer heard from once (this node just
 * started, or the peer did) is judged on that one status: a node that starts behind its fleet
 * is not in sync from its first statuses until it has pulled what they show. The node is in sync when at least
 * {@code min(f + 1, N − 1)} peers have reported within {@link #WINDOW_MILLIS} and fewer than
 * f + 1 of those are ahead (f of the newest registry): up to f liars can neither keep it out
 * of sync nor, since everything it pulls verifies itself, make it accept a false state.
 */
final class SyncWatch {

  /** Statuses older than this no longer count (a status goes out at least every 8 s). */
  static final long WINDOW_MILLIS = 10_000;

  private record Report(long at, Status latest, Status previous) {}

  private final String me;
  private final Map<String, Report> reports = new HashMap<>();

  SyncWatch(String me) {
    this.me = me;
  }

  /** Records a status the replica accepted (authentic, from a known member). */
  void onStatus(Status s, long now) {
    if (s.node().equals(me)) {
      return;
    }
    Report before = reports.get(s.node());
    reports.put(s.node(), new Report(now, s, before == null ? null : before.latest()));
  }

  /** @return whether this node holds everything that f + 1 recent peers report */
  boolean inSync(Replica replica, long now) {
    Registry registry = replica.registry();
    int members = registry.members().size();
    if (members <= 1) {
      return true;
    }
    int f = Registry.tolerated(members);
    int needed = Math.min(f + 1, members - 1);
    int recent = 0;
    int ahead = 0;
    for (Report r : reports.values()) {
      if (now - r.at() > WINDOW_MILLIS) {
        continue;
      }
      recent++;
      if (ahead(r.previous() != null ? r.previous() : r.latest(), replica)) {
        ahead++;
      }
    }
    return recent >= needed && ahead < f + 1;
  }

  private static boolean ahead(Status s, Replica replica) {
    if (s.epoch() > replica.registry().epoch()) {
      return true;
    }
    List<String> held = replica.wallets();
    for (Status.Entry e : s.entries()) {
      if (!held.contains(e.id())) {
        continue; // the registry naming it comes first (the epoch check above)
      }
      if (e.shares() > replica.shares(e.id()) || e.chain() > replica.chainLength(e.id())) {
        return true;
      }
    }
    return false;
  }
}
