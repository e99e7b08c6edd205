package io.wallance.node;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.wallance.store.PurchaseRecord;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The operator's purchases of one node, in the order the commands arrived (FIFO). A wallet
 * state allows one request, so at most one purchase is {@code published} at a time; the
 * next one waits until that one is final. A waiting purchase the node cannot afford yet
 * stays {@code waiting} with the units it misses; it can be cancelled until its request is
 * published, never after (the signed request is out).
 *
 * <p>Plain and single-threaded: {@link NodeVerticle} owns it and asks the replica whether
 * the head of the queue can go out. Durable: every change marks the purchase dirty;
 * {@link #drainDirty()} hands the changed purchases to the store in the same transaction as the
 * ledger changes of the same call, and {@link #restore} rebuilds the queue at start, so a
 * restart neither loses nor repeats one (ids, states and request hashes survive; the units a
 * waiting purchase misses are recomputed).
 */
public final class PurchaseQueue {

  /** How many finished purchases stay visible in the node view. */
  static final int KEEP_DONE = 32;

  /** Where a purchase is. */
  public enum State {
    /** Queued, not affordable yet or behind another purchase. */
    WAITING,
    /** Its request is signed and out; it can no longer be cancelled. */
    PUBLISHED,
    /** Cancelled by the operator before its request went out. */
    CANCELLED,
    /** Its request is final on this node. */
    FINAL,
    /** It cannot be carried out (the contract left the catalogue). */
    FAILED;

    /** The name used in JSON. */
    public String json() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** One purchase; mutable, owned by the queue. */
  public static final class Purchase {
    private final long id;
    private final long position;
    private final String contract;
    private final long price;
    private State state = State.WAITING;
    private String request;
    private long missingUnits;

    Purchase(long id, long position, String contract, long price) {
      this.id = id;
      this.position = position;
      this.contract = contract;
      this.price = price;
    }

    /** @return the operator-side purchase id */
    public long id() {
      return id;
    }

    /** @return the contract bought */
    public String contract() {
      return contract;
    }

    /** @return its state */
    public State state() {
      return state;
    }

    /** @return the request hash once published, else null */
    public String request() {
      return request;
    }

    /** @return units still missing while waiting for funds (0 otherwise) */
    public long missingUnits() {
      return missingUnits;
    }

    /** @return the JSON of the node view and of {@code purchase} events (without type/node/name) */
    public JsonObject toJson() {
      return new JsonObject().put("purchase", id).put("contract", contract).put("state", state.json())
          .put("request", request).put("missingUnits", missingUnits).put("price", price);
    }
  }

  private final Map<Long, Purchase> active = new LinkedHashMap<>();
  private final Deque<Purchase> done = new ArrayDeque<>();
  private final Map<Long, Purchase> dirty = new LinkedHashMap<>();
  private long lastPosition;

  /**
   * Rebuilds the queue from stored records (in queue order), as {@link #drainDirty()} wrote them.
   *
   * @param records the stored purchases, in queue order
   */
  public void restore(List<PurchaseRecord> records) {
    for (PurchaseRecord r : records) {
      Purchase p = new Purchase(r.id(), r.position(), r.contract(), r.price());
      p.state = State.valueOf(r.state().toUpperCase(Locale.ROOT));
      p.request = r.request();
      lastPosition = Math.max(lastPosition, r.position());
      if (p.state == State.WAITING || p.state == State.PUBLISHED) {
        active.put(p.id, p);
      } else {
        done.addFirst(p);
        while (done.size() > KEEP_DONE) {
          done.removeLast();
        }
      }
    }
  }

  /** @return the purchases changed since the last call, as records to store, and forgets them */
  public List<PurchaseRecord> drainDirty() {
    if (dirty.isEmpty()) {
      return List.of();
    }
    List<PurchaseRecord> out = new ArrayList<>();
    for (Purchase p : dirty.values()) {
      out.add(new PurchaseRecord(p.id, p.position, p.contract, p.price, p.state.json(), p.request));
    }
    dirty.clear();
    return out;
  }

  /**
   * Queues a purchase.
   *
   * @param id the operator's purchase id
   * @param contract the contract
   * @param price its price in DCoin
   * @return the new purchase, waiting
   * @throws IllegalStateException when a purchase with this id is already known
   */
  public Purchase add(long id, String contract, long price) {
    if (find(id) != null) {
      throw new IllegalStateException("purchase " + id + " already exists");
    }
    Purchase p = new Purchase(id, ++lastPosition, contract, price);
    active.put(id, p);
    dirty.put(id, p);
    return p;
  }

  /** @return the purchase with this id, active or recently done, or null */
  public Purchase find(long id) {
    Purchase p = active.get(id);
    if (p != null) {
      return p;
    }
    for (Purchase d : done) {
      if (d.id == id) {
        return d;
      }
    }
    return null;
  }

  /** @return the purchase whose request is out, or null */
  public Purchase inFlight() {
    for (Purchase p : active.values()) {
      if (p.state == State.PUBLISHED) {
        return p;
      }
    }
    return null;
  }

  /** @return the first waiting purchase when none is in flight, else null */
  public Purchase next() {
    if (inFlight() != null) {
      return null;
    }
    for (Purchase p : active.values()) {
      if (p.state == State.WAITING) {
        return p;
      }
    }
    return null;
  }

  /** @return whether any purchase is waiting or in flight */
  public boolean isEmpty() {
    return active.isEmpty();
  }

  /**
   * Records how much the waiting purchase misses.
   *
   * @return true when the value changed (worth an event)
   */
  public boolean missing(Purchase p, long units) {
    if (p.missingUnits == units) {
      return false;
    }
    p.missingUnits = units;
    return true;
  }

  /** Marks a purchase published with its request hash. */
  public void published(Purchase p, String requestHash) {
    p.state = State.PUBLISHED;
    p.request = requestHash;
    p.missingUnits = 0;
    dirty.put(p.id, p);
  }

  /** Marks a purchase failed (it cannot go out). */
  public void failed(Purchase p) {
    finish(p, State.FAILED);
  }

  /**
   * Cancels a waiting purchase.
   *
   * @return the cancelled purchase
   * @throws IllegalStateException when it is no longer waiting (its request is out, or it is done)
   */
  public Purchase cancel(Purchase p) {
    if (p.state != State.WAITING) {
      throw new IllegalStateException("purchase " + p.id + " is " + p.state.json()
          + (p.request == null ? "" : " (request " + p.request + ")") + "; only a waiting purchase can be cancelled");
    }
    finish(p, State.CANCELLED);
    return p;
  }

  /**
   * Marks the purchase with this request final.
   *
   * @param requestHash a request of this node that became final
   * @return the purchase, or null when no queued purchase published it
   */
  public Purchase finalized(String requestHash) {
    for (Purchase p : active.values()) {
      if (requestHash.equals(p.request)) {
        finish(p, State.FINAL);
        return p;
      }
    }
    return null;
  }

  private void finish(Purchase p, State state) {
    p.state = state;
    p.missingUnits = 0;
    dirty.put(p.id, p);
    active.remove(p.id);
    done.addFirst(p);
    while (done.size() > KEEP_DONE) {
      done.removeLast();
    }
  }

  /** @return active purchases in queue order, then recently finished ones, newest first */
  public JsonArray toJson() {
    List<Purchase> all = new ArrayList<>(active.values());
    all.addAll(done);
    JsonArray out = new JsonArray();
    all.forEach(p -> out.add(p.toJson()));
    return out;
  }
}
