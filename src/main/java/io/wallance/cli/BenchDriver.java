package io.wallance.cli;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.wallance.cluster.Addresses;
import io.wallance.protocol.Command;
import io.wallance.protocol.Crypto;
import io.wallance.protocol.Signed;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The bench's load generator and observer, on the shared {@link PurchaseDriver}: it sends
 * each {@code buy} to the node with the fewest purchases in flight (a purchase is in flight
 * until every node reported it final, or its buyer reported it failed, or the node refused the
 * command), and times every purchase from the first event about it (normally the buyer's
 * {@code request}: the request was published) to the last of the N {@code finalized} events
 * (final on every node), as seen by this observer. All state is guarded by {@code this}.
 */
final class BenchDriver extends PurchaseDriver {
  private final Map<String, Integer> outstanding = new LinkedHashMap<>();
  private final List<Double> latencies = new ArrayList<>();
  private final List<Double> nodeLatencies = new ArrayList<>();
  private int next;
  private long submitted;
  private long countedFinalized;
  private long countedSubmitted;
  private boolean counting;
  private long lastFinalAt;

  BenchDriver(Vertx vertx, Addresses addresses, Crypto.KeyPair operator, String net, List<String> nodes,
      String contract) {
    super(vertx, addresses, operator, net, nodes, contract);
    nodes.forEach(n -> outstanding.put(n, 0));
  }

  @Override
  boolean measureNew() {
    return counting;
  }

  @Override
  void onFinalized(JsonObject e, String node, String hash, Purchase p, boolean first) {
    if (p.measured) {
      nodeLatencies.add(e.getLong("latencyMs", 0L).doubleValue());
    }
  }

  @Override
  boolean onEverywhere(String hash, Purchase p, long now) {
    outstanding.computeIfPresent(p.buyer, (k, v) -> Math.max(0, v - 1));
    if (p.measured) {
      latencies.add((now - p.firstNanos) / 1e6);
      countedFinalized++;
      lastFinalAt = now;
    }
    return true; // the bench keeps no history: memory stays flat over long runs
  }

  @Override
  void onOtherEvent(String type, JsonObject e, String node, long now) {
    if ("purchase".equals(type) && "failed".equals(e.getString("state"))) {
      error("purchase failed");
      outstanding.computeIfPresent(node, (k, v) -> Math.max(0, v - 1));
    }
  }

  /** From now on, purchases whose request is published are measured. */
  synchronized void startCounting() {
    counting = true;
    countedSubmitted = 0;
  }

  /** @return purchases submitted and not yet final on every node */
  @Override
  synchronized long inFlight() {
    return outstanding.values().stream().mapToLong(Integer::longValue).sum();
  }

  /**
   * Sends one {@code buy} to the node with the fewest purchases in flight (rotating among
   * ties). Returns at once; a refused command is counted as an error.
   */
  void submit() {
    String node;
    Signed<Command> c;
    synchronized (this) {
      node = pick();
      c = nextBuy(node);
      outstanding.merge(node, 1, Integer::sum);
      submitted++;
      if (counting) {
        countedSubmitted++;
      }
    }
    send(node, c, () -> { }, err -> outstanding.computeIfPresent(node, (k, v) -> Math.max(0, v - 1)));
  }

  private String pick() {
    int best = -1;
    int min = Integer.MAX_VALUE;
    for (int i = 0; i < nodes.size(); i++) {
      String n = nodes.get((next + i) % nodes.size());
      int o = outstanding.get(n);
      if (o < min) {
        min = o;
        best = (next + i) % nodes.size();
      }
    }
    next = (best + 1) % nodes.size();
    return nodes.get(best);
  }

  synchronized long submitted() {
    return submitted;
  }

  synchronized long countedFinalized() {
    return countedFinalized;
  }

  synchronized long countedSubmitted() {
    return countedSubmitted;
  }

  synchronized long lastFinalAt() {
    return lastFinalAt;
  }

  synchronized List<Double> latencies() {
    return List.copyOf(latencies);
  }

  synchronized List<Double> nodeLatencies() {
    return List.copyOf(nodeLatencies);
  }
}
