package io.wallance.cli;

import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import io.wallance.cluster.Addresses;
import io.wallance.protocol.Command;
import io.wallance.protocol.Crypto;
import io.wallance.protocol.Signed;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The bench's load generator and observer, in the bench process (a Hazelcast lite member).
 * It signs {@code buy} commands as the registry's operator, sends them to the nodes with the
 * fewest purchases in flight, and times every purchase from the first event about it (normally
 * the buyer's {@code request}: the request was published) to the last of the N
 * {@code finalized} events (final on every node), as seen by this observer. All state is guarded by {@code this}.
 */
final class BenchDriver {
  private static final long ASK_MILLIS = 10_000;

  /** One purchase in flight, by request hash, until every node reported it final. */
  private static final class Flight {
    long requestAt;
    int finals;
    boolean counted;
    String buyer;
  }

  private final Vertx vertx;
  private final Addresses addresses;
  private final Crypto.KeyPair operator;
  private final String net;
  private final List<String> nodes;
  private final String contract;
  private final Map<String, Long> counters = new HashMap<>();
  private final Map<String, Integer> outstanding = new LinkedHashMap<>();
  private final Map<String, Flight> flights = new HashMap<>();
  private final List<Double> latencies = new ArrayList<>();
  private final List<Double> nodeLatencies = new ArrayList<>();
  private final Map<String, Long> errors = new TreeMap<>();
  private int next;
  private long submitted;
  private long finalized;
  private long countedFinalized;
  private long countedSubmitted;
  private boolean counting;
  private long lastFinalAt;

  BenchDriver(Vertx vertx, Addresses addresses, Crypto.KeyPair operator, String net, List<String> nodes,
      String contract) {
    this.vertx = vertx;
    this.addresses = addresses;
    this.operator = operator;
    this.net = net;
    this.nodes = List.copyOf(nodes);
    this.contract = contract;
    nodes.forEach(n -> outstanding.put(n, 0));
  }

  /** Subscribes to the observer events; completes once the consumer is registered everywhere. */
  io.vertx.core.Future<Void> listen() {
    return vertx.eventBus().<JsonObject>consumer(addresses.events(), m -> onEvent(m.body())).completion();
  }

  private synchronized void onEvent(JsonObject e) {
    String type = e.getString("type");
    if ("request".equals(type)) {
      Flight f = flight(e.getString("request"));
      if (f.buyer == null) {
        f.buyer = e.getString("buyer");
      }
    } else if ("finalized".equals(type)) {
      String hash = e.getString("request");
      Flight f = flight(hash);
      f.finals++;
      if (f.counted) {
        nodeLatencies.add(e.getLong("latencyMs", 0L).doubleValue());
      }
      if (f.finals == nodes.size()) {
        long now = System.nanoTime();
        flights.remove(hash);
        finalized++;
        String buyer = f.buyer != null ? f.buyer : e.getString("buyer");
        outstanding.computeIfPresent(buyer, (k, v) -> Math.max(0, v - 1));
        if (f.counted) {
          latencies.add((now - f.requestAt) / 1e6);
          countedFinalized++;
          lastFinalAt = now;
        }
        notifyAll();
      }
    } else if ("purchase".equals(type) && "failed".equals(e.getString("state"))) {
      error("purchase failed");
      outstanding.computeIfPresent(e.getString("node"), (k, v) -> Math.max(0, v - 1));
      notifyAll();
    }
  }

  /**
   * The purchase of a request hash. Its clock starts at the first event about it: events
   * of different nodes travel on different connections, so a node's {@code finalized} can
   * reach the observer before the buyer's {@code request}; the request was published before
   * either, so the first arrival is the closest bound the observer has.
   */
  private Flight flight(String hash) {
    return flights.computeIfAbsent(hash, h -> {
      Flight f = new Flight();
      f.requestAt = System.nanoTime();
      f.counted = counting;
      return f;
    });
  }

  /** From now on, purchases whose request is published are measured. */
  synchronized void startCounting() {
    counting = true;
    countedSubmitted = 0;
  }

  /** @return purchases submitted and not yet final on every node */
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
      long counter = counters.merge(node, 1L, Long::sum);
      c = Signed.sign(new Command(net, operator.id(), node, counter, Command.Action.BUY, contract, counter), operator);
      outstanding.merge(node, 1, Integer::sum);
      submitted++;
      if (counting) {
        countedSubmitted++;
      }
    }
    // Outside the lock: the event loop delivering observer events must never wait for us.
    vertx.eventBus().request(addresses.command(node), c.wireText(), new DeliveryOptions().setSendTimeout(ASK_MILLIS))
        .onFailure(err -> {
          synchronized (BenchDriver.this) {
            error(err.getMessage());
            outstanding.computeIfPresent(node, (k, v) -> Math.max(0, v - 1));
            BenchDriver.this.notifyAll();
          }
        });
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

  private void error(String what) {
    String key = what == null ? "unknown" : what.length() > 80 ? what.substring(0, 80) : what;
    errors.merge(key, 1L, Long::sum);
  }

  /** Waits until fewer than {@code limit} purchases are in flight, or the deadline. */
  synchronized boolean awaitBelow(long limit, long deadlineNanos) throws InterruptedException {
    while (inFlight() >= limit) {
      long left = deadlineNanos - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      wait(Math.max(1, left / 1_000_000));
    }
    return true;
  }

  synchronized long submitted() {
    return submitted;
  }

  synchronized long finalizedEverywhere() {
    return finalized;
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

  synchronized Map<String, Long> errors() {
    return new TreeMap<>(errors);
  }
}
