package io.wallance.node;

import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.wallance.cluster.Addresses;
import io.wallance.ledger.LedgerEvent;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Publishes observer events ({@code docs/ARCHITECTURE.md}, "Observer events") on
 * {@link Addresses#events()}: every event carries {@code type}, {@code node} and
 * {@code name}. Also maps the replica's {@link LedgerEvent}s to their JSON. Events are for
 * people and tests; nothing in a ledger ever depends on one.
 *
 * <p>An event-bus message on the events address is one event (a JSON object) or several in
 * order (a JSON array of them: the node coalesces what it publishes in one event-loop turn,
 * {@link Outbox}); observers read both with {@link io.wallance.cluster.EventFrames#each}.
 */
public final class ObserverEvents {

  private final Consumer<JsonObject> sink;
  private final String node;
  private final String name;

  /**
   * Events published one per event-bus message.
   *
   * @param bus the event bus
   * @param addresses the network's addresses
   * @param node the publishing member's id
   * @param name its registry name
   */
  public ObserverEvents(EventBus bus, Addresses addresses, String node, String name) {
    this(event -> bus.publish(addresses.events(), event), node, name);
  }

  /**
   * Events handed, complete, to {@code sink} (e.g. an {@link Outbox}).
   *
   * @param sink publishes one complete event
   * @param node the publishing member's id
   * @param name its registry name
   */
  ObserverEvents(Consumer<JsonObject> sink, String node, String name) {
    this.sink = Objects.requireNonNull(sink, "sink");
    this.node = Objects.requireNonNull(node, "node");
    this.name = Objects.requireNonNull(name, "name");
  }

  /**
   * Publishes one event.
   *
   * @param type the event type
   * @param fields the type's fields (copied)
   */
  public void publish(String type, JsonObject fields) {
    JsonObject event = new JsonObject().put("type", type).put("node", node).put("name", name);
    event.mergeIn(fields);
    sink.accept(event);
  }

  /**
   * The JSON fields of a ledger event, with its {@code type}.
   *
   * @param e the event
   * @param self this node's id (the voter of its own {@link LedgerEvent.Voted})
   * @param latencyMs for {@link LedgerEvent.Finalized}: first sight of the request here → final
   * @return the event's JSON, or null for events observers do not get (registry adoption and
   *     accepted commands, which {@code purchase} events describe better)
   */
  public static JsonObject toJson(LedgerEvent e, String self, long latencyMs) {
    if (e instanceof LedgerEvent.RequestSeen r) {
      return new JsonObject().put("type", "request").put("request", r.hash()).put("buyer", r.buyer())
          .put("contract", r.contract()).put("price", r.price()).put("prev", r.prev());
    } else if (e instanceof LedgerEvent.VoteSeen v) {
      return new JsonObject().put("type", "vote").put("request", v.request()).put("voter", v.voter());
    } else if (e instanceof LedgerEvent.Voted v) {
      return new JsonObject().put("type", "vote").put("request", v.request()).put("voter", self);
    } else if (e instanceof LedgerEvent.Finalized f) {
      return new JsonObject().put("type", "finalized").put("request", f.hash()).put("buyer", f.buyer())
          .put("contract", f.contract()).put("price", f.price()).put("balanceBefore", f.balanceBefore())
          .put("balanceAfter", f.balanceAfter()).put("oldState", f.oldState()).put("newState", f.newState())
          .put("voters", new JsonArray(f.voters())).put("counted", counted(f.counted())).put("latencyMs", latencyMs);
    } else if (e instanceof LedgerEvent.Rejected r) {
      return new JsonObject().put("type", "rejected").put("reason", r.reason().name())
          .put("messageType", r.type()).put("author", r.author()).put("detail", r.detail());
    } else if (e instanceof LedgerEvent.Misbehaviour m) {
      return new JsonObject().put("type", "misbehaviour").put("kind", m.kind().name()).put("offender", m.offender());
    }
    return null;
  }

  /** The epochs a finality was counted in, as JSON: epoch, registry hash, members, quorum. */
  private static JsonArray counted(List<LedgerEvent.Counted> counted) {
    JsonArray out = new JsonArray();
    for (LedgerEvent.Counted c : counted) {
      out.add(new JsonObject().put("epoch", c.epoch()).put("registry", c.registry()).put("members", c.members())
          .put("quorum", c.quorum()));
    }
    return out;
  }
}
