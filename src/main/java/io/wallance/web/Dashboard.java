package io.wallance.web;

import io.vertx.core.Vertx;
import io.wallance.cluster.ClusterFactory;
import io.wallance.config.ConfigException;
import io.wallance.metrics.Observability;
import io.wallance.protocol.Crypto;
import io.wallance.protocol.Registry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A running dashboard: a clustered Vert.x (lite member) with the {@link WebVerticle}
 * deployed. Used by the {@code dashboard} and {@code demo} commands.
 */
public final class Dashboard implements AutoCloseable {
  /** Bound on joining the cluster and deploying. */
  public static final long START_TIMEOUT_SECONDS = 60;

  private final Vertx vertx;
  private final WebVerticle verticle;

  private Dashboard(Vertx vertx, WebVerticle verticle) {
    this.vertx = vertx;
    this.verticle = verticle;
  }

  /**
   * Loads the files a config names, checks the HTTP port, joins the cluster and starts serving.
   *
   * @param config the dashboard config
   * @return the running dashboard
   * @throws ConfigException for a bad file, a missing key or a port in use
   */
  public static Dashboard start(WebConfig config) throws Exception {
    return start(config, null);
  }

  /**
   * As {@link #start(WebConfig)}; with {@code adder} (the demo's) it also serves
   * {@code POST /api/demo/nodes}.
   *
   * @param adder adds a node to the demo's local network, or null
   */
  public static Dashboard start(WebConfig config, NodeAdder adder) throws Exception {
    Registry registry = config.loadRegistry();
    Crypto.KeyPair operator = config.loadOperatorKey(registry);
    PasswordHash password = config.loadPasswordHash();
    requireFreePort(config.httpHost(), config.httpPort());
    Vertx vertx;
    try {
      io.vertx.core.VertxOptions options = Observability.vertxOptions();
      if (config.tls() != null) {
        options.setEventBusOptions(config.tls().applyTo(new io.vertx.core.eventbus.EventBusOptions()));
      }
      vertx = ClusterFactory.start(config.cluster(), ClusterFactory.clusterManager(config.cluster()), options)
          .await(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      throw new ConfigException("could not join the cluster '" + config.cluster().clusterName() + "' within "
          + START_TIMEOUT_SECONDS + " s (is at least one node running? members: " + config.cluster().members() + ")");
    }
    WebVerticle verticle = new WebVerticle(config, registry, operator, password, adder);
    try {
      vertx.deployVerticle(verticle).await(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (Exception e) {
      vertx.close().await(ClusterFactory.GRACEFUL_SHUTDOWN_SECONDS + 5, TimeUnit.SECONDS);
      if (e instanceof java.net.BindException || e.getCause() instanceof java.net.BindException) {
        throw new ConfigException("HTTP port " + config.httpPort() + " on " + config.httpHost() + " is in use");
      }
      throw e;
    }
    return new Dashboard(vertx, verticle);
  }

  /**
   * Fails with a clear message when nothing may listen on {@code host:port}.
   *
   * @param host the address to bind
   * @param port the port
   */
  public static void requireFreePort(String host, int port) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(InetAddress.getByName(host), port));
    } catch (IOException e) {
      throw new ConfigException("HTTP port " + port + " on " + host + " is in use or not available ("
          + e.getMessage() + ")");
    }
  }

  /** @return the port the API listens on */
  public int port() {
    return verticle.actualPort();
  }

  /** Leaves the cluster and stops serving, within a bound. */
  @Override
  public void close() {
    try {
      vertx.close().await(ClusterFactory.GRACEFUL_SHUTDOWN_SECONDS + 5, TimeUnit.SECONDS);
    } catch (Exception e) {
      // Closing is best effort: the process is about to exit.
    }
  }
}
