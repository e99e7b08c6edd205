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
import io.wallance.ledger.Effects;
import io.wallance.ledger.LedgerEvent;
import io.wallance.ledger.Replica;
import io.wallance.ledger.ReplicaOptions;
import io.wallance.ledger.Rules;
import io.wallance.ledger.SignatureCheck;
import io.wallance.protocol.Body;
import io.wallance.protocol.Canon;
import io.wallance.protocol.Codec;
import io.wallance.protocol.Command;
import io.wallance.protocol.Crypto;
import io.wallance.protocol.ProtocolException;
import io.wallance.protocol.Reason;
import io.wallance.protocol.Registry;
import io.wallance.protocol.Share;
import io.wallance.protocol.Signed;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
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
 * never reads a clock). Persistence is the durable-ledger issue: today the ledger lives in
 * memory only (see {@link #start()}).
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

  private final Crypto.KeyPair key;
  private final Signed<Registry> genesis;
  private final NodeConfig.RateLimit rateLimit;
  private final LongSupplier clock;
  private final String me;
  private final Addresses addresses;

  private Replica replica;
  private SignatureCheck signatures;
  private long received;
  private long sent;
  private String name;
  private EventBus bus;
  private ObserverEvents events;
  private TokenBuckets limiter;
  private final TokenBuckets eventLimiter = new TokenBuckets(REJECTED_EVENTS_PER_SECOND, REJECTED_EVENTS_PER_SECOND);
  private final PurchaseQueue purchases = new PurchaseQueue();
  private final Map<String, Long> runtimeRejections = new TreeMap<>();
  private final Map<String, Long> firstSeen = new LinkedHashMap<>(64, 0.75f, false) {
    private static final long serialVersionUID = 1L;

    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
      return size() > 4096;
    }
  };
  private final Deque<JsonObject> readings = new ArrayDeque<>();
  private Set<String> knownSenders = Set.of();
  private JsonObject catalogue;
  private boolean advancing;

  /**
   * @param key the member's key
   * @param genesis the signed genesis registry; the key must be one of its members
   * @param rateLimit the per-sender limit before signature verification
   * @param clock monotonic milliseconds (e.g. {@link #monotonicClock()})
   */
  public NodeVerticle(Crypto.KeyPair key, Signed<Registry> genesis, NodeConfig.RateLimit rateLimit,
      LongSupplier clock) {
    this.key = Objects.requireNonNull(key, "key");
    this.genesis = Objects.requireNonNull(genesis, "genesis");
    this.rateLimit = Objects.requireNonNull(rateLimit, "rateLimit");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.me = key.id();
    this.addresses = new Addresses(genesis.body().net());
  }

  /** @return milliseconds from {@link System#nanoTime()}: monotonic, unrelated to wall time */
  public static LongSupplier monotonicClock() {
    long origin = System.nanoTime();
    return () -> (System.nanoTime() - origin) / 1_000_000;
  }

  @Override
  public Future<?> start() {
    Registry.Party self = genesis.body().member(me);
    if (self == null) {
      return Future.failedFuture("this node's key " + me + " is not a member of the registry of network "
          + genesis.body().net());
    }
    name = self.name();
    try {
      // Durable ledger (issue 4) hooks in here: Replica.restart(key, storedState, ...) when the
      // node's database holds a LedgerState, and a store that writes what Effects report
      // before they are published (votes, requests, command counters, finals).
      signatures = new SignatureCheck(8192);
      replica = Replica.create(key, genesis, Rules.none(), signatures, ReplicaOptions.defaults());
    } catch (ProtocolException e) {
      return Future.failedFuture("the genesis registry is refused: " + e.getMessage());
    }
    bus = vertx.eventBus();
    events = new ObserverEvents(bus, addresses, me, name);
    limiter = new TokenBuckets(rateLimit.burst(), rateLimit.perSecond());
    refreshKnownSenders();
    List<MessageConsumer<?>> consumers = List.of(
        bus.<Object>consumer(addresses.gossip(), m -> guard(() -> onProtocol(m, true))),
        bus.<Object>consumer(addresses.to(me), m -> guard(() -> onProtocol(m, false))),
        bus.<Object>consumer(addresses.command(me), m -> guard(m, () -> onCommand(m))),
        bus.<Object>consumer(addresses.query(me), m -> guard(m, () -> m.reply(view()))),
        bus.<Object>localConsumer(addresses.localShare(me), m -> guard(() -> onShareRequest(m))),
        bus.<Object>localConsumer(addresses.localCatalogue(me), m -> guard(() -> onCatalogue(m))));
    vertx.setPeriodic(TICK_MILLIS, id -> guard(() -> apply(replica.tick(now()), now())));
    vertx.setPeriodic(SUMMARY_MILLIS, id -> guard(this::publishSummary));
    return Future.all(consumers.stream().map(MessageConsumer::completion).toList())
        .onSuccess(x -> LOG.info("node {} ({}) listening on network {}", name, me, addresses.net()));
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

  private void onProtocol(Message<Object> m, boolean gossip) {
    long now = now();
    received++;
    Signed<? extends Body> s;
    try {
      s = decode(m.body());
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
    apply(replica.receive(s, now), now);
  }

  /** Decodes a body that must be the wire text (String, or a Buffer) of one signed message. */
  private static Signed<? extends Body> decode(Object body) throws ProtocolException {
    byte[] bytes;
    if (body instanceof String text) {
      if (text.length() > Codec.MAX_BYTES) {
        throw new ProtocolException(Reason.TOO_LARGE, "message of " + text.length() + " characters");
      }
      bytes = text.getBytes(StandardCharsets.UTF_8);
    } else if (body instanceof Buffer buffer) {
      if (buffer.length() > Codec.MAX_BYTES) {
        throw new ProtocolException(Reason.TOO_LARGE, "message of " + buffer.length() + " bytes");
      }
      bytes = buffer.getBytes();
    } else {
      throw new ProtocolException(Reason.MALFORMED, "body must be the wire text of a signed message, got "
          + (body == null ? "nothing" : body.getClass().getSimpleName()));
    }
    return Codec.decode(bytes);
  }

  /** Sends the replica's messages and turns its events into observer events. */
  private void apply(Effects fx, long now) {
    for (Effects.Outgoing out : fx.messages()) {
      String address = out.to() == null ? addresses.gossip() : addresses.to(out.to());
      bus.publish(address, out.message().wireText());
      sent++;
    }
    for (LedgerEvent e : fx.events()) {
      onLedgerEvent(e, now);
    }
    advancePurchases(now);
  }

  private void onLedgerEvent(LedgerEvent e, long now) {
    long latency = 0;
    if (e instanceof LedgerEvent.RequestSeen r) {
      firstSeen.putIfAbsent(r.hash(), now);
    } else if (e instanceof LedgerEvent.Finalized f) {
      Long seen = firstSeen.remove(f.hash());
      latency = seen == null ? 0 : now - seen;
      if (f.buyer().equals(me)) {
        ownPurchaseFinal(f);
      }
    } else if (e instanceof LedgerEvent.RegistryAdopted) {
      refreshKnownSenders();
    } else if (e instanceof LedgerEvent.Rejected && !eventLimiter.tryAcquire("rejected", now)) {
      return; // counted by the replica; only the event is dropped in a flood
    }
    JsonObject json = ObserverEvents.toJson(e, me, latency);
    if (json != null) {
      events.publish(json.getString("type"), json);
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
    apply(fx, now);
    if (accepted == null) {
      m.fail(400, refused == null ? Reason.BAD_COMMAND + ": not accepted" : refused.reason() + ": " + refused.detail());
    } else if (accepted.action() == Command.Action.BUY) {
      buy(accepted, m, now);
    } else {
      cancel(accepted, m, now);
    }
  }

  private void buy(Command c, Message<Object> m, long now) {
    Long price = replica.registry().price(c.contract());
    if (price == null) {
      m.fail(400, Reason.UNKNOWN_CONTRACT + ": contract " + c.contract() + " is not in the catalogue");
      return;
    }
    if (purchases.find(c.purchase()) != null) {
      m.fail(409, "DUPLICATE_PURCHASE: purchase " + c.purchase() + " already exists on this node");
      return;
    }
    PurchaseQueue.Purchase p = purchases.add(c.purchase(), c.contract(), price);
    publishPurchase(p);
    advancePurchases(now);
    m.reply(reply(p));
  }

  private void cancel(Command c, Message<Object> m, long now) {
    PurchaseQueue.Purchase p = purchases.find(c.purchase());
    if (p == null) {
      m.fail(404, "UNKNOWN_PURCHASE: no purchase " + c.purchase() + " on this node");
      return;
    }
    if (!p.contract().equals(c.contract())) {
      m.fail(400, Reason.BAD_COMMAND + ": purchase " + c.purchase() + " is for " + p.contract());
      return;
    }
    try {
      purchases.cancel(p);
    } catch (IllegalStateException e) {
      m.fail(409, "NOT_CANCELLABLE: " + e.getMessage());
      return;
    }
    publishPurchase(p);
    advancePurchases(now);
    m.reply(reply(p));
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
  private void advancePurchases(long now) {
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
            publishPurchase(p);
            advancing = false; // finality may come at once (a one-member fleet) and free the next
            apply(attempt.effects(), now);
            return;
          }
          case INSUFFICIENT -> {
            if (purchases.missing(p, attempt.missingUnits())) {
              publishPurchase(p);
            }
            return;
          }
          case UNKNOWN_CONTRACT -> {
            purchases.failed(p);
            publishPurchase(p);
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

  private void ownPurchaseFinal(LedgerEvent.Finalized f) {
    PurchaseQueue.Purchase p = purchases.finalized(f.hash());
    if (p == null) {
      return; // not one of the operator's purchases (none other exist today)
    }
    publishPurchase(p);
    // Exactly once: the replica finalizes a request once; the contract verticle also
    // ignores a request hash it has already run.
    bus.send(addresses.localPurchased(me), new JsonObject().put("purchase", p.id()).put("request", f.hash())
        .put("contract", f.contract()), new DeliveryOptions().setLocalOnly(true));
  }

  private void publishPurchase(PurchaseQueue.Purchase p) {
    JsonObject json = p.toJson();
    json.remove("price");
    events.publish("purchase", json);
  }

  // ------------------------------------------------------------------ local requests

  private void onShareRequest(Message<Object> m) {
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
    apply(fx, now);
    m.reply(new JsonObject().put("seq", seq));
  }

  private void onCatalogue(Message<Object> m) {
    if (m.body() instanceof JsonObject json) {
      catalogue = json.copy();
    }
  }

  // ------------------------------------------------------------------ observers

  private JsonObject view() {
    Map<String, Long> rejections = new TreeMap<>(runtimeRejections);
    Map<Reason, Long> core = new EnumMap<>(Reason.class);
    core.putAll(replica.rejections());
    core.forEach((reason, n) -> rejections.merge(reason.name(), n, Long::sum));
    return NodeView.of(replica, name, purchases, catalogue, new JsonArray(List.copyOf(readings)), rejections)
        .put("perf", perf());
  }

  /**
   * Counters for {@code bench}: Ed25519 verifications run and answered from the cache,
   * protocol messages received (gossip and {@code to.<me>}) and published, and the hosting
   * process (a process may host several nodes).
   */
  private JsonObject perf() {
    Runtime rt = Runtime.getRuntime();
    return new JsonObject().put("signaturesVerified", signatures.verified())
        .put("signaturesCached", signatures.cached()).put("messagesReceived", received).put("messagesSent", sent)
        .put("pid", ProcessHandle.current().pid())
        .put("heapUsedBytes", rt.totalMemory() - rt.freeMemory()).put("heapCommittedBytes", rt.totalMemory())
        .put("heapMaxBytes", rt.maxMemory()).put("heapAfterGcBytes", heapAfterGc());
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
    long units = replica.balance(me);
    events.publish("node", new JsonObject().put("balance", (double) units / replica.registry().dcoinRate())
        .put("balanceUnits", units).put("state", replica.head(me)).put("ledgerDigest", replica.digest())
        .put("checkpointDigest", replica.digestAt(NodeView.cut(replica))).put("pending", replica.pendingCount()));
  }

  private static String detail(ProtocolException e) {
    String text = e.getMessage();
    int colon = text.indexOf(": ");
    return colon < 0 ? text : text.substring(colon + 2);
  }
}
