package io.wallance.cli;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.wallance.cluster.Addresses;
import io.wallance.cluster.ClusterFactory;
import io.wallance.cluster.ClusterOptions;
import io.wallance.metrics.Observability;
import io.wallance.node.CrashPoint;
import io.wallance.node.InboundDelay;
import io.wallance.node.NodeConfig;
import io.wallance.node.NodeDeployment;
import io.wallance.node.NodeKeys;
import io.wallance.node.RegistryFile;
import io.wallance.protocol.Crypto;
import io.wallance.protocol.Registry;
import io.wallance.protocol.Signed;
import io.wallance.tls.TlsFiles;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code wallance node --config FILE}: runs one node (for a Pi) until SIGTERM or Ctrl+C. With
 * {@code --config} repeated, runs several nodes in this process, each its own cluster member
 * (used by {@code bench} to put many logical nodes on few JVMs).
 *
 * <p>Reads the config, key and registry first, so a bad file fails with one clear line
 * before anything joins the cluster; then starts the clustered Vert.x and deploys the node,
 * contract and sensor verticles. A shutdown hook closes Vert.x, which leaves the Hazelcast
 * cluster gracefully.
 */
@Command(
    name = "node",
    mixinStandardHelpOptions = true,
    description = {
        "Runs one node: joins the cluster, keeps the ledger, shares sensor readings,",
        "votes, and runs the contracts this node buys. Stops cleanly on SIGTERM or Ctrl+C."
    })
final class NodeCommand implements Callable<Integer> {

  private static final Logger LOG = LoggerFactory.getLogger(NodeCommand.class);
  private static final long START_SECONDS = 60;
  private static final long STOP_SECONDS = 30;

  @Option(names = "--config", required = true, paramLabel = "FILE",
      description = {"The node's JSON config file (see docs/ARCHITECTURE.md).",
          "Repeat it to host several nodes in this process, each its own cluster member (used by bench)."})
  private List<Path> configs;

  @Option(names = "--health", paramLabel = "HOST:PORT",
      description = {"Serve the node's GET /health, /readiness (cluster, in sync, store, quorum; with the node's",
          "digests) and /metrics here: the same server as a \"metrics\" block in the config (docs/METRICS.md),",
          "which it replaces. Default: the config's metrics block, if any. Only with one --config."})
  private String health;

  /** One node of this process, once its config, key and registries have been read. */
  private record Loaded(NodeConfig cfg, Crypto.KeyPair key, Signed<Registry> genesis, List<Signed<Registry>> updates) {}

