package io.wallance.cli;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.wallance.cluster.Addresses;
import io.wallance.cluster.EventFrames;
import io.wallance.cluster.SubscriptionGuard;
import io.wallance.protocol.Command;
import io.wallance.protocol.Crypto;
import io.wallance.protocol.Signed;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * The shared workload driver of {@code bench} and {@code chaos}, in an observer process (a
 * Hazelcast lite member): it signs {@code buy} commands as the registry's operator and sends
 * them to the nodes, and follows every purchase through the observer events by request hash
 * (first seen, buyer, which nodes reported it final, when it was final on every node). It
 * counts finality per node and everywhere, keeps the errors by kind, and lets a caller wait
 * until fewer than a given number of purchases are in flight. What "in flight" means, which
 * node to buy from and what to measure are the subclass's ({@link BenchDriver},
 * {@link ChaosWorkload}). All state is guarded by {@code this}; the hooks run under it.
 */
abstract class PurchaseDriver {
  /** How long a node may take to answer a {@code buy} command. */
  static final long ASK_MILLIS = 10_000;

  /** One purchase, by request hash, as the observer saw it. */
  static final class Purchase {
    /** When the observer first heard of it ({@link System#nanoTime()}). */
    final long firstNanos;
    /** Nodes that reported it final. */
    final Set<String> finals = new HashSet<>();
    String buyer;
    /** When it was final on every node, or 0. */
    long everywhereNanos;
    /** Whether the subclass measures this purchase (set when it is first seen). */
    boolean measured;

    Purchase(long firstNanos) {
      this.firstNanos = firstNanos;
    }
  }

  private final Vertx vertx;
  private final Addresses addresses;
  private final Crypto.KeyPair operator;
  private final String net;
  /** The nodes bought from, in order. */
  final List<String> nodes;
  private final String contract;
  private final Map<String, Long> counters = new HashMap<>();
  private final Map<String, Purchase> purchases = new HashMap<>();
  private final Map<String, Long> finalsByNode = new LinkedHashMap<>();
  private final Map<String, Long> errors = new TreeMap<>();
  private long finalizedEverywhere;
  private SubscriptionGuard guard;

  PurchaseDriver(Vertx vertx, Addresses addresses, Crypto.KeyPair operator, String net, List<String> nodes,
      String contract) {
    this.vertx = vertx;
    this.addresses = addresses;
    this.operator = operator;
    this.net = net;
    this.nodes = List.copyOf(nodes);
    this.contract = contract;
    nodes.forEach(n -> finalsByNode.put(n, 0L));
  }

  /**
   * Subscribes to the observer events; completes once the consumer is registered. The
   * subscription is guarded like a node's ({@link SubscriptionGuard}): after a partition heals,
   * a member that handled the observer's old departure late can wipe the subscription the
   * observer republished, and the nodes would then publish their events to nobody.
   */
  final Future<Void> listen() {
    if (guard != null) {
      throw new IllegalStateException("already listening");
    }
    guard = new SubscriptionGuard(vertx, "observer");
    MessageConsumer<?> consumer = guard.register(addresses.events(),
        () -> vertx.eventBus().consumer(addresses.events(), m -> EventFrames.each(m.body(), this::onEvent)));
    guard.start();
    return consumer.completion();
  }

  /** @return how many times the events subscription was registered again (0 before {@link #listen()}) */
  final long subscriptionsRestored() {
    return guard == null ? 0 : guard.restored();
  }

  private synchronized void onEvent(JsonObject e) {
    String type = e.getString("type");
    String node = e.getString("node");
    long now = System.nanoTime();
    switch (type == null ? "" : type) {
      case "request" -> {
        Purchase p = purchase(e.getString("request"), now);
        if (p.buyer == null) {
          p.buyer = e.getString("buyer");
        }
      }
      case "finalized" -> {
        String hash = e.getString("request");
        Purchase p = purchase(hash, now);
        p.buyer = e.getString("buyer");
        boolean first = node != null && p.finals.add(node);
        if (first) {
          finalsByNode.merge(node, 1L, Long::sum);
        }
        onFinalized(e, node, hash, p, first);
        if (first && p.finals.size() == nodes.size()) {
          p.everywhereNanos = now;
          finalizedEverywhere++;
          if (onEverywhere(hash, p, now)) {
            purchases.remove(hash);
          }
        }
      }
      default -> onOtherEvent(type == null ? "" : type, e, node, now);
    }
    notifyAll();
  }

