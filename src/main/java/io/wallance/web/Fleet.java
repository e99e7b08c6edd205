package io.wallance.web;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.wallance.cluster.EventFrames;
import io.wallance.protocol.Canon;
import io.wallance.protocol.Registry;
import io.wallance.util.BoundedMap;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The web verticle's bounded recent view of the fleet, fed by observer events and by the
 * nodes' query replies: per node its last view and summary, the operator's purchases, and
 * bounded lists of recent requests, votes, finalized purchases, rejections, misbehaviour and
 * contract results.
 *
 * <p>Everything here comes from the network. Events from ids outside the registry are
 * ignored, strings are length-capped, and nothing is interpreted beyond JSON: the view is
 * served as JSON (escaped by the encoder) and never reaches a shell, SQL or HTML. Not
 * thread-safe: used from the web verticle's context only.
 */
final class Fleet {
  /** Entries per recent list. */
  static final int RECENT = 100;
  /** Purchases remembered (oldest forgotten first). */
  static final int PURCHASES = 500;
  /** Readings per node in the state (for the page's small charts after a reload). */
  static final int READINGS = 60;
  private static final int MAX_TEXT = 256;
  private static final int MAX_OUTPUT = 2048;

  private Registry registry;
  private final Map<String, NodeEntry> nodes = new LinkedHashMap<>();
  private final Map<String, JsonObject> purchases = bounded(PURCHASES);
  private final Map<String, String> purchaseByRequest = bounded(PURCHASES);
  private final Map<String, JsonObject> requests = bounded(RECENT);
  private final Map<String, JsonObject> votes = bounded(RECENT);
  /** Request hash → names of every member seen voting for it, in arrival order (any event order). */
  private final Map<String, Set<String>> voters = bounded(RECENT * 2);
  private final Map<String, JsonObject> finalized = bounded(RECENT);
  private final Map<String, JsonObject> rejections = bounded(RECENT);
  private final Map<String, JsonObject> misbehaviour = bounded(RECENT);
  private final Map<String, JsonObject> contractResults = bounded(RECENT);
  private final Map<String, String> descriptions = new TreeMap<>();
  private long ignoredEvents;
  private long sequence;

  /** What the web knows of one member. */
  private static final class NodeEntry {
    final String id;
    final String name;
    boolean online;
    JsonObject view;
    JsonObject summary;
    JsonObject reading;
    JsonObject catalogue;

    NodeEntry(String id, String name) {
      this.id = id;
      this.name = name;
    }
  }

  Fleet(Registry registry) {
    this.registry = registry;
    registry.members().forEach(m -> nodes.put(m.id(), new NodeEntry(m.id(), m.name())));
  }

  /** @return the newest registry epoch this view knows (the genesis, or one adopted later) */
  Registry registry() {
    return registry;
  }

  /**
   * A newer epoch (already verified by the caller): its new members appear (offline until they
   * answer), members it no longer lists disappear; older or equal epochs are ignored.
   *
   * @return true when adopted
   */
  boolean adopt(Registry next) {
    if (next.epoch() <= registry.epoch()) {
      return false;
    }
    registry = next;
    nodes.keySet().retainAll(next.members().stream().map(Registry.Party::id).toList());
    next.members().forEach(m -> nodes.computeIfAbsent(m.id(), id -> new NodeEntry(id, m.name())));
    return true;
  }

  /** @return the member ids, in registry order */
  List<String> nodeIds() {
    return List.copyOf(nodes.keySet());
  }

  /** @return true when {@code id} is a member */
  boolean isMember(String id) {
    return nodes.containsKey(id);
  }

  /** @return the member's registry name, or a short id for a non-member */
  String name(String id) {
    NodeEntry n = id == null ? null : nodes.get(id);
    return n != null ? n.name : id == null ? null : cap(id, 12);
  }

  // ------------------------------------------------------------------ inputs

