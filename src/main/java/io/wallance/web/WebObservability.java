package io.wallance.web;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.healthchecks.Status;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.healthchecks.HealthCheckHandler;
import io.wallance.metrics.Observability;
import io.wallance.metrics.ViewRules;
import io.wallance.protocol.Registry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The web verticle's {@code /metrics} and {@code /readiness} (its {@code /health} is the
 * API's, docs/API.md). Every {@value #PERIOD_MS} ms it reads the {@link Fleet} (on the
 * verticle's event loop) into a snapshot the meters read:
 * <ul>
 *   <li>{@code wallance_fleet_members}, {@code wallance_fleet_online},
 *       {@code wallance_fleet_quorum};</li>
 *   <li>ledger digest agreement: {@code wallance_ledger_digest_agreement{node}} is 1 when the
 *       node's checkpoint digest is the one a strict majority of the answering nodes holds,
 *       and {@code wallance_fleet_nodes_agreeing} counts those nodes;</li>
 *   <li>{@code wallance_fleet_ignored_events_total}: observer events from non-members.</li>
 * </ul>
 * Readiness: the web Vert.x is in the cluster, its view of the fleet is fresh, and at least a
 * quorum of members answers.
 */
final class WebObservability {
  /** How often the snapshot is taken. */
  static final long PERIOD_MS = 2_000;
  private static final Logger EVENTS = LoggerFactory.getLogger("io.wallance.events");

  private final Vertx vertx;
  private final Fleet fleet;
  private final Map<String, Double> agreement = new ConcurrentHashMap<>();
  private volatile int online;
  private volatile int agreeing;
  private volatile long ignored;
  private volatile long snapshotAt;
  private boolean loggedReady;
  /** The newest epoch the fleet view knows (a demo may add members); read by scrapes on other threads. */
  private volatile Registry registry;
  private final java.util.Set<String> agreementGauges = new java.util.HashSet<>();
  private MeterRegistry meters;
  private long timer;
  /** Every meter this web verticle registered, removed again when it stops ({@link #close}). */
  private final List<Meter> own = new ArrayList<>();

  private WebObservability(Vertx vertx, Fleet fleet, Registry registry) {
    this.vertx = vertx;
    this.fleet = fleet;
    this.registry = registry;
  }

  /**
   * Mounts {@code GET /metrics} and {@code GET /readiness} and starts the snapshots; call from
   * the web verticle's start (its context runs the timer).
   *
   * @param vertx the web verticle's Vert.x
   * @param router the web router
   * @param fleet the verticle's fleet view
   * @param registry the genesis registry
   */
  static WebObservability mount(Vertx vertx, Router router, Fleet fleet, Registry registry) {
    WebObservability o = new WebObservability(vertx, fleet, registry);
    o.meters = Observability.registry();
    o.register(o.meters);
    router.get("/metrics").handler(Observability.scrapeHandler());
    router.get("/readiness").handler(HealthCheckHandler.createWithHealthChecks(o.readiness()));
    o.timer = vertx.setPeriodic(1, PERIOD_MS, id -> o.snapshot());
    return o;
  }

  /**
   * Removes this verticle's meters from the process's registry (call from the web verticle's
   * stop): the registry outlives the verticle (a restart, tests sharing a JVM), and Micrometer
   * would hand a later verticle these meters back, bound to this one's state.
   */
  void close() {
    vertx.cancelTimer(timer);
    own.forEach(meters::remove);
    own.clear();
  }

  private void register(MeterRegistry meters) {
    own.add(Gauge.builder("wallance.fleet.members", this, o -> o.registry.members().size())
        .description("Voting members of the newest registry epoch the web verticle knows").register(meters));
    own.add(Gauge.builder("wallance.fleet.quorum", this, o -> o.registry.quorumSize())
        .description("Quorum of the newest registry epoch the web verticle knows").register(meters));
    own.add(Gauge.builder("wallance.fleet.online", this, o -> o.online)
        .description("Members answering the web verticle's queries").register(meters));
    own.add(Gauge.builder("wallance.fleet.nodes.agreeing", this, o -> o.agreeing)
        .description("Answering members whose checkpoint digest is the majority's").register(meters));
    own.add(FunctionCounter.builder("wallance.fleet.ignored.events", this, o -> o.ignored)
        .description("Observer events dropped because their node is not a member").register(meters));
    registerAgreement(meters);
  }