  @Override
  public Integer call() throws Exception {
    if (health != null && configs.size() > 1) {
      throw new IllegalArgumentException("--health serves one node: give one --config with it");
    }
    NodeConfig.Metrics healthAddress = health == null ? null : healthAddress(health);
    List<Loaded> nodes = new ArrayList<>();
    for (Path config : configs) {
      nodes.add(load(config, healthAddress));
    }
    List<Vertx> started = new CopyOnWriteArrayList<>();
    CountDownLatch stopped = new CountDownLatch(1);
    Thread hook = new Thread(() -> {
      try {
        stopAll(started);
      } finally {
        stopped.countDown();
      }
    }, "wallance-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      for (Loaded node : nodes) {
        started.add(start(node));
      }
    } catch (Exception e) {
      Runtime.getRuntime().removeShutdownHook(hook);
      try {
        stopAll(started);
      } catch (RuntimeException closing) {
        e.addSuppressed(closing);
      }
      throw e;
    }
    stopped.await();
    return 0;
  }

  /**
   * Reads config, key and registries, so a bad file fails with one line before anything joins.
   * {@code health} (from {@code --health}, or null) replaces the config's metrics block.
   */
  private static Loaded load(Path config, NodeConfig.Metrics health) throws Exception {
    NodeConfig cfg = NodeConfig.load(config);
    if (health != null) {
      if (cfg.metrics() != null && !cfg.metrics().equals(health)) {
        LOG.warn("--health {}:{} replaces the metrics block of {} ({}:{})", health.host(), health.port(), config,
            cfg.metrics().host(), cfg.metrics().port());
      }
      cfg = cfg.withMetrics(health);
    }
    Crypto.KeyPair key = NodeKeys.readPrivate(cfg.keyFile());
    Signed<Registry> genesis = RegistryFile.read(cfg.registryFile());
    List<Signed<Registry>> updates = new ArrayList<>();
    for (Path file : cfg.registryUpdates()) {
      updates.add(RegistryFile.read(file));
    }
    if (genesis.body().member(key.id()) == null && updates.stream().noneMatch(u -> u.body().member(key.id()) != null)) {
      throw new IllegalStateException("the key in " + cfg.keyFile() + " (" + key.id() + ") is not a member of the"
          + " registry " + cfg.registryFile() + " nor of its registryUpdates");
    }
    if (cfg.crashAt() != null) {
      LOG.warn("TEST ONLY: this node halts at crash point {} (-D{})", cfg.crashAt().wire(), CrashPoint.PROPERTY);
    }
    Files.createDirectories(cfg.dataDir());
    ClusterOptions cluster = cfg.cluster();
    requireFree("Hazelcast", cluster.bindHost(), cluster.hazelcastPort());
    if (cluster.eventBusPort() != 0) {
      requireFree("event bus", cluster.eventBusHost(), cluster.eventBusPort());
    }
    if (cfg.metrics() != null) {
      requireFree("metrics", cfg.metrics().host(), cfg.metrics().port());
    }
    return new Loaded(cfg, key, genesis, updates);
  }

  /** Joins the cluster and deploys the node's verticles; on failure closes what it started. */
  private Vertx start(Loaded node) throws Exception {
    NodeConfig cfg = node.cfg();
    ClusterOptions cluster = cfg.cluster();
    Vertx vertx;
    try {
      VertxOptions options = cfg.metrics() == null ? new VertxOptions() : Observability.vertxOptions();
      if (cfg.tls() != null) {
        options.setEventBusOptions(cfg.tls().applyTo(new EventBusOptions()));
        TlsFiles.warmUp();
      }
      vertx = ClusterFactory.start(cluster, ClusterFactory.clusterManager(cluster), options)
          .await(START_SECONDS, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("cannot join cluster " + cluster.clusterName() + " on "
          + cluster.bindHost() + ":" + cluster.hazelcastPort() + ": " + Main.describe(e), e);
    }
    InboundDelay.installIfRequested(vertx, new Addresses(node.genesis().body().net()));
    try {
      NodeDeployment.deploy(vertx, cfg, node.key(), node.genesis(), node.updates())
          .await(START_SECONDS, TimeUnit.SECONDS);
    } catch (Exception e) {
      try {
        vertx.close().await(STOP_SECONDS, TimeUnit.SECONDS);
      } catch (Exception closing) {
        e.addSuppressed(closing);
      }
      throw new IllegalStateException("node " + cfg.name() + " cannot start: " + Main.describe(e), e);
    }
    LOG.info("node {} ({}) running on network {}, cluster {}{}; stop with Ctrl+C", cfg.name(), node.key().id(),
        node.genesis().body().net(), cluster.clusterName(), cfg.tls() == null ? "" : ", event bus mutual TLS");
    return vertx;
  }

  /** Closes every node's Vert.x (a graceful Hazelcast leave each), all at once, bounded. */
  private static void stopAll(List<Vertx> started) {
    LOG.info("stopping {} node(s)", started.size());
    List<Future<Void>> closing = new ArrayList<>();
    for (Vertx vertx : started) {
      closing.add(vertx.close());
    }
    try {
      Future.join(closing).await(STOP_SECONDS, TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.warn("a node did not stop cleanly: {}", e.getMessage());
    }
  }

  private static NodeConfig.Metrics healthAddress(String value) {
    int colon = value.lastIndexOf(':');
    if (colon <= 0) {
      throw new IllegalArgumentException("--health must be HOST:PORT, got '" + value + "'");
    }
    int port;
    try {
      port = Integer.parseInt(value.substring(colon + 1));
    } catch (NumberFormatException e) {
      port = -1;
    }
    if (port < 1 || port > 65_535) {
      throw new IllegalArgumentException("--health port must be 1-65535, got '" + value + "'");
    }
    return new NodeConfig.Metrics(value.substring(0, colon), port);
  }

  /** Fails with one clear line when another process (often another node) holds the port. */
  private static void requireFree(String what, String host, int port) throws IOException {
    try (ServerSocket socket = new ServerSocket()) {
      // As the servers bind: a port left in TIME_WAIT by a crashed node is free; one in use is not.
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(InetAddress.getByName(host), port));
    } catch (IOException e) {
      throw new IllegalStateException(what + " port " + host + ":" + port + " is already in use"
          + " (is another node running with this config?)", e);
    }
  }
}