  /** A node answered its query: its view becomes current and it counts as online. */
  void onView(String node, JsonObject view) {
    NodeEntry n = nodes.get(node);
    if (n == null || view == null) {
      return;
    }
    n.view = view.copy();
    n.online = true;
    JsonObject catalogue = view.getValue("catalogue") instanceof JsonObject c ? c : null;
    if (catalogue != null && catalogue.getValue("contracts") instanceof JsonArray list) {
      for (Object o : list) {
        if (o instanceof JsonObject c && c.getValue("name") instanceof String name
            && registry.price(name) != null && c.getValue("description") instanceof String d) {
          descriptions.putIfAbsent(name, cap(d, 1000));
        }
      }
    }
    if (view.getValue("purchases") instanceof JsonArray list) {
      for (Object o : list) {
        if (o instanceof JsonObject p) {
          mergePurchase(node, p);
        }
      }
    }
  }

  /** A node did not answer its query in time. */
  void onUnreachable(String node) {
    NodeEntry n = nodes.get(node);
    if (n != null) {
      n.online = false;
    }
  }

  /** The node accepted a command: record the purchase it reported. */
  void onCommandReply(String node, String contract, JsonObject reply) {
    JsonObject p = reply.copy();
    if (contract != null && !p.containsKey("contract")) {
      p.put("contract", contract);
    }
    mergePurchase(node, p);
  }

  /**
   * One message on the events address: one event, or a JSON array of events
   * ({@link EventFrames}); each is handled by {@link #onEvent}, anything else is ignored.
   *
   * @param body the message body
   */
  void onEvents(Object body) {
    ignoredEvents += EventFrames.each(body, this::onEvent);
  }

  /**
   * One observer event from the cluster.
   *
   * @param event the event body
   * @return false when the event was ignored (unknown node, unknown type or malformed)
   */
  boolean onEvent(Object event) {
    if (!(event instanceof JsonObject e) || !(e.getValue("node") instanceof String node)
        || !(e.getValue("type") instanceof String type) || !nodes.containsKey(node)) {
      ignoredEvents++;
      return false;
    }
    NodeEntry n = nodes.get(node);
    boolean ok = switch (type) {
      case "node" -> {
        n.summary = pick(e, "balance", "balanceUnits", "state", "ledgerDigest", "checkpointDigest", "pending");
        yield true;
      }
      case "reading" -> {
        n.reading = pick(e, "kind", "value", "seq");
        yield true;
      }
      case "catalogue" -> {
        n.catalogue = pick(e, "digest", "differs");
        yield true;
      }
      case "request" -> onRequest(e);
      case "vote" -> onVote(e);
      case "finalized" -> onFinalized(n, e);
      case "rejected" -> {
        JsonObject r = pick(e, "reason", "messageType", "author", "detail").put("node", node).put("nodeName", n.name);
        rejections.put(Long.toString(++sequence), r);
        yield true;
      }
      case "misbehaviour" -> {
        JsonObject m = pick(e, "kind", "offender").put("node", node).put("nodeName", n.name);
        if (m.getValue("offender") instanceof String o) {
          m.put("offenderName", name(o));
        }
        misbehaviour.put(Long.toString(++sequence), m);
        yield true;
      }
      case "purchase" -> {
        mergePurchase(node, e);
        yield true;
      }
      case "contract" -> {
        JsonObject c = pick(e, "purchase", "request", "contract", "status", "exitCode", "durationMs")
            .put("node", node).put("nodeName", n.name);
        if (e.getValue("output") instanceof String out) {
          c.put("output", out.length() > MAX_OUTPUT ? out.substring(out.length() - MAX_OUTPUT) : out);
        }
        contractResults.put(Long.toString(++sequence), c);
        yield true;
      }
      default -> false;
    };
    if (!ok) {
      ignoredEvents++;
    }
    return ok;
  }

  private boolean onRequest(JsonObject e) {
    if (!(e.getValue("request") instanceof String hash) || !Canon.isHex64(hash)) {
      return false;
    }
    JsonObject r = requests.get(hash);
    if (r == null) {
      r = pick(e, "request", "buyer", "contract", "price", "prev").put("voters", votersOf(hash)).put("final", false);
      r.put("buyerName", name(r.getString("buyer")));
      requests.put(hash, r);
    }
    return true;
  }