  /**
   * The purchase of a request hash, created at the first event about it: events of different
   * nodes travel on different connections, so a node's {@code finalized} can reach the
   * observer before the buyer's {@code request}; the request was published before either, so
   * the first arrival is the closest bound the observer has.
   */
  final Purchase purchase(String hash, long now) {
    return purchases.computeIfAbsent(hash, h -> {
      Purchase p = new Purchase(now);
      p.measured = measureNew();
      return p;
    });
  }

  /** Whether a purchase first seen now is measured. */
  boolean measureNew() {
    return false;
  }

  /** A {@code finalized} event of {@code node}; {@code first} when that node had not reported it before. */
  void onFinalized(JsonObject e, String node, String hash, Purchase p, boolean first) {}

  /** The purchase is final on every node; return true to forget it. */
  boolean onEverywhere(String hash, Purchase p, long now) {
    return false;
  }

  /** Any other observer event ({@code vote}, {@code purchase}, {@code node}, ...). */
  void onOtherEvent(String type, JsonObject e, String node, long now) {}

  /** Signs the next {@code buy} for {@code node} (call under the lock). */
  final Signed<Command> nextBuy(String node) {
    long counter = counters.merge(node, 1L, Long::sum);
    return Signed.sign(new Command(net, operator.id(), node, counter, Command.Action.BUY, contract, counter), operator);
  }

  /**
   * Sends a signed {@code buy} to {@code node}. Call outside the lock: the event loop
   * delivering observer events must never wait for the caller. The callbacks run under it.
   */
  final void send(String node, Signed<Command> buy, Runnable accepted, Consumer<Throwable> refused) {
    vertx.eventBus().request(addresses.command(node), buy.wireText(), new DeliveryOptions().setSendTimeout(ASK_MILLIS))
        .onSuccess(reply -> {
          synchronized (PurchaseDriver.this) {
            accepted.run();
            PurchaseDriver.this.notifyAll();
          }
        })
        .onFailure(err -> {
          synchronized (PurchaseDriver.this) {
            error(err.getMessage());
            refused.accept(err);
            PurchaseDriver.this.notifyAll();
          }
        });
  }

  /** Counts an error by kind (reply addresses and ids elided, at most 80 characters). */
  final void error(String what) {
    String text = what == null ? "unknown" : what.replaceAll("__vertx\\.reply\\.[0-9a-f-]+", "(reply)")
        .replaceAll("[0-9a-f]{64}", "<id>");
    errors.merge(text.length() > 80 ? text.substring(0, 80) : text, 1L, Long::sum);
  }

  /** Purchases in flight, as the subclass defines them. */
  abstract long inFlight();

  /** Waits until fewer than {@code limit} purchases are in flight, or the deadline. */
  final synchronized boolean awaitBelow(long limit, long deadlineNanos) throws InterruptedException {
    while (inFlight() >= limit) {
      long left = deadlineNanos - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      wait(Math.max(1, left / 1_000_000));
    }
    return true;
  }

  /** The purchases still remembered (for the subclass's queries; call under the lock). */
  final Iterable<Purchase> purchases() {
    return purchases.values();
  }

  /** @return purchases final on every node */
  final synchronized long finalizedEverywhere() {
    return finalizedEverywhere;
  }

  /** @return how many purchases each node reported final, as this observer saw them */
  final synchronized Map<String, Long> finalsByNode() {
    return new LinkedHashMap<>(finalsByNode);
  }

  /** @return errors by kind */
  final synchronized Map<String, Long> errors() {
    return new TreeMap<>(errors);
  }
}
