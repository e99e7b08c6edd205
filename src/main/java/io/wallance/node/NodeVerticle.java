package io.wallance.node;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.wallance.cluster.Addresses;
import io.wallance.cluster.SubscriptionGuard;
import io.wallance.ledger.Effects;
import io.wallance.ledger.LedgerChange;
import io.wallance.ledger.LedgerEvent;
import io.wallance.ledger.LedgerState;
import io.wallance.ledger.MemoryCaps;
import io.wallance.ledger.Replica;
import io.wallance.ledger.ReplicaOptions;
import io.wallance.ledger.Rules;
import io.wallance.ledger.SignatureCheck;
import io.wallance.protocol.Body;
import io.wallance.protocol.Canon;
import io.wallance.protocol.Codec;
import io.wallance.protocol.Command;
import io.wallance.protocol.Crypto;
import io.wallance.protocol.Frames;
import io.wallance.protocol.ProtocolException;
import io.wallance.protocol.Reason;
import io.wallance.protocol.Registry;
import io.wallance.protocol.Share;
import io.wallance.protocol.Signed;
import io.wallance.protocol.Status;
import io.wallance.store.ContractRunLog;
import io.wallance.store.LedgerStore;
import io.wallance.store.PurchaseRecord;
import io.wallance.store.StoreArchive;
import io.wallance.store.StoreException;
import io.wallance.util.BoundedMap;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node: owns the member's key and its {@link Replica}, and moves messages between the
 * event bus and the replica. Everything runs on this verticle's event loop, so the replica
 * (not thread-safe) needs no locks; every handler is cheap (decoding, one cached Ed25519
 * verification, light proof-of-work) and never blocks.
 *
 * <ul>
 *   <li>{@code gossip} and {@code to.<me>}: wire text of signed messages. Decoded with
 *       {@link Codec} (bad payloads are counted per typed reason and dropped, never thrown),
 *       rate-limited per <em>claimed</em> author before the signature is verified
 *       ({@link TokenBuckets}), then handed to {@link Replica#receive}. The replica's
 *       {@link Effects} go out as publishes: broadcasts on {@code gossip}, messages for one
 *       member on its {@code to.<id>}.</li>
 *   <li>{@code command.<me>}: signed operator commands. The replica checks operator key,
 *       target node and durable counter; an accepted {@code buy} joins the
 *       {@link PurchaseQueue}, a {@code cancel} cancels a waiting purchase.</li>
 *   <li>{@code query.<me>}: replies with the {@link NodeView}.</li>
 *   <li>local addresses: the sensor's share requests, the contract verticle's catalogue
 *       report; finalized own purchases go to the contract verticle.</li>
 * </ul>
 * A periodic timer drives {@link Replica#tick} with the monotonic clock passed in (the core
 * never reads a clock).
 *
 * <p>Durable before published ({@code docs/PROTOCOL.md} 9.6): after every call into the
 * replica the node drains the replica's changes and the purchase queue's changed records and
 * hands them to the {@link Journal}, which commits them on a worker; the call's messages,
 * observer events and replies go out only once that commit is done, in call order. At start
 * the ledger is rebuilt from the store ({@link LedgerStore#loadState()} →
 * {@link Replica#restart}), or created from the genesis when the store is empty. If a write
 * fails the node stops acting and publishing, says so in one log line and in its view
 * ({@code healthy: false}, no ledger data), and keeps answering queries; it does not exit (no
 * crash loop); the journal retries the write and the node resumes once it commits.
 */
public final class NodeVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(NodeVerticle.class);

  /** How often the replica's timers run. */
  static final long TICK_MILLIS = 100;
  /** How often the {@code node} summary event is published. */
  static final long SUMMARY_MILLIS = 2000;
  /** Readings kept for the node view. */
  static final int READINGS = 120;
  /** Rejected events published at most this many at once, refilled per second (all are counted). */
  private static final int REJECTED_EVENTS_PER_SECOND = 20;
  private static final String UNKNOWN_SENDER = "unknown";
  private static final String RATE_LIMITED = "RATE_LIMITED";
  private static final Pattern SENSOR_KIND = Pattern.compile("[A-Za-z0-9_.-]{1,32}");

  /** How often a node re-publishes the registry updates of its config (until every peer has them). */
  static final long REGISTRY_REPUBLISH_MILLIS = 10_000;

  private final Crypto.KeyPair key;
  private final Signed<Registry> genesis;
  private final List<Signed<Registry>> updates;
  private final NodeConfig.RateLimit rateLimit;
  private final LongSupplier clock;
  private final LedgerStore store;
  /** The replica's read-only view of the store for evicted items (open while the node runs). */
  private StoreArchive archive;
  private final CrashPoint crashAt;
  private final Rules rules;
  private final String me;
  private final Addresses addresses;
  private final SyncWatch sync;

  private Journal journal;
  private String storeError;
  private JsonArray interruptedRuns = new JsonArray();

  private Replica replica;
  private SignatureCheck signatures;
  private long received;
  private String name;
  private EventBus bus;
  private Outbox outbox;
  private SubscriptionGuard subscriptions;
  private ObserverEvents events;
  private TokenBuckets limiter;
  private final TokenBuckets eventLimiter = new TokenBuckets(REJECTED_EVENTS_PER_SECOND, REJECTED_EVENTS_PER_SECOND);
  private final PurchaseQueue purchases = new PurchaseQueue();
  private final Map<String, Long> runtimeRejections = new TreeMap<>();
  /** When each pending request was first seen, for the finality latency (eldest dropped past the cap). */
  private final BoundedMap<String, Long> firstSeen = BoundedMap.insertionOrder(FIRST_SEEN);
  private final Deque<JsonObject> readings = new ArrayDeque<>();
  private Set<String> knownSenders = Set.of();
  private JsonObject catalogue;
  private boolean advancing;

  /**
   * @param key the member's key
   * @param genesis the signed genesis registry
   * @param updates signed registries of later epochs from the config (adopted at start, re-published);
   *     the key must be a member of the genesis or of one of them
   * @param rateLimit the per-sender limit before signature verification
   * @param clock monotonic milliseconds (e.g. {@link #monotonicClock()})
   * @param store the node's open ledger store; closed when the verticle stops
   * @param crashAt test only: the crash point, or null
   */
  public NodeVerticle(Crypto.KeyPair key, Signed<Registry> genesis, List<Signed<Registry>> updates,
      NodeConfig.RateLimit rateLimit, LongSupplier clock, LedgerStore store, CrashPoint crashAt) {
    this(key, genesis, updates, rateLimit, clock, store, crashAt, Rules.none());
  }

  /**
   * As the constructor above, with the replica's rules.
   *
   * @param rules {@link Rules#none()}, or test only: deliberately broken rules ({@link BrokenRules})
   */
  public NodeVerticle(Crypto.KeyPair key, Signed<Registry> genesis, List<Signed<Registry>> updates,
      NodeConfig.RateLimit rateLimit, LongSupplier clock, LedgerStore store, CrashPoint crashAt, Rules rules) {
    this.rules = Objects.requireNonNull(rules, "rules");
    this.key = Objects.requireNonNull(key, "key");
    this.genesis = Objects.requireNonNull(genesis, "genesis");
    this.updates = updates.stream().sorted(Comparator.comparingLong(r -> r.body().epoch())).toList();
    this.rateLimit = Objects.requireNonNull(rateLimit, "rateLimit");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.store = Objects.requireNonNull(store, "store");
    this.crashAt = crashAt;
    this.me = key.id();
    this.addresses = new Addresses(genesis.body().net());
    this.sync = new SyncWatch(me);
  }

  /** @return milliseconds from {@link System#nanoTime()}: monotonic, unrelated to wall time */
  public static LongSupplier monotonicClock() {
    long origin = System.nanoTime();
    return () -> (System.nanoTime() - origin) / 1_000_000;
  }

  @Override
  public Future<?> start() {
    journal = new Journal(context, store, crashAt, this::storeFailed, this::storeRecovered);
    return vertx.executeBlocking(() -> {
          StoreArchive view = store.archive();
          try {
            return new Stored(store.loadState(MemoryCaps.DEFAULT, view), store.loadPurchases(),
                store.runs().interrupted(), view);
          } catch (StoreException | RuntimeException e) {
            view.close();
            throw e;
          }
        })
        .compose(this::resume);
  }

  /**
   * Signature results remembered (re-sent votes and requests are not verified again): about
   * 270 bytes each, so 0.55 MB of live heap, half a minute of a 4-node fleet's messages under
   * bench load and far more at a Pi fleet's pace. 8192 held 2.2 MB (BENCHMARKS.md, Pi profile).
   */
  private static final int SIGNATURE_CACHE = 2048;
  /** Most pending requests whose first-seen time is kept (an older one's latency reads 0). */
  static final int FIRST_SEEN = 4096;

  /** What the store holds at start (read on a worker). */
  private record Stored(Optional<LedgerState> state, List<PurchaseRecord> purchases,
      List<ContractRunLog.Run> interrupted, StoreArchive archive) {}

  private Future<?> resume(Stored stored) {
    long now = now();
    try {
      signatures = new SignatureCheck(SIGNATURE_CACHE, threadCpuNanos());
      archive = stored.archive();
      if (stored.state().isPresent()) {
        replica = Replica.restart(key, stored.state().get(), rules, signatures, ReplicaOptions.defaults(),
            archive);
        Signed<Registry> held = replica.signedRegistry(1);
        if (held == null || !held.hash().equals(genesis.hash())) {
          return Future.failedFuture("the ledger in " + store.options().file() + " belongs to another genesis"
              + " registry (network " + (held == null ? "?" : held.body().net()) + "); use another data directory");
        }
      } else {
        replica = Replica.create(key, genesis, rules, signatures, ReplicaOptions.defaults(), MemoryCaps.DEFAULT,
            archive);
      }
    } catch (ProtocolException e) {
      return Future.failedFuture("the genesis registry is refused: " + e.getMessage());
    }
    List<Runnable> publish = new ArrayList<>();
    for (Signed<Registry> update : updates) {
      Effects fx = replica.receive(update, now);
      for (LedgerEvent e : fx.events()) {
        if (e instanceof LedgerEvent.Rejected r) {
          return Future.failedFuture("registry update of epoch " + update.body().epoch() + " is refused: "
              + r.reason() + " " + r.detail());
        }
      }
      collect(fx, now, publish);
    }
    Registry.Party self = null;
    for (long epoch = replica.registry().epoch(); epoch >= 1 && self == null; epoch--) {
      self = replica.signedRegistry(epoch).body().member(me);
    }
    if (self == null) {
      return Future.failedFuture("this node's key " + me + " is not a member of the registry of network "
          + genesis.body().net() + " nor of its updates");
    }
    name = self.name();
    purchases.restore(stored.purchases());
    for (ContractRunLog.Run run : stored.interrupted()) {
      interruptedRuns.add(new JsonObject().put("purchase", run.purchase()).put("request", run.request())
          .put("contract", run.contract()).put("started", run.started()));
    }
    bus = vertx.eventBus();
    outbox = new Outbox(context, bus, addresses.events());
    events = new ObserverEvents(outbox::event, me, name);
    limiter = new TokenBuckets(rateLimit.burst(), rateLimit.perSecond());
    refreshKnownSenders();
    subscriptions = new SubscriptionGuard(vertx, "node " + name);
    List<MessageConsumer<?>> consumers = List.of(
        subscriptions.register(addresses.gossip(),
            () -> bus.<Object>consumer(addresses.gossip(), m -> guard(() -> onProtocol(m, true)))),
        subscriptions.register(addresses.to(me),
            () -> bus.<Object>consumer(addresses.to(me), m -> guard(() -> onProtocol(m, false)))),
        subscriptions.register(addresses.command(me),
            () -> bus.<Object>consumer(addresses.command(me), m -> guard(m, () -> onCommand(m)))),
        subscriptions.register(addresses.query(me),
            () -> bus.<Object>consumer(addresses.query(me), m -> guard(m, () -> onQuery(m)))),
        bus.<Object>localConsumer(addresses.localShare(me), m -> guard(() -> onShareRequest(m))),
        bus.<Object>localConsumer(addresses.localCatalogue(me), m -> guard(() -> onCatalogue(m))));
    vertx.setPeriodic(TICK_MILLIS, id -> guard(() -> {
      if (healthy()) {
        apply(replica.tick(now()), now());
      }
    }));
    vertx.setPeriodic(SUMMARY_MILLIS, id -> guard(this::publishSummary));
    if (!updates.isEmpty()) {
      vertx.setPeriodic(REGISTRY_REPUBLISH_MILLIS, id -> guard(this::republishRegistries));
    }
    boolean restored = stored.state().isPresent();
    return Future.all(consumers.stream().map(MessageConsumer::completion).toList())
        .onSuccess(x -> {
          subscriptions.start();
          LOG.info("node {} ({}) listening on network {}, epoch {}, {} ledger in {}", name, me, addresses.net(),
              replica.registry().epoch(), restored ? "restored" : "new", store.options().dataDir());
          for (ContractRunLog.Run run : stored.interrupted()) {
            LOG.warn("contract run of purchase {} ({}, request {}) was interrupted by a crash; it is not run again"
                + " by itself", run.purchase(), run.contract(), run.request());
            events.publish("contract", new JsonObject().put("purchase", run.purchase()).put("request", run.request())
                .put("contract", run.contract()).put("status", "interrupted").putNull("exitCode").put("durationMs", 0)
                .put("output", "the node stopped during the run; not run again by itself"));
          }
          republishRegistries();
          submit(publish, null);
        });
  }

  @Override
  public Future<?> stop() {
    if (subscriptions != null) {
      subscriptions.stop();
    }
    if (journal != null) {
      journal.close();
    }
    // Ordered after every write the journal started: the close sees the last commit.
    return vertx.executeBlocking(() -> {
      if (archive != null) {
        archive.close();
      }
      store.close();
      return null;
    }, true);
  }

  private boolean healthy() {
    return storeError == null;
  }

  private void storeFailed(StoreException e) {
    storeError = e.getMessage(); // "DISK_FULL: storing 5 ledger changes: [SQLITE_FULL] ..."
    LOG.error("node {} STOPPED: its ledger store failed ({}); nothing more is published or acted on. Free space"
        + " or fix {}: the node retries the write every {} ms and resumes by itself (or restart it).", name,
        storeError, store.options().dataDir(), Journal.RETRY_MILLIS);
    events.publish("node", new JsonObject().put("healthy", false).put("storeError", storeError));
  }

  /** The retried write committed: the node acts and publishes again, and catches up on what it missed. */
  private void storeRecovered() {
    LOG.warn("node {} RESUMED: its ledger store accepts writes again ({} was: {}); catching up from peers", name,
        store.options().dataDir(), storeError);
    storeError = null;
  }

  /** Signed registries from the config go to every peer: nodes that missed an epoch adopt it. */
  private void republishRegistries() {
    if (healthy()) {
      updates.forEach(r -> outbox.message(addresses.gossip(), r.wireText()));
    }
  }

  /** A handler must survive every input: a bug is logged and counted, never kills the verticle. */
  private void guard(Runnable handler) {
    try {
      handler.run();
    } catch (RuntimeException e) {
      runtimeRejections.merge("INTERNAL_ERROR", 1L, Long::sum);
      LOG.error("node handler failed", e);
    }
  }

  /** As {@link #guard(Runnable)}, and the requester gets a failure instead of a timeout. */
  private void guard(Message<Object> request, Runnable handler) {
    try {
      handler.run();
    } catch (RuntimeException e) {
      runtimeRejections.merge("INTERNAL_ERROR", 1L, Long::sum);
      LOG.error("node request handler failed", e);
      request.fail(500, "INTERNAL_ERROR: " + e);
    }
  }

  private long now() {
    return clock.getAsLong();
  }

  // ------------------------------------------------------------------ protocol messages

  /** One frame: one or more signed messages back to back ({@link Frames}), each handled on its own. */
  private void onProtocol(Message<Object> m, boolean gossip) {
    if (!healthy()) {
      return;
    }
    long now = now();
    List<byte[]> parts;
    try {
      parts = Frames.split(bytes(m.body(), Frames.MAX_BYTES, "frame"));
    } catch (ProtocolException e) {
      received++;
      rejectedByRuntime(e.reason().name(), null, null, e.getMessage(), now);
      return;
    }
    for (byte[] part : parts) {
      if (!healthy()) {
        return; // a write failed while handling an earlier part: the rest is dropped, as later frames are
      }
      received++;
      onProtocolMessage(part, gossip, now);
    }
  }

  private void onProtocolMessage(byte[] wire, boolean gossip, long now) {
    Signed<? extends Body> s;
    try {
      s = Codec.decode(wire);
    } catch (ProtocolException e) {
      rejectedByRuntime(e.reason().name(), null, null, e.getMessage(), now);
      return;
    }
    String author = s.body().author();
    if (s.body() instanceof Command) {
      rejectedByRuntime(Reason.UNKNOWN_TYPE.name(), "command", author,
          "commands go to " + addresses.command(me) + " only", now);
      return;
    }
    if (gossip && author.equals(me)) {
      return; // our own broadcast, already held (or a forgery in our name: nothing to learn from it)
    }
    if (!limiter.tryAcquire(knownSenders.contains(author) ? author : UNKNOWN_SENDER, now)) {
      rejectedByRuntime(RATE_LIMITED, s.body().type().wire(), author, "rate limit of the claimed sender", now);
      return;
    }
    Effects fx = replica.receive(s, now);
    if (s.body() instanceof Status status && fx.events().stream().noneMatch(e -> e instanceof LedgerEvent.Rejected)) {
      sync.onStatus(status, now);
    }
    apply(fx, now);
  }

  /** Decodes a body that must be the wire text (String, or a Buffer) of one signed message. */
  private static Signed<? extends Body> decode(Object body) throws ProtocolException {
    return Codec.decode(bytes(body, Codec.MAX_BYTES, "message"));
  }

  /** The bytes of a body that must be wire text (a String, or a Buffer) of at most {@code max} bytes. */
  private static byte[] bytes(Object body, int max, String what) throws ProtocolException {
    if (body instanceof String text) {
      if (text.length() > max) {
        throw new ProtocolException(Reason.TOO_LARGE, what + " of " + text.length() + " characters");
      }
      return text.getBytes(StandardCharsets.UTF_8);
    } else if (body instanceof Buffer buffer) {
      if (buffer.length() > max) {
        throw new ProtocolException(Reason.TOO_LARGE, what + " of " + buffer.length() + " bytes");
      }
      return buffer.getBytes();
    }
    throw new ProtocolException(Reason.MALFORMED, "body must be the wire text of signed messages, got "
        + (body == null ? "nothing" : body.getClass().getSimpleName()));
  }

  /**
   * Handles one call's effects: bookkeeping now (purchase queue, first sight), then, once the
   * call's changes are durable, the replica's messages and the observer events.
   */
  private void apply(Effects fx, long now) {
    apply(fx, now, null);
  }

  private void apply(Effects fx, long now, Runnable after) {
    List<Runnable> publish = new ArrayList<>();
    collect(fx, now, publish);
    advancePurchases(now, publish);
    submit(publish, after);
  }

  /** Drains the replica's and the queue's changes; {@code publish}, then {@code after}, run once they are durable. */
  private void submit(List<Runnable> publish, Runnable after) {
    List<LedgerChange> changes = replica.drainChanges();
    journal.submit(changes, purchases.drainDirty(), () -> {
      replica.durable(changes);
      publish.forEach(Runnable::run);
      if (after != null) {
        after.run();
      }
    });
  }

  /** Bookkeeping for {@code fx} now; what it publishes goes to {@code publish}. */
  private void collect(Effects fx, long now, List<Runnable> publish) {
    for (Effects.Outgoing out : fx.messages()) {
      String address = out.to() == null ? addresses.gossip() : addresses.to(out.to());
      String text = out.message().wireText();
      publish.add(() -> outbox.message(address, text));
    }
    for (LedgerEvent e : fx.events()) {
      onLedgerEvent(e, now, publish);
    }
  }

  private void onLedgerEvent(LedgerEvent e, long now, List<Runnable> publish) {
    long latency = 0;
    if (e instanceof LedgerEvent.RequestSeen r) {
      firstSeen.putIfAbsent(r.hash(), now);
    } else if (e instanceof LedgerEvent.Finalized f) {
      Long seen = firstSeen.remove(f.hash());
      latency = seen == null ? 0 : now - seen;
      if (f.buyer().equals(me)) {
        ownPurchaseFinal(f, publish);
      }
    } else if (e instanceof LedgerEvent.RegistryAdopted) {
      refreshKnownSenders();
    } else if (e instanceof LedgerEvent.Rejected && !eventLimiter.tryAcquire("rejected", now)) {
      return; // counted by the replica; only the event is dropped in a flood
    }
    JsonObject json = ObserverEvents.toJson(e, me, latency);
    if (json != null) {
      publish.add(() -> events.publish(json.getString("type"), json));
    }
  }

  private void rejectedByRuntime(String reason, String type, String author, String detail, long now) {
    runtimeRejections.merge(reason, 1L, Long::sum);
    if (eventLimiter.tryAcquire("rejected", now)) {
      events.publish("rejected", new JsonObject().put("reason", reason).put("messageType", type)
          .put("author", author).put("detail", detail));
    }
  }

  private void refreshKnownSenders() {
    Set<String> known = new HashSet<>(replica.wallets());
    replica.registry().operators().forEach(p -> known.add(p.id()));
    knownSenders = Set.copyOf(known);
  }

  // ------------------------------------------------------------------ purchases

  private void onCommand(Message<Object> m) {
    if (!healthy()) {
      m.fail(503, "STORE_FAILED: " + storeError);
      return;
    }
    long now = now();
    Signed<Command> s;
    try {
      Signed<? extends Body> decoded = decode(m.body());
      if (!(decoded.body() instanceof Command)) {
        throw new ProtocolException(Reason.UNKNOWN_TYPE, "only commands are accepted on " + addresses.command(me));
      }
      @SuppressWarnings("unchecked")
      Signed<Command> command = (Signed<Command>) decoded;
      s = command;
    } catch (ProtocolException e) {
      rejectedByRuntime(e.reason().name(), "command", null, e.getMessage(), now);
      m.fail(400, e.reason() + ": " + detail(e));
      return;
    }
    String operator = s.body().operator();
    if (!limiter.tryAcquire(knownSenders.contains(operator) ? operator : UNKNOWN_SENDER, now)) {
      rejectedByRuntime(RATE_LIMITED, "command", operator, "rate limit of the claimed sender", now);
      m.fail(429, RATE_LIMITED + ": too many messages in the name of " + operator);
      return;
    }
    Effects fx = replica.receive(s, now);
    Command accepted = null;
    LedgerEvent.Rejected refused = null;
    for (LedgerEvent e : fx.events()) {
      if (e instanceof LedgerEvent.CommandAccepted a) {
        accepted = a.command();
      } else if (e instanceof LedgerEvent.Rejected r && refused == null) {
        refused = r;
      }
    }
    List<Runnable> publish = new ArrayList<>();
    collect(fx, now, publish);
    Runnable reply;
    if (accepted == null) {
      LedgerEvent.Rejected r = refused;
      reply = () -> m.fail(400, r == null ? Reason.BAD_COMMAND + ": not accepted" : r.reason() + ": " + r.detail());
    } else if (accepted.action() == Command.Action.BUY) {
      reply = buy(accepted, m, publish);
    } else {
      reply = cancel(accepted, m, publish);
    }
    advancePurchases(now, publish);
    // The reply, like everything else, waits until the counter and the queue are durable.
    submit(publish, reply);
  }

  private Runnable buy(Command c, Message<Object> m, List<Runnable> publish) {
    Long price = replica.registry().price(c.contract());
    if (price == null) {
      return () -> m.fail(400, Reason.UNKNOWN_CONTRACT + ": contract " + c.contract() + " is not in the catalogue");
    }
    if (purchases.find(c.purchase()) != null) {
      return () -> m.fail(409, "DUPLICATE_PURCHASE: purchase " + c.purchase() + " already exists on this node");
    }
    PurchaseQueue.Purchase p = purchases.add(c.purchase(), c.contract(), price);
    publishPurchase(p, publish);
    return () -> m.reply(reply(p));
  }

  private Runnable cancel(Command c, Message<Object> m, List<Runnable> publish) {
    PurchaseQueue.Purchase p = purchases.find(c.purchase());
    if (p == null) {
      return () -> m.fail(404, "UNKNOWN_PURCHASE: no purchase " + c.purchase() + " on this node");
    }
    if (!p.contract().equals(c.contract())) {
      return () -> m.fail(400, Reason.BAD_COMMAND + ": purchase " + c.purchase() + " is for " + p.contract());
    }
    try {
      purchases.cancel(p);
    } catch (IllegalStateException e) {
      return () -> m.fail(409, "NOT_CANCELLABLE: " + e.getMessage());
    }
    publishPurchase(p, publish);
    return () -> m.reply(reply(p));
  }

  private static JsonObject reply(PurchaseQueue.Purchase p) {
    return new JsonObject().put("accepted", true).put("purchase", p.id()).put("state", p.state().json())
        .put("request", p.request()).put("missingUnits", p.missingUnits());
  }

  /**
   * Sends the next purchase when none is in flight and it is affordable. Called after every
   * change (a share, a reward, a finality, a command), so a waiting purchase goes out as soon
   * as the node has earned enough.
   */
  private void advancePurchases(long now, List<Runnable> publish) {
    if (advancing || purchases.isEmpty()) {
      return;
    }
    advancing = true;
    try {
      PurchaseQueue.Purchase p;
      while ((p = purchases.next()) != null && replica.ownPending() == null) {
        Replica.Purchase attempt = replica.buy(p.contract(), now);
        switch (attempt.outcome()) {
          case PUBLISHED -> {
            purchases.published(p, attempt.request());
            firstSeen.putIfAbsent(attempt.request(), now);
            publishPurchase(p, publish);
            advancing = false; // finality may come at once (a one-member fleet) and free the next
            collect(attempt.effects(), now, publish);
            advancePurchases(now, publish);
            return;
          }
          case INSUFFICIENT -> {
            if (purchases.missing(p, attempt.missingUnits())) {
              publishPurchase(p, publish);
            }
            return;
          }
          case UNKNOWN_CONTRACT, NOT_MEMBER -> {
            purchases.failed(p);
            publishPurchase(p, publish);
          }
          case ALREADY_PENDING -> {
            return;
          }
          default -> throw new IllegalStateException("unknown outcome " + attempt.outcome());
        }
      }
    } finally {
      advancing = false;
    }
  }

  private void ownPurchaseFinal(LedgerEvent.Finalized f, List<Runnable> publish) {
    PurchaseQueue.Purchase p = purchases.finalized(f.hash());
    if (p == null) {
      return; // not one of the operator's purchases (none other exist today)
    }
    publishPurchase(p, publish);
    // Exactly once: the replica finalizes a request once, and the contract verticle records
    // each run durably before it starts and never starts a recorded one again.
    JsonObject notice = new JsonObject().put("purchase", p.id()).put("request", f.hash()).put("contract", f.contract());
    publish.add(() -> bus.send(addresses.localPurchased(me), notice, new DeliveryOptions().setLocalOnly(true)));
  }

  private void publishPurchase(PurchaseQueue.Purchase p, List<Runnable> publish) {
    JsonObject json = p.toJson();
    json.remove("price");
    publish.add(() -> events.publish("purchase", json));
  }

  // ------------------------------------------------------------------ local requests

  private void onShareRequest(Message<Object> m) {
    if (!healthy()) {
      m.fail(503, "STORE_FAILED: " + storeError);
      return;
    }
    if (!(m.body() instanceof JsonObject body) || !(body.getValue("kind") instanceof String kind)
        || !SENSOR_KIND.matcher(kind).matches() || !(body.getValue("value") instanceof Number value)
        || value.longValue() < -Canon.MAX_UINT || value.longValue() > Canon.MAX_UINT) {
      m.fail(400, "a share request is {\"kind\": name, \"value\": integer milli-units}");
      return;
    }
    long now = now();
    Effects fx = replica.share(kind, value.longValue(), now);
    long seq = 0;
    for (Effects.Outgoing out : fx.messages()) {
      if (out.message().body() instanceof Share sh && sh.author().equals(me)) {
        seq = sh.seq();
      }
    }
    readings.addLast(new JsonObject().put("kind", kind).put("value", value.longValue()).put("seq", seq)
        .put("time", System.currentTimeMillis()));
    while (readings.size() > READINGS) {
      readings.removeFirst();
    }
    long shared = seq;
    apply(fx, now, () -> m.reply(new JsonObject().put("seq", shared)));
  }

  private void onCatalogue(Message<Object> m) {
    if (m.body() instanceof JsonObject json) {
      catalogue = json.copy();
    }
  }

  // ------------------------------------------------------------------ observers

  /**
   * Answers after the writes submitted before the query: the view never shows what is not
   * durable. If one of them fails, it answers at once with the unhealthy view.
   */
  private void onQuery(Message<Object> m) {
    Map<String, Long> cut = queryCut(m.body());
    if (!healthy()) {
      m.reply(unhealthyView());
      return;
    }
    journal.afterPending(() -> m.reply(withCut(view(), cut)), () -> m.reply(unhealthyView()));
  }

  /**
   * The optional {@code cut} of a query ({@code {"cut": {"<id>": shares}}}): the harness
   * compares nodes' ledgers at one common cut. Anything else in the body is ignored.
   */
  private static Map<String, Long> queryCut(Object body) {
    if (!(body instanceof JsonObject json) || !(json.getValue("cut") instanceof JsonObject cut)) {
      return null;
    }
    Map<String, Long> positions = new TreeMap<>();
    for (String id : cut.fieldNames()) {
      if (cut.getValue(id) instanceof Number n && n.longValue() >= 0 && positions.size() < 1024) {
        positions.put(id, n.longValue());
      }
    }
    return positions;
  }

  private JsonObject withCut(JsonObject view, Map<String, Long> cut) {
    return cut == null ? view : view.put("cutDigest", replica.digestAt(cut));
  }

  /**
   * While the store fails, the replica holds changes that are not durable: the view then
   * shows none of the ledger, only who the node is and why it stopped.
   */
  private JsonObject unhealthyView() {
    return new JsonObject().put("id", me).put("name", name).put("net", addresses.net()).put("healthy", false)
        .put("storeError", storeError).put("inSync", false).put("interruptedRuns", interruptedRuns.copy())
        .put("perf", perf());
  }

  private JsonObject view() {
    Map<String, Long> rejections = new TreeMap<>(runtimeRejections);
    Map<Reason, Long> core = new EnumMap<>(Reason.class);
    core.putAll(replica.rejections());
    core.forEach((reason, n) -> rejections.merge(reason.name(), n, Long::sum));
    return NodeView.of(replica, name, purchases, catalogue, new JsonArray(List.copyOf(readings)), rejections)
        .put("inSync", sync.inSync(replica, now()))
        .put("healthy", healthy())
        .put("storeError", storeError)
        .put("interruptedRuns", interruptedRuns.copy())
        .put("perf", perf());
  }

  /**
   * Counters for {@code bench}: Ed25519 verifications run and answered from the cache,
   * protocol messages received (gossip and {@code to.<me>}) and published, reward-book entries
   * resident and evicted, and the hosting process (a process may host several nodes).
   */
  private JsonObject perf() {
    Runtime rt = Runtime.getRuntime();
    return new JsonObject().put("signaturesVerified", signatures.verified())
        .put("signaturesCached", signatures.cached()).put("signatureCpuNanos", signatures.verifyNanos())
        .put("messagesReceived", received)
        .put("messagesSent", outbox == null ? 0 : outbox.messages()).put("framesSent", outbox == null ? 0 : outbox.frames())
        .put("eventMessages", outbox == null ? 0 : outbox.eventMessages())
        .put("journalCommits", journal == null ? 0 : journal.commits())
        .put("rewardsResident", replica == null ? 0 : replica.rewardsResident())
        .put("rewardsEvicted", replica == null ? 0 : replica.rewardsEvicted())
        .put("subscriptionsRestored", subscriptions == null ? 0 : subscriptions.restored())
        .put("pid", ProcessHandle.current().pid())
        .put("heapUsedBytes", rt.totalMemory() - rt.freeMemory()).put("heapCommittedBytes", rt.totalMemory())
        .put("heapMaxBytes", rt.maxMemory()).put("heapAfterGcBytes", heapAfterGc());
  }

  /** The calling thread's CPU time in nanoseconds, or its wall clock where the JVM cannot tell. */
  private static LongSupplier threadCpuNanos() {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    if (threads.isCurrentThreadCpuTimeSupported() && threads.isThreadCpuTimeEnabled()) {
      return threads::getCurrentThreadCpuTime;
    }
    return System::nanoTime;
  }

  /** Heap in use right after the last collection of each heap pool (live data, not garbage). */
  private static long heapAfterGc() {
    long sum = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      MemoryUsage after = pool.getType() == MemoryType.HEAP ? pool.getCollectionUsage() : null;
      if (after != null) {
        sum += after.getUsed();
      }
    }
    return sum;
  }

  private void publishSummary() {
    if (!healthy()) {
      events.publish("node", new JsonObject().put("healthy", false).put("storeError", storeError));
      return;
    }
    long units = replica.balance(me);
    events.publish("node", new JsonObject().put("balance", (double) units / replica.registry().dcoinRate())
        .put("balanceUnits", units).put("state", replica.head(me)).put("ledgerDigest", replica.digest())
        .put("checkpointDigest", replica.digestAt(NodeView.cut(replica))).put("pending", replica.pendingCount())
        .put("inSync", sync.inSync(replica, now())).put("healthy", true));
  }

  private static String detail(ProtocolException e) {
    String text = e.getMessage();
    int colon = text.indexOf(": ");
    return colon < 0 ? text : text.substring(colon + 2);
  }
}