  private boolean onVote(JsonObject e) {
    if (!(e.getValue("request") instanceof String hash) || !Canon.isHex64(hash)
        || !(e.getValue("voter") instanceof String voter) || !nodes.containsKey(voter)) {
      return false;
    }
    String key = hash + "/" + voter;
    if (!votes.containsKey(key)) {
      votes.put(key, new JsonObject().put("request", hash).put("voter", voter).put("voterName", name(voter)));
    }
    addVoter(hash, name(voter));
    return true;
  }

  /**
   * Records that {@code voterName} voted for {@code hash}, whichever event said so first: a
   * vote may arrive before its request, and in a healthy network a node's finality often
   * arrives before other nodes' vote events.
   */
  private void addVoter(String hash, String voterName) {
    if (voters.computeIfAbsent(hash, h -> new LinkedHashSet<>()).add(voterName)) {
      JsonObject r = requests.get(hash);
      if (r != null) {
        r.put("voters", votersOf(hash));
      }
      JsonObject f = finalized.get(hash);
      if (f != null) {
        f.put("voters", votersOf(hash));
      }
    }
  }

  private JsonArray votersOf(String hash) {
    return new JsonArray(new ArrayList<>(voters.getOrDefault(hash, Set.of())));
  }

  private boolean onFinalized(NodeEntry n, JsonObject e) {
    if (!(e.getValue("request") instanceof String hash) || !Canon.isHex64(hash)) {
      return false;
    }
    JsonObject f = finalized.get(hash);
    if (f == null) {
      f = pick(e, "request", "buyer", "contract", "price", "balanceBefore", "balanceAfter", "oldState", "newState");
      f.put("buyerName", name(f.getString("buyer")));
      f.put("voters", votersOf(hash));
      f.put("balanceBeforeDcoin", dcoin(f.getValue("balanceBefore")));
      f.put("balanceAfterDcoin", dcoin(f.getValue("balanceAfter")));
      f.put("finalizedOn", new JsonArray()).put("latencyMs", new JsonObject());
      f.put("time", System.currentTimeMillis()); // when the web first heard of it; display only
      finalized.put(hash, f);
    }
    if (!f.getJsonArray("finalizedOn").contains(n.name)) {
      f.getJsonArray("finalizedOn").add(n.name);
    }
    if (e.getValue("voters") instanceof JsonArray quorum) {
      for (Object v : quorum) {
        if (v instanceof String id && nodes.containsKey(id)) {
          addVoter(hash, name(id));
        }
      }
    }
    if (e.getValue("latencyMs") instanceof Number ms) {
      f.getJsonObject("latencyMs").put(n.name, ms.longValue());
    }
    JsonObject r = requests.get(hash);
    if (r != null) {
      r.put("final", true);
    }
    String key = purchaseByRequest.get(hash);
    JsonObject p = key == null ? null : purchases.get(key);
    if (p != null) {
      p.put("state", "final");
      applyBalances(p, f);
    }
    return true;
  }

  private void mergePurchase(String node, JsonObject source) {
    if (!(source.getValue("purchase") instanceof Number num) || num.longValue() < 1) {
      return;
    }
    long id = num.longValue();
    String key = node + "/" + id;
    JsonObject p = purchases.get(key);
    if (p == null) {
      p = new JsonObject().put("node", node).put("nodeName", name(node)).put("purchase", id);
      purchases.put(key, p);
    }
    String state = source.getValue("state") instanceof String s ? cap(s, 16) : null;
    if (state != null && rank(state) >= rank(p.getString("state"))) {
      p.put("state", state);
      if (source.getValue("missingUnits") instanceof Number m) {
        p.put("missingUnits", m.longValue());
      }
    }
    if (source.getValue("contract") instanceof String c && Canon.isName(c)) {
      p.put("contract", c);
      Long price = registry.price(c);
      if (price != null) {
        p.put("price", price);
      }
    }
    if (source.getValue("request") instanceof String hash && Canon.isHex64(hash)) {
      p.put("request", hash);
      purchaseByRequest.put(hash, key);
      JsonObject f = finalized.get(hash);
      if (f != null) {
        p.put("state", "final");
        applyBalances(p, f);
      }
    }
  }

