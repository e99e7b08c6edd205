package io.wallance.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.healthchecks.Status;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.healthchecks.HealthCheckHandler;
import io.wallance.cluster.Addresses;
import io.wallance.cluster.EventFrames;
import io.wallance.ledger.LedgerEvent;
import io.wallance.protocol.Reason;
import io.wallance.protocol.Registry;
import io.wallance.util.BoundedMap;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import java.util.function.ToDoubleFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Observes one node from inside its process and serves {@code /metrics} (Prometheus text),
 * {@code /health} (liveness) and {@code /readiness} on the node's metrics port.
 *
 * <p>It never touches the node's state: it listens to the node's own observer events (a
 * {@code localConsumer} on {@code events}, filtered on {@code node} = this node, so no
 * extra cluster traffic) and every {@value #ROUND_MILLIS} ms asks its own {@code query.<id>}
 * and every peer's for their views. From those it keeps the {@code wallance_*} meters
 * (docs/METRICS.md) and the readiness checks:
 * <ul>
 *   <li>{@code node}: the node answered its own view query in the last {@value #STALE_MILLIS} ms;
 *       its data carry the node's id, name, epoch and digests;</li>
 *   <li>{@code cluster}: this Vert.x is a member of the Hazelcast cluster;</li>
 *   <li>{@code in-sync}: the node view's {@code inSync} when the node computes one, otherwise
 *       {@link ViewRules#inSync} over the peers' views of the previous round;</li>
 *   <li>{@code quorum}: members answering (this node included) ≥ the quorum of the node's
 *       newest registry;</li>
 *   <li>{@code store}: the node view's {@code healthy} when the node reports it (durable
 *       ledger), otherwise up with {@code "store": "none"} (the ledger lives in memory);</li>
 *   <li>each needs a round younger than {@value #STALE_MILLIS} ms.</li>
 * </ul>
 * Liveness asks the node's own query address (the node's event loop answers).
 */
public final class NodeMetrics extends VerticleBase {
  /** Period of the view probe (own and peers'). */
  public static final long ROUND_MILLIS = 2_500;
  /** Time a view query may take. */
  static final long QUERY_TIMEOUT_MILLIS = 2_000;
  /** Readiness is down when the last complete round is older than this. */
  static final long STALE_MILLIS = 10_000;
  /** Log at most one rejection line per reason in this period (the others are counted). */
  static final long REJECTION_LOG_MILLIS = 10_000;
  /** Histogram buckets of the finality latency. */
  static final Duration[] LATENCY_BUCKETS = {
      Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
      Duration.ofSeconds(1), Duration.ofMillis(2_500), Duration.ofSeconds(5), Duration.ofSeconds(10),
      Duration.ofSeconds(30), Duration.ofSeconds(60)};

  private static final Logger LOG = LoggerFactory.getLogger(NodeMetrics.class);
  /** One line per significant event; a separate logger so operators can route or filter it. */
  private static final Logger EVENTS = LoggerFactory.getLogger("io.wallance.events");

  private final Addresses addresses;
  private final String me;
  private final String name;
  private final int genesisQuorum;
  private final List<String> contracts;
  private final String host;
  private final int port;
  private final MeterRegistry registry;
  private final BooleanSupplier clusterJoinedOverride;
  private final Tags tags;
  private final List<Meter> meters = new ArrayList<>();
  private final Map<String, Counter> counters = new ConcurrentHashMap<>();
  /** Most purchases whose last state is remembered, so a repeated state is not counted twice. */
  static final int PURCHASE_STATES = 1024;
  final BoundedMap<String, Long> lastPurchaseState = BoundedMap.insertionOrder(PURCHASE_STATES);
  private final Map<String, Long> rejectionLoggedAt = new HashMap<>();
  private final Map<String, Long> rejectionSuppressed = new HashMap<>();
  private final Map<String, Long> rejectionsByReason = new ConcurrentHashMap<>();
  private Map<String, JsonObject> previousPeers = Map.of();

  private volatile JsonObject view;
  private volatile long roundAt;
  private volatile int online;
  private volatile int quorum;
  private volatile int members;
  private volatile boolean inSync;
  private volatile boolean syncReported;
  private volatile Boolean storeHealthy;
  private volatile String storeError;
  private volatile boolean ready;
  private boolean roundRunning;
  /** The in-sync and readiness states last logged; null before the first round (which logs both). */
  private Boolean loggedSync;
  private Boolean loggedReady;
  private Timer latency;
  private HttpServer server;
  private long roundMillis = ROUND_MILLIS;
  private io.wallance.tls.TlsFiles tls;

  /**
   * @param addresses the network's addresses
   * @param me this node's member id
   * @param name this node's registry name (the {@code node} label)
   * @param genesis the genesis registry: its quorum until the node view tells the newest one's,
   *     and its catalogue (the {@code contract} label values)
   * @param host where the HTTP server binds
   * @param port the HTTP port (0: any free port, see {@link #actualPort()})
   * @param registry where the meters go (normally {@link Observability#registry()})
   * @param clusterJoined whether the node is in the cluster, or null to ask Vert.x's cluster manager
   */
  public NodeMetrics(Addresses addresses, String me, String name, Registry genesis, String host, int port,
      MeterRegistry registry, BooleanSupplier clusterJoined) {
    this.addresses = Objects.requireNonNull(addresses, "addresses");
    this.me = Objects.requireNonNull(me, "me");
    this.name = Objects.requireNonNull(name, "name");
    this.genesisQuorum = genesis.quorumSize();
    this.contracts = List.copyOf(genesis.contracts().keySet());
    this.host = Objects.requireNonNull(host, "host");
    this.port = port;
    this.registry = Objects.requireNonNull(registry, "registry");
    this.clusterJoinedOverride = clusterJoined;
    this.tags = Tags.of("node", name);
    this.quorum = genesisQuorum;
  }

  /** Runtime rejection reasons besides the protocol's (docs/ARCHITECTURE.md). */
  static final List<String> RUNTIME_REASONS = List.of("RATE_LIMITED", "INTERNAL_ERROR");
  /** Outcomes of a contract run (observer event {@code contract}). */
  static final List<String> RUN_STATUSES = List.of("succeeded", "failed", "timed_out", "cancelled", "not_started",
      "missing");

  /**
   * Counters of closed label sets start at 0, so rates and sums have a series from the first
   * scrape (Prometheus practice) and dashboards show 0 rather than "no data".
   */
  private void registerLabelledCounters() {
    for (Reason r : Reason.values()) {
      rejectionCounter(r.name());
    }
    RUNTIME_REASONS.forEach(this::rejectionCounter);
    for (LedgerEvent.Misbehaviour.Kind k : LedgerEvent.Misbehaviour.Kind.values()) {
      misbehaviourCounter(k.name());
    }
    RUN_STATUSES.forEach(this::runCounter);
    contracts.forEach(this::boughtCounter);
  }

  private Counter misbehaviourCounter(String kind) {
    return counter("wallance.misbehaviour", "Misbehaviour detected, by kind", Tags.of("kind", kind));
  }

  private Counter runCounter(String status) {
    return counter("wallance.contract.runs", "Contract runs of own finalized purchases, by outcome",
        Tags.of("status", status));
  }

  private Counter boughtCounter(String contract) {
    return counter("wallance.contracts.bought", "Own purchases final, by contract", Tags.of("contract", contract));
  }

  private void rejectionCounter(String label) {
    if (rejectionsByReason.putIfAbsent(label, 0L) == null) {
      meters.add(FunctionCounter.builder("wallance.rejections", rejectionsByReason,
              m -> m.getOrDefault(label, 0L).doubleValue())
          .description("Messages and commands this node refused, by reason").tags(tags.and("reason", label))
          .register(registry));
    }  }

  @Override
  public Future<?> start() {
    registerMeters();
    MessageConsumer<Object> events = vertx.eventBus().localConsumer(addresses.events(), m -> {
      try {
        EventFrames.each(m.body(), e -> {
          if (me.equals(e.getValue("node"))) {
            onEvent(e);
          }
        });
      } catch (RuntimeException bug) {
        LOG.error("metrics: event handler failed", bug);
      }
    });
    Router router = Router.router(vertx);
    router.get("/metrics").handler(Observability.scrapeHandler());
    router.get("/health").handler(HealthCheckHandler.createWithHealthChecks(liveness()));
    router.get("/readiness").handler(HealthCheckHandler.createWithHealthChecks(readiness()));
    return events.completion()
        .compose(x -> (tls == null ? vertx.createHttpServer()
            : vertx.createHttpServer(tls.applyTo(new io.vertx.core.http.HttpServerOptions())))
            .requestHandler(router).listen(port, host))
        .onSuccess(s -> {
          server = s;
          if (clusterJoined()) {
            EVENTS.atInfo().addKeyValue("event", "joined").addKeyValue("node", name)
                .log("node {} joined the cluster ({} members)", name, clusterSize());
          }
          LOG.info("node {} serves /metrics, /health and /readiness on {}://{}:{}", name, tls == null ? "http" : "https",
              host, s.actualPort());
          round();
          vertx.setPeriodic(roundMillis, id -> round());
        });
  }

  @Override
  public Future<?> stop() {
    meters.forEach(registry::remove);
    return Future.succeededFuture();
  }

  /**
   * Serves over HTTPS with the node's certificate (the node has a {@code tls} block); call
   * before deploying. Scrapers and readiness probes then trust the project CA.
   *
   * @param files the node's TLS files, or null for plain HTTP
   * @return this
   */
  public NodeMetrics https(io.wallance.tls.TlsFiles files) {
    this.tls = files;
    return this;
  }

  /** Shorter probe rounds, for tests; call before deploying. */
  NodeMetrics roundMillis(long millis) {
    this.roundMillis = millis;
    return this;
  }

  /** @return the port the HTTP server listens on */
  public int actualPort() {
    return server.actualPort();
  }

  // ------------------------------------------------------------------ meters

  private void registerMeters() {
    latency = Timer.builder("wallance.finality.latency")
        .description("Time from this node's first sight of a request to its finality here")
        .tags(tags).serviceLevelObjectives(LATENCY_BUCKETS).register(registry);
    meters.add(latency);
    for (String[] c : new String[][] {
        {"wallance.purchases.requested", "Operator purchases this node accepted (buy commands)"},
        {"wallance.purchases.published", "Own purchase requests sent to the fleet"},
        {"wallance.purchases.finalized", "Own purchases that became final"},
        {"wallance.purchases.cancelled", "Own waiting purchases cancelled by the operator"},
        {"wallance.purchases.failed", "Own purchases that could not be sent (contract no longer in the catalogue)"},
        {"wallance.requests.seen", "Purchase requests of any member seen by this node"},
        {"wallance.requests.finalized", "Purchase requests of any member final on this node"},
        {"wallance.votes.sent", "Votes this node cast"},
        {"wallance.votes.received", "Votes of other members this node accepted"},
        {"wallance.readings", "Sensor readings this node shared"}}) {
      counter(c[0], c[1], Tags.empty());
    }
    gauge("wallance.balance.dcoin", "This node's balance in DCoin", v -> dbl(v, "balance"));
    gauge("wallance.balance.units", "This node's balance in units", v -> dbl(v, "balanceUnits"));
    gauge("wallance.chain.length", "This node's finalized purchases (its chain)", v -> dbl(v, "chain"));
    gauge("wallance.pending.requests", "Requests of any member pending (not final) on this node", v -> dbl(v, "pending"));
    gauge("wallance.purchases.waiting", "Own purchases waiting for funds", v -> purchases(v, "waiting"));
    gauge("wallance.purchases.in.flight", "Own purchase requests published, not yet final", v -> purchases(v, "published"));
    gauge("wallance.misbehaviour.evidence", "Pieces of misbehaviour evidence this node holds", v -> dbl(v, "misbehaviour"));
    gauge("wallance.ledger.epoch", "Epoch of the newest registry this node adopted", v -> dbl(v, "epoch"));
    gauge("wallance.catalogue.differs", "1 when the node's contract catalogue differs from the registry's",
        v -> v.getValue("catalogue") instanceof JsonObject c && Boolean.TRUE.equals(c.getValue("differs")) ? 1 : 0);
    meters.add(FunctionCounter.builder("wallance.shares", this, m -> m.view == null ? 0 : dbl(m.view, "shares"))
        .description("Shares (sensor readings) in this node's own wallet").tags(tags).register(registry));
    health("wallance.cluster.joined", "1 when this node is a member of the cluster", m -> m.clusterJoined() ? 1 : 0);
    health("wallance.in.sync", "1 when this node holds what its peers hold (readiness check in-sync)",
        m -> m.inSync ? 1 : 0);
    health("wallance.members.online", "Voting members answering queries, this node included", m -> m.online);
    health("wallance.quorum.size", "The quorum of the node's newest registry", m -> m.quorum);
    health("wallance.quorum.reachable", "1 when at least a quorum of members answers", m -> m.online >= m.quorum ? 1 : 0);
    health("wallance.ready", "1 when /readiness reports UP", m -> m.readinessProblems().isEmpty() ? 1 : 0);
    registerLabelledCounters();
    meters.add(Gauge.builder("wallance.node.info", () -> 1).description("Maps the node label to the member id")
        .tags(tags.and("id", me)).register(registry));
  }

  private Counter counter(String meter, String description, Tags extra) {
    String key = meter + extra;
    return counters.computeIfAbsent(key, k -> {
      Counter c = Counter.builder(meter).description(description).tags(tags.and(extra)).register(registry);
      meters.add(c);
      return c;
    });
  }

  private void gauge(String meter, String description, ToDoubleFunction<JsonObject> fromView) {
    meters.add(Gauge.builder(meter, this, m -> m.view == null ? Double.NaN : fromView.applyAsDouble(m.view))
        .description(description).tags(tags).register(registry));
  }

  private void health(String meter, String description, ToDoubleFunction<NodeMetrics> value) {
    meters.add(Gauge.builder(meter, this, value).description(description).tags(tags).register(registry));
  }

  private static double dbl(JsonObject json, String field) {
    return json.getValue(field) instanceof Number n ? n.doubleValue() : Double.NaN;
  }

  private static double purchases(JsonObject view, String state) {
    int n = 0;
    if (view.getValue("purchases") instanceof JsonArray list) {
      for (Object o : list) {
        if (o instanceof JsonObject p && state.equals(p.getValue("state"))) {
          n++;
        }
      }
    }
    return n;
  }

  // ------------------------------------------------------------------ events

  private void onEvent(JsonObject e) {
    switch (String.valueOf(e.getValue("type"))) {
      case "reading" -> count("wallance.readings");
      case "request" -> count("wallance.requests.seen");
      case "vote" -> count(me.equals(e.getValue("voter")) ? "wallance.votes.sent" : "wallance.votes.received");
      case "finalized" -> onFinalized(e);
      case "purchase" -> onPurchase(e);
      case "rejected" -> onRejected(e);
      case "misbehaviour" -> {
        String kind = label(e.getValue("kind"));
        misbehaviourCounter(kind).increment();
        EVENTS.atWarn().addKeyValue("event", "misbehaviour").addKeyValue("node", name).addKeyValue("kind", kind)
            .addKeyValue("offender", e.getValue("offender"))
            .log("node {} recorded evidence of {} by {}", name, kind, e.getValue("offender"));
      }
      case "contract" -> runCounter(label(e.getValue("status"))).increment();
      default -> {
        // reading summaries ("node") and catalogue reports carry nothing the views do not
      }
    }
  }

  private void count(String meter) {
    Counter c = counters.get(meter + Tags.empty());
    if (c != null) {
      c.increment();
    }
  }

  private void onFinalized(JsonObject e) {
    count("wallance.requests.finalized");
    long ms = e.getValue("latencyMs") instanceof Number n ? n.longValue() : 0;
    latency.record(Duration.ofMillis(ms));
    if (me.equals(e.getValue("buyer"))) {
      String contract = label(e.getValue("contract"));
      boughtCounter(contract).increment();
      EVENTS.atInfo().addKeyValue("event", "finalized").addKeyValue("node", name).addKeyValue("contract", contract)
          .addKeyValue("price", e.getValue("price")).addKeyValue("latencyMs", ms)
          .addKeyValue("request", e.getValue("request"))
          .log("node {} purchase of {} final in {} ms (price {}, request {})", name, contract, ms, e.getValue("price"),
              shortHex(e.getValue("request")));
    }
  }

  private void onPurchase(JsonObject e) {
    String state = String.valueOf(e.getValue("state"));
    String id = String.valueOf(e.getValue("purchase"));
    long rank = switch (state) {
      case "waiting" -> 1;
      case "published" -> 2;
      case "cancelled", "final", "failed" -> 3;
      default -> 0;
    };
    Long before = lastPurchaseState.get(id);
    if (before == null) {
      count("wallance.purchases.requested");
    }
    if (before != null && before >= rank) {
      return; // the same state again (e.g. missingUnits changed while waiting)
    }
    lastPurchaseState.put(id, rank);
    switch (state) {
      case "published" -> count("wallance.purchases.published");
      case "final" -> count("wallance.purchases.finalized");
      case "cancelled" -> count("wallance.purchases.cancelled");
      case "failed" -> count("wallance.purchases.failed");
      default -> {
        // waiting: counted as requested above
      }
    }
  }

  private void onRejected(JsonObject e) {
    String reason = label(e.getValue("reason"));
    long now = System.nanoTime() / 1_000_000;
    Long at = rejectionLoggedAt.get(reason);
    if (at != null && now - at < REJECTION_LOG_MILLIS) {
      rejectionSuppressed.merge(reason, 1L, Long::sum);
      return;
    }
    rejectionLoggedAt.put(reason, now);
    Long suppressed = rejectionSuppressed.remove(reason);
    String detail = e.getValue("detail") == null ? "" : String.valueOf(e.getValue("detail"));
    if (detail.startsWith(reason + ": ")) {
      detail = detail.substring(reason.length() + 2); // the reason is in the line already
    }
    // Expected bad input: one line, no stack trace.
    EVENTS.atInfo().addKeyValue("event", "rejected").addKeyValue("node", name).addKeyValue("reason", reason)
        .addKeyValue("messageType", e.getValue("messageType")).addKeyValue("author", e.getValue("author"))
        .log("node {} rejected {} from {}: {} ({}){}", name, e.getValue("messageType") == null ? "a message"
            : "a " + e.getValue("messageType"), e.getValue("author") == null ? "an unknown sender"
            : shortHex(e.getValue("author")), reason, detail,
            suppressed == null ? "" : " (" + suppressed + " more " + reason + " since the last line)");
  }

  /** A label value from a closed set sent by the node; anything odd becomes "other". */
  private static String label(Object value) {
    return value instanceof String s && s.matches("[A-Za-z0-9_.-]{1,64}") ? s : "other";
  }

  private static String shortHex(Object value) {
    String s = String.valueOf(value);
    return s.length() > 12 ? s.substring(0, 12) : s;
  }

  // ------------------------------------------------------------------ probe rounds

  /** Asks this node and every peer for their views, then updates the meters and the checks. */
  private void round() {
    if (roundRunning) {
      return;
    }
    roundRunning = true;
    query(me).onComplete(own -> {
      if (own.failed()) {
        roundRunning = false;
        LOG.debug("metrics: node {} did not answer its own query: {}", name, own.cause().getMessage());
        return;
      }
      JsonObject v = own.result();
      List<String> ids = ViewRules.members(v);
      Map<String, Future<JsonObject>> asked = new LinkedHashMap<>();
      for (String id : ids) {
        if (!id.equals(me)) {
          asked.put(id, query(id));
        }
      }
      Future.join(new ArrayList<>(asked.values())).onComplete(done -> {
        roundRunning = false;
        Map<String, JsonObject> peers = new HashMap<>();
        asked.forEach((id, f) -> {
          if (f.succeeded()) {
            peers.put(id, f.result());
          }
        });
        apply(v, ids, peers);
      });
    });
  }

  private Future<JsonObject> query(String id) {
    return vertx.eventBus().<Object>request(addresses.query(id), new JsonObject(),
            new DeliveryOptions().setSendTimeout(QUERY_TIMEOUT_MILLIS))
        .map(m -> {
          if (m.body() instanceof JsonObject json) {
            return json;
          }
          throw new IllegalStateException("not a view");
        });
  }

  private void apply(JsonObject v, List<String> ids, Map<String, JsonObject> peers) {
    view = v;
    members = ids.size();
    quorum = ViewRules.quorum(v, genesisQuorum);
    online = (ids.contains(me) ? 1 : 0) + peers.size();
    syncReported = v.getValue("inSync") instanceof Boolean;
    inSync = syncReported ? (Boolean) v.getValue("inSync")
        : ViewRules.inSync(v, previousPeers.values(), Math.max(1, members));
    previousPeers = peers;
    storeHealthy = v.getValue("healthy") instanceof Boolean b ? b : null;
    storeError = v.getValue("storeError") instanceof String s ? s : null;
    if (v.getValue("rejections") instanceof JsonObject rejections) {
      for (String reason : rejections.fieldNames()) {
        if (rejections.getValue(reason) instanceof Number n) {
          String label = label(reason);
          rejectionCounter(label);
          rejectionsByReason.put(label, n.longValue());
        }
      }
    }
    roundAt = System.nanoTime();
    ready = readinessProblems().isEmpty();
    logTransitions();
  }

  private void logTransitions() {
    if (!Boolean.valueOf(inSync).equals(loggedSync)) {
      loggedSync = inSync;
      if (inSync) {
        EVENTS.atInfo().addKeyValue("event", "synced").addKeyValue("node", name)
            .log("node {} is in sync with its peers ({} of {} members online)", name, online, members);
      } else {
        EVENTS.atInfo().addKeyValue("event", "syncing").addKeyValue("node", name)
            .log("node {} is not in sync with its peers (catching up or too few peers answer)", name);
      }
    }
    if (!Boolean.valueOf(ready).equals(loggedReady)) {
      loggedReady = ready;
      EVENTS.atInfo().addKeyValue("event", ready ? "ready" : "not_ready").addKeyValue("node", name)
          .log("node {} is {}", name, ready ? "ready" : "not ready: " + String.join(", ", readinessProblems()));
    }
  }

  // ------------------------------------------------------------------ health

  private boolean clusterJoined() {
    if (clusterJoinedOverride != null) {
      return clusterJoinedOverride.getAsBoolean();
    }
    ClusterManager cm = vertx instanceof VertxInternal vi ? vi.clusterManager() : null;
    return cm != null && cm.getNodeId() != null && cm.getNodes().contains(cm.getNodeId());
  }

  private int clusterSize() {
    ClusterManager cm = vertx instanceof VertxInternal vi ? vi.clusterManager() : null;
    return cm == null ? 1 : cm.getNodes().size();
  }

  private boolean fresh() {
    return roundAt != 0 && System.nanoTime() - roundAt < STALE_MILLIS * 1_000_000;
  }

  private List<String> readinessProblems() {
    List<String> problems = new ArrayList<>();
    if (!clusterJoined()) {
      problems.add("not in the cluster");
    }
    if (!fresh()) {
      problems.add("no recent view of the node");
    }
    if (!inSync) {
      problems.add("not in sync");
    }
    if (online < quorum) {
      problems.add(online + " of " + members + " members online, quorum " + quorum);
    }
    if (Boolean.FALSE.equals(storeHealthy)) {
      problems.add("store failing");
    }
    return problems;
  }

  private HealthChecks liveness() {
    return HealthChecks.create(vertx).register("node", QUERY_TIMEOUT_MILLIS + 500, p -> query(me)
        .onSuccess(v -> p.complete(Status.OK(new JsonObject().put("node", name))))
        .onFailure(e -> p.complete(Status.KO(new JsonObject().put("node", name)
            .put("reason", "the node does not answer its query: " + e.getMessage())))));
  }

  private HealthChecks readiness() {
    HealthChecks checks = HealthChecks.create(vertx);
    checks.register("node", p -> p.complete(status(fresh(), nodeData())));
    checks.register("cluster", p -> p.complete(status(clusterJoined(), new JsonObject().put("members", clusterSize()))));
    checks.register("in-sync", p -> {
      JsonObject data = new JsonObject().put("inSync", inSync)
          .put("source", syncReported ? "node" : "derived from peer views").put("fresh", fresh());
      if (!fresh()) {
        data.put("reason", "no recent view of the node");
      } else if (!inSync) {
        data.put("reason", "syncing: peers report what this node does not hold yet, or fewer than f+1 peers report");
      }
      p.complete(status(fresh() && inSync, data));
    });
    checks.register("quorum", p -> p.complete(status(fresh() && online >= quorum, new JsonObject()
        .put("online", online).put("members", members).put("quorum", quorum))));
    checks.register("store", p -> {
      if (storeHealthy == null) {
        p.complete(Status.OK(new JsonObject().put("store", "none: this build keeps the ledger in memory")));
      } else {
        p.complete(status(storeHealthy, new JsonObject().put("store", "database").put("error", storeError)));
      }
    });
    return checks;
  }

  /** The node's identity and digests from its latest view (status playbooks read them here). */
  private JsonObject nodeData() {
    JsonObject v = view;
    JsonObject data = new JsonObject().put("id", me).put("name", name);
    if (v != null) {
      for (String field : List.of("epoch", "ledgerDigest", "checkpointDigest", "balanceUnits", "chain")) {
        data.put(field, v.getValue(field));
      }
    }
    if (!fresh()) {
      data.put("reason", "the node has not answered its view query for " + STALE_MILLIS / 1000 + " s");
    }
    return data;
  }

  private static Status status(boolean ok, JsonObject data) {
    return ok ? Status.OK(data) : Status.KO(data);
  }
}