  /** One agreement gauge per member of the newest epoch (members added later get theirs when adopted). */
  private void registerAgreement(MeterRegistry meters) {
    for (Registry.Party p : registry.members()) {
      if (agreementGauges.add(p.id())) {
        own.add(Gauge.builder("wallance.ledger.digest.agreement", agreement, m -> m.getOrDefault(p.id(), 0.0))
            .description("1 when the node's checkpoint digest is the majority's, 0 when it differs or is unknown")
            .tags(Tags.of("node", p.name())).register(meters));
      }
    }
  }

  private void snapshot() {
    if (fleet.registry() != registry) {
      registry = fleet.registry();
      registerAgreement(meters);
    }
    JsonObject state = fleet.toJson();
    List<String> digests = new ArrayList<>();
    List<JsonObject> nodes = new ArrayList<>();
    if (state.getValue("nodes") instanceof JsonArray list) {
      for (Object o : list) {
        if (o instanceof JsonObject n) {
          nodes.add(n);
          digests.add(Boolean.TRUE.equals(n.getValue("online")) ? n.getString("ledgerDigest") : null);
        }
      }
    }
    String majority = ViewRules.majority(digests);
    int on = 0;
    int agree = 0;
    for (int i = 0; i < nodes.size(); i++) {
      JsonObject n = nodes.get(i);
      boolean isOnline = digests.get(i) != null;
      boolean agrees = isOnline && digests.get(i).equals(majority);
      on += Boolean.TRUE.equals(n.getValue("online")) ? 1 : 0;
      agree += agrees ? 1 : 0;
      agreement.put(n.getString("id"), agrees ? 1.0 : 0.0);
    }
    online = on;
    agreeing = agree;
    ignored = state.getValue("ignoredEvents") instanceof Number x ? x.longValue() : 0;
    snapshotAt = System.nanoTime();
    boolean ready = problems().isEmpty();
    if (ready != loggedReady) {
      loggedReady = ready;
      EVENTS.atInfo().addKeyValue("event", ready ? "ready" : "not_ready").addKeyValue("node", "web")
          .log("web verticle is {}", ready ? "ready" : "not ready: " + String.join(", ", problems()));
    }
  }

  private boolean clusterJoined() {
    ClusterManager cm = vertx instanceof VertxInternal vi ? vi.clusterManager() : null;
    return cm != null && cm.getNodeId() != null && cm.getNodes().contains(cm.getNodeId());
  }

  private boolean fresh() {
    return snapshotAt != 0 && System.nanoTime() - snapshotAt < 5 * PERIOD_MS * 1_000_000;
  }

  private List<String> problems() {
    List<String> problems = new ArrayList<>();
    if (!clusterJoined()) {
      problems.add("not in the cluster");
    }
    if (online < registry.quorumSize()) {
      problems.add(online + " of " + registry.members().size() + " members online, quorum " + registry.quorumSize());
    }
    return problems;
  }

  private HealthChecks readiness() {
    HealthChecks checks = HealthChecks.create(vertx);
    checks.register("cluster", p -> p.complete(clusterJoined() ? Status.OK() : Status.KO()));
    checks.register("quorum", p -> {
      JsonObject data = new JsonObject().put("online", online).put("members", registry.members().size())
          .put("quorum", registry.quorumSize()).put("fresh", fresh());
      p.complete(fresh() && online >= registry.quorumSize() ? Status.OK(data) : Status.KO(data));
    });
    checks.register("agreement", p -> p.complete(Status.OK(new JsonObject().put("agreeing", agreeing)
        .put("online", online))));
    return checks;
  }
}