  private void applyBalances(JsonObject p, JsonObject f) {
    p.put("balanceBefore", f.getValue("balanceBeforeDcoin")).put("balanceAfter", f.getValue("balanceAfterDcoin"));
  }

  private static int rank(String state) {
    if (state == null) {
      return -1;
    }
    return switch (state) {
      case "waiting" -> 0;
      case "published" -> 1;
      default -> 2; // final, cancelled, failed: terminal
    };
  }

  // ------------------------------------------------------------------ outputs

  /** @param node a member id @param purchase a purchase id @return what is known of it */
  Optional<JsonObject> purchase(String node, long purchase) {
    JsonObject p = purchases.get(node + "/" + purchase);
    return Optional.ofNullable(p == null ? null : p.copy());
  }

  /** @return the body of {@code GET /api/state} */
  /**
   * Every member's view of every wallet's head, for {@code registry --continue-from}
   * ({@code GET /api/heads}): per node its id, name, whether it answered, its epoch, and, when
   * it answered, per wallet {@code id}, {@code state} (head) and {@code chain} (length).
   */
  JsonObject heads() {
    JsonArray list = new JsonArray();
    for (NodeEntry n : nodes.values()) {
      JsonObject node = new JsonObject().put("id", n.id).put("name", n.name).put("online", n.online);
      if (n.online && n.view != null && n.view.getValue("wallets") instanceof JsonArray wallets) {
        JsonArray heads = new JsonArray();
        for (Object o : wallets) {
          if (o instanceof JsonObject w) {
            heads.add(new JsonObject().put("id", w.getValue("id")).put("state", w.getValue("state"))
                .put("chain", w.getValue("chain")));
          }
        }
        node.put("epoch", n.view.getValue("epoch")).put("wallets", heads);
      }
      list.add(node);
    }
    return new JsonObject().put("net", registry.net()).put("nodes", list);
  }

  /** The node's own pending request and its tally per epoch, as the node reported it (null when none). */
  private static JsonObject ownRequest(Object value) {
    if (!(value instanceof JsonObject o) || !(o.getValue("tally") instanceof JsonArray list)) {
      return null;
    }
    JsonArray tally = new JsonArray();
    for (Object t : list) {
      if (t instanceof JsonObject e) {
        tally.add(new JsonObject().put("epoch", number(e.getValue("epoch"))).put("counted", number(e.getValue("counted")))
            .put("quorum", number(e.getValue("quorum"))));
      }
    }
    return new JsonObject().put("request", hex(o.getValue("request"))).put("tally", tally);
  }

  JsonObject toJson() {
    JsonArray nodeList = new JsonArray();
    nodes.values().forEach(n -> nodeList.add(nodeJson(n)));
    JsonArray contracts = new JsonArray();
    registry.contracts().forEach((name, price) -> contracts.add(new JsonObject().put("name", name)
        .put("price", price).put("description", descriptions.getOrDefault(name, ""))));
    return new JsonObject()
        .put("net", registry.net())
        .put("epoch", registry.epoch())
        .put("quorum", registry.quorumSize())
        .put("dcoinRate", registry.dcoinRate())
        .put("nodes", nodeList)
        .put("contracts", contracts)
        .put("catalogueDigest", registry.catalogueDigest())
        .put("recentRequests", newestFirst(requests))
        .put("recentVotes", newestFirst(votes))
        .put("recentFinalized", newestFirst(finalized))
        .put("recentRejections", newestFirst(rejections))
        .put("recentMisbehaviour", newestFirst(misbehaviour))
        .put("recentContractResults", newestFirst(contractResults))
        .put("ignoredEvents", ignoredEvents);
  }

