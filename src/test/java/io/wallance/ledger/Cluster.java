package io.wallance.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import io.wallance.protocol.Body;
import io.wallance.protocol.Codec;
import io.wallance.protocol.ProtocolException;
import io.wallance.protocol.Signed;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * A tiny in-test network: replicas by id, a FIFO queue of messages, broadcast to every other
 * replica present and unicast to the named one. Every message travels as wire bytes and is
 * decoded again, so what a replica emits must be valid on the wire.
 */
final class Cluster {
  /** One message on its way. */
  record Envelope(String from, String to, Signed<? extends Body> message) {}

  static final int BOUND = 200_000;

  final LinkedHashMap<String, Replica> nodes = new LinkedHashMap<>();
  final Map<String, List<LedgerEvent>> events = new HashMap<>();
  final ArrayDeque<Envelope> queue = new ArrayDeque<>();
  final List<Envelope> dropped = new ArrayList<>();
  final List<Envelope> delivered = new ArrayList<>();
  /** Messages matching this are dropped instead of delivered. */
  Predicate<Envelope> drop = e -> false;
  long now = 1_000;

  Cluster(Replica... replicas) {
    for (Replica r : replicas) {
      add(r);
    }
  }

  Replica add(Replica r) {
    nodes.put(r.id(), r);
    events.computeIfAbsent(r.id(), k -> new ArrayList<>());
    return r;
  }

  /** Replaces the replica with the same id (a restart); the queue is kept. */
  void replace(Replica r) {
    nodes.put(r.id(), r);
  }

  Replica get(String id) {
    return nodes.get(id);
  }

  /** Per replica id, the journal its drains are persisted to after every call (replicas with an archive). */
  final Map<String, List<LedgerChange>> journals = new HashMap<>();
  /** Whether a persisted drain is reported durable to its replica (a runtime whose writes lag reports it late). */
  boolean reportDurable = true;

  /** Records {@code from}'s events and queues its messages (after persisting its changes, if journaled). */
  Effects post(String from, Effects fx) {
    List<LedgerChange> journal = journals.get(from);
    if (journal != null) {
      List<LedgerChange> batch = nodes.get(from).drainChanges();
      journal.addAll(batch);
      if (reportDurable) {
        nodes.get(from).durable(batch);
      }
    }
    events.computeIfAbsent(from, k -> new ArrayList<>()).addAll(fx.events());
    for (Effects.Outgoing o : fx.messages()) {
      if (o.to() == null) {
        for (String id : nodes.keySet()) {
          if (!id.equals(from)) {
            queue.add(new Envelope(from, id, o.message()));
          }
        }
      } else {
        queue.add(new Envelope(from, o.to(), o.message()));
      }
    }
    return fx;
  }

  /** Queues {@code m} from {@code from} to every other replica (a message crafted by the test). */
  void broadcast(String from, Signed<? extends Body> m) {
    for (String id : nodes.keySet()) {
      if (!id.equals(from)) {
        queue.add(new Envelope(from, id, m));
      }
    }
  }

  /** Delivers one message through the wire codec; returns the receiver's effects (null when dropped). */
  Effects deliver(Envelope e) {
    Replica to = nodes.get(e.to());
    if (to == null || drop.test(e)) {
      dropped.add(e);
      return null;
    }
    Signed<? extends Body> decoded;
    try {
      decoded = Codec.decode(e.message().wire());
    } catch (ProtocolException ex) {
      throw new AssertionError("a replica emitted an undecodable " + e.message() + ": " + ex.getMessage(), ex);
    }
    assertThat(decoded).isEqualTo(e.message());
    delivered.add(e);
    return post(e.to(), to.receive(decoded, now));
  }

  /** Delivers until the queue is empty; returns the number of deliveries. */
  int run() {
    int n = 0;
    while (!queue.isEmpty()) {
      if (++n > BOUND) {
        throw new AssertionError("messages keep flowing after " + BOUND + " deliveries");
      }
      deliver(queue.poll());
    }
    return n;
  }

  /** Advances time, ticks every replica, and delivers everything. */
  void tickAll(long advance) {
    now += advance;
    for (Map.Entry<String, Replica> e : new ArrayList<>(nodes.entrySet())) {
      post(e.getKey(), e.getValue().tick(now));
    }
    run();
  }

  Effects share(String id, int times) {
    Effects last = null;
    for (int i = 0; i < times; i++) {
      last = post(id, nodes.get(id).share("virtual", 20_000 + i, now));
    }
    return last;
  }

  Replica.Purchase buy(String id, String contract) {
    Replica.Purchase p = nodes.get(id).buy(contract, now);
    post(id, p.effects());
    return p;
  }

  /** Events of one replica of the given type. */
  <E extends LedgerEvent> List<E> events(String id, Class<E> type) {
    return events.getOrDefault(id, List.of()).stream().filter(type::isInstance).map(type::cast).toList();
  }

  void clearEvents() {
    events.values().forEach(List::clear);
  }

  List<String> digests() {
    return nodes.values().stream().map(Replica::digest).toList();
  }
}
