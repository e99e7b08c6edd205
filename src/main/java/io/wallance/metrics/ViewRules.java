package io.wallance.metrics;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.wallance.protocol.Registry;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Pure rules over node views (docs/ARCHITECTURE.md, "Node view") that readiness and the
 * agreement meters use. No clock, no I/O.
 */
public final class ViewRules {

  private ViewRules() {
  }

  /**
   * @param view a node view
   * @return the ids of the voting members of the node's newest registry: the wallets that have
   *     a registry name
   */
  public static List<String> members(JsonObject view) {
    List<String> ids = new ArrayList<>();
    if (view.getValue("wallets") instanceof JsonArray wallets) {
      for (Object o : wallets) {
        if (o instanceof JsonObject w && w.getValue("id") instanceof String id && w.getValue("name") != null) {
          ids.add(id);
        }
      }
    }
    return ids;
  }

  /**
   * @param view a node view
   * @param fallback the quorum to use when the view does not carry one
   * @return the quorum of the node's newest registry
   */
  public static int quorum(JsonObject view, int fallback) {
    return view.getValue("quorum") instanceof Number q ? q.intValue() : fallback;
  }

  /**
   * Whether a peer's view shows something {@code own} lacks: a newer epoch, or for some
   * wallet more shares or a longer chain.
   *
   * @param peer a peer's view
   * @param own this node's view (taken later than the peer's)
   * @return true when the peer is ahead
   */
  public static boolean ahead(JsonObject peer, JsonObject own) {
    if (number(peer, "epoch") > number(own, "epoch")) {
      return true;
    }
    Map<String, JsonObject> held = wallets(own);
    for (JsonObject w : wallets(peer).values()) {
      JsonObject mine = held.get(w.getString("id"));
      if (mine == null) {
        continue; // named by a registry this node has not adopted: the epoch check covers it
      }
      if (number(w, "shares") > number(mine, "shares") || number(w, "chain") > number(mine, "chain")) {
        return true;
      }
    }
    return false;
  }

  /**
   * The derived "in sync" (used when the node view has no {@code inSync} of its own): at least
   * {@code min(f + 1, N − 1)} peers answered in the previous round and fewer than f + 1 of
   * those previous answers show something this node still lacks now. A difference must have
   * lasted a whole round, so messages in flight do not count; up to f lying peers can neither
   * keep the node out of sync nor pretend it is.
   *
   * @param own this node's current view
   * @param previousPeerViews the peers' views of the previous round (answered ones only)
   * @param members number of voting members N
   * @return whether the node holds what its peers held a round ago
   */
  public static boolean inSync(JsonObject own, Collection<JsonObject> previousPeerViews, int members) {
    if (members <= 1) {
      return true;
    }
    int f = Registry.tolerated(members);
    int needed = Math.min(f + 1, members - 1);
    int ahead = 0;
    for (JsonObject peer : previousPeerViews) {
      if (ahead(peer, own)) {
        ahead++;
      }
    }
    return previousPeerViews.size() >= needed && ahead < f + 1;
  }

  /**
   * @param digests the checkpoint digest of each node that answered (null for none)
   * @return the digest most nodes hold, or null when none is held by a strict majority of
   *     those that answered
   */
  public static String majority(Collection<String> digests) {
    Map<String, Integer> counts = new HashMap<>();
    int answered = 0;
    for (String d : digests) {
      if (d != null) {
        answered++;
        counts.merge(d, 1, Integer::sum);
      }
    }
    for (Map.Entry<String, Integer> e : counts.entrySet()) {
      if (e.getValue() * 2 > answered) {
        return e.getKey();
      }
    }
    return null;
  }

  private static Map<String, JsonObject> wallets(JsonObject view) {
    Map<String, JsonObject> out = new HashMap<>();
    if (view.getValue("wallets") instanceof JsonArray wallets) {
      for (Object o : wallets) {
        if (o instanceof JsonObject w && w.getValue("id") instanceof String id) {
          out.put(id, w);
        }
      }
    }
    return out;
  }

  static long number(JsonObject json, String field) {
    return json.getValue(field) instanceof Number n ? n.longValue() : 0;
  }
}