  private JsonObject nodeJson(NodeEntry n) {
    JsonObject src = n.view != null ? n.view : n.summary != null ? n.summary : new JsonObject();
    JsonObject out = new JsonObject().put("id", n.id).put("name", n.name).put("online", n.online);
    Object units = src.getValue("balanceUnits");
    out.put("balanceUnits", units instanceof Number u ? u.longValue() : null);
    out.put("balance", dcoin(units));
    out.put("state", hex(src.getValue("state")));
    out.put("ledgerDigest", hex(src.getValue("checkpointDigest")));
    out.put("liveDigest", hex(src.getValue("ledgerDigest")));
    out.put("shares", number(src.getValue("shares")));
    out.put("chain", number(src.getValue("chain")));
    out.put("pendingRequests", number(src.getValue("pending")));
    out.put("ownRequest", ownRequest(src.getValue("ownRequest")));
    JsonArray own = new JsonArray();
    int pending = 0;
    int waiting = 0;
    for (JsonObject p : purchases.values()) {
      if (n.id.equals(p.getString("node"))) {
        String state = p.getString("state");
        if ("waiting".equals(state)) {
          waiting++;
        } else if ("published".equals(state)) {
          pending++;
        }
        if (rank(state) < 2) {
          own.add(p.copy());
        }
      }
    }
    out.put("pending", pending).put("waiting", waiting).put("purchases", own);
    if (n.view != null) {
      out.put("rejections", n.view.getValue("rejections") instanceof JsonObject r ? r.copy() : new JsonObject());
      out.put("misbehaviour", number(n.view.getValue("misbehaviour")));
      out.put("epoch", number(n.view.getValue("epoch")));
      out.put("quorum", number(n.view.getValue("quorum")));
      out.put("inSync", n.view.getValue("inSync") instanceof Boolean b ? b : null);
      out.put("healthy", n.view.getValue("healthy") instanceof Boolean b ? b : null);
      if (n.view.getValue("catalogue") instanceof JsonObject c) {
        out.put("catalogueDigest", hex(c.getValue("digest")));
      }
    }
    if (n.catalogue != null) {
      out.put("catalogueDiffers", Boolean.TRUE.equals(n.catalogue.getValue("differs")));
    }
    if (n.reading != null) {
      out.put("lastReading", n.reading.copy());
    }
    out.put("readings", recentReadings(n.view));
    return out;
  }

  /** @return the last {@value #READINGS} readings of a node's view: {@code seq}, {@code value}, {@code time} */
  private static JsonArray recentReadings(JsonObject view) {
    JsonArray out = new JsonArray();
    if (view != null && view.getValue("readings") instanceof JsonArray all) {
      for (int i = Math.max(0, all.size() - READINGS); i < all.size(); i++) {
        if (all.getValue(i) instanceof JsonObject r) {
          out.add(pick(r, "seq", "value", "time"));
        }
      }
    }
    return out;
  }

  private Double dcoin(Object units) {
    if (!(units instanceof Number u)) {
      return null;
    }
    return BigDecimal.valueOf(u.longValue()).divide(BigDecimal.valueOf(registry.dcoinRate()), 3, RoundingMode.HALF_EVEN)
        .doubleValue();
  }

  private static JsonArray newestFirst(Map<String, JsonObject> map) {
    List<JsonObject> list = new ArrayList<>(map.values());
    JsonArray out = new JsonArray();
    for (int i = list.size() - 1; i >= 0; i--) {
      out.add(list.get(i).copy());
    }
    return out;
  }

  /** Copies only the named fields, keeping strings, numbers, booleans and string lists, capped in length. */
  private static JsonObject pick(JsonObject e, String... keys) {
    JsonObject out = new JsonObject();
    for (String k : keys) {
      Object v = e.getValue(k);
      if (v instanceof String s) {
        out.put(k, cap(s, MAX_TEXT));
      } else if (v instanceof Number || v instanceof Boolean) {
        out.put(k, v);
      }
    }
    return out;
  }

  private static String hex(Object v) {
    return v instanceof String s && Canon.isHex64(s) ? s : null;
  }

  private static Long number(Object v) {
    return v instanceof Number n ? n.longValue() : null;
  }

  private static String cap(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max) + "…";
  }

  private static <V> Map<String, V> bounded(int capacity) {
    return BoundedMap.insertionOrder(capacity);
  }
}
