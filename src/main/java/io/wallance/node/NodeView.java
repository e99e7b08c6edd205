package io.wallance.node;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.wallance.ledger.Replica;
import io.wallance.protocol.Registry;
import java.util.Map;
import java.util.TreeMap;

/**
 * Builds the node view, the reply of {@code query.<id>} ({@code docs/ARCHITECTURE.md},
 * "Node view"), and the checkpoint cut that makes ledgers comparable while sensors keep
 * sharing.
 */
public final class NodeView {

  /** Shares are compared in blocks of this many per author (the checkpoint period). */
  public static final long CHECKPOINT_SHARES = 16;

  private NodeView() {
  }

  /**
   * The common cut: for each wallet, its contiguous shares rounded down to a multiple of
   * {@link #CHECKPOINT_SHARES}.
   *
   * @param replica the replica
   * @return member id → share position of the cut, ascending by id
   */
  public static Map<String, Long> cut(Replica replica) {
    Map<String, Long> cut = new TreeMap<>();
    for (String id : replica.wallets()) {
      cut.put(id, replica.shares(id) / CHECKPOINT_SHARES * CHECKPOINT_SHARES);
    }
    return cut;
  }

  /**
   * @param replica the node's replica (read on its own event loop)
   * @param name the node's registry name
   * @param purchases the operator's purchases
   * @param catalogue the catalogue the contract verticle loaded ({@code digest},
   *     {@code differs}, {@code contracts}), or null before it reported
   * @param readings the node's recent readings
   * @param rejections rejections by reason: the replica's and the runtime's own
   * @return the node view
   */
  public static JsonObject of(Replica replica, String name, PurchaseQueue purchases, JsonObject catalogue,
      JsonArray readings, Map<String, Long> rejections) {
    String me = replica.id();
    Registry registry = replica.registry();
    long rate = registry.dcoinRate();
    long units = replica.balance(me);
    Map<String, Long> cut = cut(replica);
    JsonArray wallets = new JsonArray();
    for (String id : replica.wallets()) {
      Registry.Party party = registry.member(id);
      wallets.add(new JsonObject().put("id", id).put("name", party == null ? null : party.name())
          .put("balanceUnits", replica.balance(id)).put("balance", (double) replica.balance(id) / rate)
          .put("state", replica.head(id)).put("shares", replica.shares(id)).put("chain", replica.chainLength(id)));
    }
    JsonObject counters = new JsonObject();
    new TreeMap<>(replica.commandCounters()).forEach(counters::put);
    JsonObject checkpoint = new JsonObject();
    cut.forEach(checkpoint::put);
    JsonObject rejected = new JsonObject();
    new TreeMap<>(rejections).forEach(rejected::put);
    return new JsonObject()
        .put("id", me).put("name", name).put("net", registry.net()).put("epoch", registry.epoch())
        .put("quorum", registry.quorumSize())
        .put("balanceUnits", units).put("balance", (double) units / rate).put("dcoinRate", rate)
        .put("state", replica.head(me)).put("shares", replica.shares(me)).put("chain", replica.chainLength(me))
        .put("ledgerDigest", replica.digest()).put("checkpointDigest", replica.digestAt(cut))
        .put("checkpoint", checkpoint)
        .put("commandCounters", counters)
        .put("purchases", purchases.toJson())
        .put("wallets", wallets)
        .put("catalogue", catalogue != null ? catalogue.copy() : registryCatalogue(registry))
        .put("readings", readings.copy())
        .put("rejections", rejected)
        .put("misbehaviour", replica.evidence().size())
        .put("pending", replica.pendingCount())
        .put("ownRequest", ownRequest(replica));
  }

  /**
   * The node's own request on its head, if one is out, and why it is not final yet: per epoch
   * whose quorum it needs, the members counted so far and the quorum (PROTOCOL.md 7.5, 9.10).
   */
  private static JsonObject ownRequest(Replica replica) {
    String own = replica.ownPending();
    if (own == null) {
      return null;
    }
    JsonArray tally = new JsonArray();
    replica.tally(own).forEach(t -> tally.add(new JsonObject().put("epoch", t.epoch()).put("counted", t.counted())
        .put("quorum", t.quorum())));
    return new JsonObject().put("request", own).put("tally", tally);
  }

  /** Until the contract verticle reports, the registry's name → price list (no descriptions). */
  private static JsonObject registryCatalogue(Registry registry) {
    JsonArray contracts = new JsonArray();
    registry.contracts().forEach((n, p) -> contracts.add(new JsonObject().put("name", n).put("price", p)
        .put("description", "")));
    return new JsonObject().put("digest", registry.catalogueDigest()).put("differs", false)
        .put("contracts", contracts);
  }
}
