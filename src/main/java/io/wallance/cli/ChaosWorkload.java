package io.wallance.cli;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.wallance.cluster.Addresses;
import io.wallance.protocol.Command;
import io.wallance.protocol.Crypto;
import io.wallance.protocol.Signed;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The workload and observer of a {@code chaos} run, on the shared {@link PurchaseDriver}, in
 * the harness's control namespace (a Hazelcast lite member). It keeps one purchase in flight
 * per node: a {@code buy} signed by the operator goes to every node that has none, and the
 * purchase stops being in flight when the buyer reports it final, failed or cancelled, when
 * the node refuses the command, or after {@link #STUCK_MILLIS} (a node that is down keeps its
 * queue; it is asked again later).
 *
 * <p>From the observer events it checks safety as it goes: two {@code finalized} events for
 * the same wallet state with different new states are a conflict; a negative
 * {@code balanceAfter} is a negative balance. It records when each purchase was final on every
 * node and when each node last voted on another node's request, from which the harness
 * derives recovery times. All state is guarded by {@code this}.
 */
final class ChaosWorkload extends PurchaseDriver {
  static final long STUCK_MILLIS = 30_000;
  /** After a refused or unanswered command, the node is asked again this much later. */
  static final long RETRY_MILLIS = 2_000;

  private final Map<String, Long> inFlightSince = new HashMap<>();
  /** buyer + old state → new state, from every node's finalized events. */
  private final Map<String, String> finality = new HashMap<>();
  private final List<String> conflicts = new ArrayList<>();
  private final List<String> negatives = new ArrayList<>();
  private final Map<String, Long> lastForeignVote = new HashMap<>();
  private final Map<String, Boolean> healthy = new HashMap<>();
  private long attempted;
  private long accepted;
  private long finalizedByBuyer;
  private boolean running;

  ChaosWorkload(Vertx vertx, Addresses addresses, Crypto.KeyPair operator, String net, List<String> nodes,
      String contract) {
    super(vertx, addresses, operator, net, nodes, contract);
  }

  @Override
  void onOtherEvent(String type, JsonObject e, String node, long now) {
    switch (type) {
      case "vote" -> {
        String buyer = purchase(e.getString("request"), now).buyer;
        if (node != null && node.equals(e.getString("voter")) && buyer != null && !buyer.equals(node)) {
          lastForeignVote.put(node, now);
        }
      }
      case "purchase" -> {
        String state = e.getString("state");
        if ("failed".equals(state) || "cancelled".equals(state)) {
          error("purchase " + state);
          inFlightSince.remove(node);
        }
      }
      case "node" -> healthy.put(node, !Boolean.FALSE.equals(e.getBoolean("healthy")));
      default -> {
        // other events are not needed here
      }
    }
  }

  @Override
  void onFinalized(JsonObject e, String node, String hash, Purchase p, boolean first) {
    String buyer = p.buyer;
    String key = buyer + "/" + e.getString("oldState");
    String next = e.getString("newState");
    String known = finality.putIfAbsent(key, next);
    if (known != null && !known.equals(next)) {
      conflicts.add("wallet " + buyer + " state " + e.getString("oldState") + " final as " + known + " and as " + next
          + " (reported by " + node + ")");
    }
    Long after = e.getLong("balanceAfter");
    if (after != null && after < 0) {
      negatives.add("wallet " + buyer + " balance " + after + " after request " + hash + " (reported by " + node + ")");
    }
    if (first && node.equals(buyer)) {
      finalizedByBuyer++;
      inFlightSince.remove(buyer);
    }
  }

  /** Starts buying; {@link #tick()} then submits to every node without a purchase in flight. */
  synchronized void start() {
    running = true;
  }

  /** Stops submitting; purchases in flight continue. */
  synchronized void stop() {
    running = false;
  }

  /** Submits a {@code buy} to every node without a purchase in flight (or with a stuck one). */
  void tick() {
    List<Signed<Command>> commands = new ArrayList<>();
    List<String> to = new ArrayList<>();
    synchronized (this) {
      if (!running) {
        return;
      }
      long now = System.nanoTime();
      for (String node : nodes) {
        Long since = inFlightSince.get(node);
        if (since != null && now - since < STUCK_MILLIS * 1_000_000L) {
          continue;
        }
        commands.add(nextBuy(node));
        to.add(node);
        inFlightSince.put(node, now);
        attempted++;
      }
    }
    for (int i = 0; i < to.size(); i++) {
      String node = to.get(i);
      // Asked again after RETRY_MILLIS, not at the next tick: a node that is down stays quiet.
      send(node, commands.get(i), () -> accepted++,
          err -> inFlightSince.put(node, System.nanoTime() - (STUCK_MILLIS - RETRY_MILLIS) * 1_000_000L));
    }
  }

  /** @return purchases submitted and not yet final on their buyer (nor given up) */
  @Override
  synchronized long inFlight() {
    return inFlightSince.size();
  }

  /**
   * @param afterNanos a {@link System#nanoTime()} instant
   * @return when the first purchase first seen after that instant was final on every node, or -1
   */
  synchronized long firstEverywhereAfter(long afterNanos) {
    long best = -1;
    for (Purchase p : purchases()) {
      if (p.firstNanos >= afterNanos && p.everywhereNanos > 0 && (best < 0 || p.everywhereNanos < best)) {
        best = p.everywhereNanos;
      }
    }
    return best;
  }

  /** @return when {@code node} last voted on another node's request, or -1 */
  synchronized long lastForeignVote(String node) {
    return lastForeignVote.getOrDefault(node, -1L);
  }

  /** @return whether a node last reported itself healthy (true until it reports otherwise) */
  synchronized boolean healthy(String node) {
    return healthy.getOrDefault(node, true);
  }

  synchronized long attempted() {
    return attempted;
  }

  synchronized long accepted() {
    return accepted;
  }

  synchronized long finalizedByBuyer() {
    return finalizedByBuyer;
  }

  synchronized List<String> conflicts() {
    return List.copyOf(conflicts);
  }

  synchronized List<String> negatives() {
    return List.copyOf(negatives);
  }
}
