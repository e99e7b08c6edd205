package io.wallance.cli;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.wallance.cluster.ClusterFactory;
import io.wallance.cluster.ClusterOptions;
import io.wallance.node.NodeConfig;
import io.wallance.node.NodeDeployment;
import io.wallance.node.NodeKeys;
import io.wallance.node.RegistryFile;
import io.wallance.protocol.Crypto;
import io.wallance.protocol.Registry;
import io.wallance.protocol.Signed;
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
          "Repeat it to host several nodes in this process (each its own cluster member; used by bench)."})
  private List<Path> configs;

  /** One node of this process, once its config, key and registry have been read. */
  private record Loaded(NodeConfig cfg, Crypto.KeyPair key, Signed<Registry> genesis) {}

  @Override
  public Integer call() throws Exception {
    List<Loaded> nodes = new ArrayList<>();
    for (Path config : configs) {
      nodes.add(load(config));
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

  /** Reads config, key and registry, so a bad file fails with one line before anything joins. */
  private static Loaded load(Path config) throws Exception {
    NodeConfig cfg = NodeConfig.load(config);
    Crypto.KeyPair key = NodeKeys.readPrivate(cfg.keyFile());
    Signed<Registry> genesis = RegistryFile.read(cfg.registryFile());
    if (genesis.body().member(key.id()) == null) {
      throw new IllegalStateException("the key in " + cfg.keyFile() + " (" + key.id() + ") is not a member of the"
          + " registry " + cfg.registryFile());
    }
    Files.createDirectories(cfg.dataDir());
    ClusterOptions cluster = cfg.cluster();
    requireFree("Hazelcast", cluster.bindHost(), cluster.hazelcastPort());
    if (cluster.eventBusPort() != 0) {
      requireFree("event bus", cluster.eventBusHost(), cluster.eventBusPort());
    }
    return new Loaded(cfg, key, genesis);
  }

  /** Joins the cluster and deploys the node's verticles; on failure closes what it started. */
  private static Vertx start(Loaded node) {
    NodeConfig cfg = node.cfg();
    ClusterOptions cluster = cfg.cluster();
    Vertx vertx;
    try {
      vertx = ClusterFactory.start(cluster).await(START_SECONDS, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("cannot join cluster " + cluster.clusterName() + " on "
          + cluster.bindHost() + ":" + cluster.hazelcastPort() + ": " + Main.describe(e), e);
    }
    try {
      NodeDeployment.deploy(vertx, cfg, node.key(), node.genesis()).await(START_SECONDS, TimeUnit.SECONDS);
    } catch (Exception e) {
      try {
        vertx.close().await(STOP_SECONDS, TimeUnit.SECONDS);
      } catch (Exception closing) {
        e.addSuppressed(closing);
      }
      throw new IllegalStateException("node " + cfg.name() + " cannot start: " + Main.describe(e), e);
    }
    LOG.info("node {} ({}) running on network {}, cluster {}; stop with Ctrl+C", cfg.name(), node.key().id(),
        node.genesis().body().net(), cluster.clusterName());
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

  /** Fails with one clear line when another process (often another node) holds the port. */
  private static void requireFree(String what, String host, int port) throws IOException {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(false);
      socket.bind(new InetSocketAddress(InetAddress.getByName(host), port));
    } catch (IOException e) {
      throw new IllegalStateException(what + " port " + host + ":" + port + " is already in use"
          + " (is another node running with this config?)", e);
    }
  }
}
