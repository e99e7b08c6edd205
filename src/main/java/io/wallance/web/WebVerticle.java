package io.wallance.web;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.FileSystemAccess;
import io.vertx.ext.web.handler.StaticHandler;
import io.wallance.cluster.Addresses;
import io.wallance.cluster.SubscriptionGuard;
import io.wallance.protocol.Crypto;
import io.wallance.protocol.Registry;
import java.util.List;
import java.util.Objects;

/**
 * The operator's web verticle: observes the cluster (as a Hazelcast lite member, it never
 * votes) and serves the operator API of docs/API.md.
 *
 * <p>It consumes the observer events into a bounded {@link Fleet} view, queries every
 * member's view on demand and every {@value #REFRESH_MS} ms (a member that does not answer
 * in time is shown offline), and turns authenticated HTTP calls into commands signed with the
 * operator key. The same router serves the dashboard page ({@code webroot/}: from the
 * configured directory or from the jar), its login ({@link OperatorSessions}) and its SockJS
 * event-bus bridge ({@link DashboardBridge}).
 */
public final class WebVerticle extends VerticleBase {
  /** Period of the background refresh of every node's view. */
  static final long REFRESH_MS = 3_000;
  /** A view younger than this is served without asking the nodes again. */
  static final long FRESH_MS = 500;
  /** Where the page is in the jar (see the pom: top-level {@code webroot/}). */
  static final String BUNDLED_WEBROOT = "io/wallance/web/webroot";
  /**
   * The page loads scripts and styles from this server only and never runs inline script;
   * uPlot sets element styles from script, hence {@code 'unsafe-inline'} for styles only.
   */
  static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
      + "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
      + "frame-ancestors 'none'";

  private final WebConfig config;
  private final Registry registry;
  private final Crypto.KeyPair operator;
  private final PasswordHash password;
  private final NodeAdder adder;
  private Fleet fleet;
  private Nodes nodes;
  private HttpServer server;
  private WebObservability observability;
  private SubscriptionGuard subscriptions;
  private Future<Void> refreshing;
  private long refreshedAt;

  /**
   * @param config where to listen and keep data
   * @param registry the genesis registry (members, contracts, network id)
   * @param operator the operator key, listed in the registry
   * @param password the operator password's hash
   */
  public WebVerticle(WebConfig config, Registry registry, Crypto.KeyPair operator, PasswordHash password) {
    this(config, registry, operator, password, null);
  }

  /**
   * As {@link #WebVerticle(WebConfig, Registry, Crypto.KeyPair, PasswordHash)}, for the demo:
   * with {@code adder}, {@code POST /api/demo/nodes} adds a node ({@link DemoNodes}).
   *
   * @param adder the demo's node adder, or null (no such endpoint)
   */
  public WebVerticle(WebConfig config, Registry registry, Crypto.KeyPair operator, PasswordHash password,
      NodeAdder adder) {
    this.adder = adder;
    this.config = Objects.requireNonNull(config, "config");
    this.registry = Objects.requireNonNull(registry, "registry");
    this.operator = Objects.requireNonNull(operator, "operator");
    this.password = Objects.requireNonNull(password, "password");
    if (registry.operator(operator.id()) == null) {
      throw new IllegalArgumentException("the operator key is not an operator of the registry");
    }
  }

  @Override
  public Future<?> start() {
    fleet = new Fleet(registry);
    Addresses addresses = new Addresses(registry.net());
    nodes = new Nodes(vertx.eventBus(), addresses);
    subscriptions = new SubscriptionGuard(vertx, "dashboard");
    MessageConsumer<?> events = subscriptions.register(addresses.events(),
        () -> vertx.eventBus().consumer(addresses.events(), message -> fleet.onEvents(message.body())));
    return vertx.executeBlocking(() -> CommandCounters.open(config.dataDir()))
        .compose(counters -> {
          OperatorCommands commands = new OperatorCommands(vertx, registry, operator, counters, nodes);
          Purchases purchases = new Purchases(registry, fleet, commands, this::refresh);
          OperatorAuth auth = new OperatorAuth(vertx, password);
          OperatorSessions sessions = new OperatorSessions(vertx, auth, addresses, config.sessions(),
              config.tls() != null);
          DashboardBridge bridge = new DashboardBridge(vertx, addresses, purchases);
          Router router = Router.router(vertx);
          router.route().handler(WebVerticle::securityHeaders);
          sessions.mount(router);
          bridge.mount(router, sessions);
          if (adder != null) {
            new DemoNodes(vertx, fleet, addresses, adder).mount(router, sessions.handler(), auth);
          }
          new OperatorApi(registry, fleet, purchases, auth, sessions.handler(), this::refreshAll).mount(router);
          observability = WebObservability.mount(vertx, router, fleet, registry); // /metrics, /readiness
          sessions.mountPageGuard(router); // the page's files: only the login page's without a login
          // GET and HEAD only, so a wrong method on an API path stays a 405.
          router.route().method(HttpMethod.GET).method(HttpMethod.HEAD).handler(staticFiles());
          return Future.all(events.completion(), bridge.register()).compose(ignored -> vertx.createHttpServer(config.tls() == null
                  ? new io.vertx.core.http.HttpServerOptions()
                  : config.tls().applyTo(new io.vertx.core.http.HttpServerOptions()))
              .requestHandler(router)
              .listen(config.httpPort(), config.httpHost()));
        })
        .onSuccess(s -> {
          server = s;
          subscriptions.start();
          vertx.setPeriodic(REFRESH_MS, id -> refreshAll());
        });
  }

  @Override
  public Future<?> stop() {
    if (subscriptions != null) {
      subscriptions.stop();
    }
    if (observability != null) {
      observability.close();
    }
    return Future.succeededFuture();
  }

  private StaticHandler staticFiles() {
    if (config.webroot() != null) {
      return StaticHandler.create(FileSystemAccess.ROOT, config.webroot().toAbsolutePath().toString())
          .setCachingEnabled(false); // a directory is for editing the page without a rebuild
    }
    return StaticHandler.create(FileSystemAccess.RELATIVE, BUNDLED_WEBROOT);
  }

  private static void securityHeaders(RoutingContext ctx) {
    ctx.response().headers()
        .set("Content-Security-Policy", CSP)
        .set("X-Frame-Options", "DENY")
        .set("X-Content-Type-Options", "nosniff")
        .set("Referrer-Policy", "same-origin"); // "no-referrer" would make Chrome send "Origin: null" on our own form posts
    ctx.next();
  }

  /** @return the port the HTTP server listens on */
  public int actualPort() {
    return server.actualPort();
  }

  /** Queries every member at once; completes when all answered or timed out. */
  Future<Void> refreshAll() {
    if (refreshing != null) {
      return refreshing;
    }
    if (System.currentTimeMillis() - refreshedAt < FRESH_MS) {
      return Future.succeededFuture();
    }
    List<Future<Void>> all = fleet.nodeIds().stream().map(this::refresh).toList();
    Future<Void> round = Future.join(all).<Void>mapEmpty().otherwiseEmpty();
    refreshing = round;
    round.onComplete(done -> {
      if (refreshing == round) {
        refreshing = null;
      }
      refreshedAt = System.currentTimeMillis();
    });
    return round;
  }

  /** Queries one member; never fails (an unreachable member is marked offline). */
  Future<Void> refresh(String node) {
    return nodes.query(node)
        .onSuccess(view -> fleet.onView(node, view))
        .onFailure(e -> fleet.onUnreachable(node))
        .<Void>mapEmpty()
        .otherwiseEmpty();
  }
}
