package io.wallance.cli;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import io.wallance.cluster.Addresses;
import io.wallance.protocol.Command;
import io.wallance.protocol.Crypto;
import io.wallance.protocol.Signed;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The workload and observer of a {@code chaos} run, in the harness's control namespace (a
 * Hazelcast lite member). It keeps one purchase in flight per node: a {@code buy} signed by
 * the operator goes to every node that has none, and the purchase stops being in flight when
 * the buyer reports it final, failed or cancelled, when the node refuses the command, or after
 * {@link #STUCK_MILLIS} (a node that is down keeps its queue; it is asked again later).
 *
 * <p>From the observer events it checks safety as it goes: two {@code finalized} events for
 * the same wallet state with different new states are a conflict; a negative
 * {@code balanceAfter} is a negative balance. It records when each purchase was final on every
 * node and when each node last voted on another node's request, from which the harness
 * derives recovery times. All state is guarded by {@code this}.
 */
final class ChaosWorkload {
  private static final long ASK_MILLIS = 10_000;
  static final long STUCK_MILLIS = 30_000;
  /** After a refused or unanswered command, the node is asked again this much later. */
  static final long RETRY_MILLIS = 2_000;

  /** A purchase by request hash: when the observer first heard of it, who finalized it. */
  private static final class Seen {
    final long firstNanos;
    final Set<String> finals = new HashSet<>();
    String buyer;
    long everywhereNanos;

    Seen(long firstNanos) {
      this.firstNanos = firstNanos;
    }
  }

  private final Vertx vertx;
  private final Addresses addresses;
  private final Crypto.KeyPair operator;
  private final String net;
  private final List<String> nodes;
  private final String contract;
  private final Map<String, Long> counters = new HashMap<>();
  private final Map<String, Long> inFlightSince = new HashMap<>();
  private final Map<String, Seen> seen = new HashMap<>();
  /** buyer + old state → new state, from every node's finalized events. */
  private final Map<String, String> finality = new HashMap<>();
  private final List<String> conflicts = new ArrayList<>();
  private final List<String> negatives = new ArrayList<>();
  private final Map<String, Long> lastForeignVote = new HashMap<>();
  private final Map<String, Boolean> healthy = new HashMap<>();
  private final Map<String, Long> errors = new TreeMap<>();
  private long attempted;
  private long accepted;
  private long finalizedByBuyer;
  private long finalizedEverywhere;
  private boolean running;

  ChaosWorkload(Vertx vertx, Addresses addresses, Crypto.KeyPair operator, String net, List<String> nodes,
      String contract) {
    this.vertx = vertx;
    this.addresses = addresses;
    this.operator = operator;
    this.net = net;
    this.nodes = List.copyOf(nodes);
    this.contract = contract;
  }

  /** Subscribes to the observer events; completes once the consumer is registered. */
  Future<Void> listen() {
    return vertx.eventBus().<JsonObject>consumer(addresses.events(), m -> onEvent(m.body())).completion();
  }

  private synchronized void onEvent(JsonObject e) {
    String type = e.getString("type");
    String node = e.getString("node");
    long now = System.nanoTime();
    switch (type == null ? "" : type) {
      case "request" -> seen(e.getString("request"), now).buyer = e.getString("buyer");
      case "vote" -> {
        Seen s = seen(e.getString("request"), now);
        if (node != null && node.equals(e.getString("voter")) && s.buyer != null && !s.buyer.equals(node)) {
          lastForeignVote.put(node, now);
        }
      }
      case "finalized" -> onFinalized(e, node, now);
      case "purchase" -> {
        String state = e.getString("state");
        if ("failed".equals(state) || "cancelled".equals(state)) {
          error("purchase " + state);
          inFlightSince.remove(node);
        }
      }
      case "node" -> {
        healthy.put(node, !Boolean.FALSE.equals(e.getBoolean("healthy")));
      }
      default -> {
        // other events are not needed here
      }
    }
  }

  private void onFinalized(JsonObject e, String node, long now) {
    String hash = e.getString("request");
    String buyer = e.getString("buyer");
    Seen s = seen(hash, now);
    s.buyer = buyer;
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
    if (s.finals.add(node)) {
      if (node.equals(buyer)) {
        finalizedByBuyer++;
        inFlightSince.remove(buyer);
      }
      if (s.finals.size() == nodes.size()) {
        s.everywhereNanos = now;
        finalizedEverywhere++;
      }
    }
  }

  private Seen seen(String hash, long now) {
    return seen.computeIfAbsent(hash, h -> new Seen(now));
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
        long counter = counters.merge(node, 1L, Long::sum);
        commands.add(Signed.sign(new Command(net, operator.id(), node, counter, Command.Action.BUY, contract, counter),
            operator));
        to.add(node);
        inFlightSince.put(node, now);
        attempted++;
      }
    }
    for (int i = 0; i < to.size(); i++) {
      String node = to.get(i);
      vertx.eventBus().<JsonObject>request(addresses.command(node), commands.get(i).wireText(),
          new DeliveryOptions().setSendTimeout(ASK_MILLIS))
          .onSuccess(reply -> {
            synchronized (ChaosWorkload.this) {
              accepted++;
            }
          })
          .onFailure(err -> {
            synchronized (ChaosWorkload.this) {
              error(err.getMessage());
              // Asked again after RETRY_MILLIS, not at the next tick: a node that is down stays quiet.
              inFlightSince.put(node, System.nanoTime() - (STUCK_MILLIS - RETRY_MILLIS) * 1_000_000L);
            }
          });
    }
  }

  private void error(String what) {
    String text = what == null ? "unknown" : what.replaceAll("__vertx\\.reply\\.[0-9a-f-]+", "(reply)")
        .replaceAll("[0-9a-f]{64}", "<id>");
    String key = text.length() > 80 ? text.substring(0, 80) : text;
    errors.merge(key, 1L, Long::sum);
  }

  /** @return purchases submitted and not yet final on their buyer (nor given up) */
  synchronized int inFlight() {
    return inFlightSince.size();
  }

  /**
   * @param afterNanos a {@link System#nanoTime()} instant
   * @return when the first purchase first seen after that instant was final on every node, or -1
   */
  synchronized long firstEverywhereAfter(long afterNanos) {
    long best = -1;
    for (Seen s : seen.values()) {
      if (s.firstNanos >= afterNanos && s.everywhereNanos > 0 && (best < 0 || s.everywhereNanos < best)) {
        best = s.everywhereNanos;
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

  synchronized long finalizedEverywhere() {
    return finalizedEverywhere;
  }

  /** @return how many purchases each node finalized in this run, as the observer saw them */
  synchronized Map<String, Long> finalsByNode() {
    Map<String, Long> by = new LinkedHashMap<>();
    nodes.forEach(n -> by.put(n, 0L));
    for (Seen s : seen.values()) {
      s.finals.forEach(n -> by.merge(n, 1L, Long::sum));
    }
    return by;
  }

  synchronized List<String> conflicts() {
    return List.copyOf(conflicts);
  }

  synchronized List<String> negatives() {
    return List.copyOf(negatives);
  }

  synchronized Map<String, Long> errors() {
    return new TreeMap<>(errors);
  }
}
