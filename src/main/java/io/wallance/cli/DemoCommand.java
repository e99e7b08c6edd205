package io.wallance.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.wallance.progress.Progress;
import io.wallance.protocol.Registry;
import io.wallance.web.Dashboard;
import io.wallance.web.NodeAdder;
import io.wallance.web.PasswordHash;
import io.wallance.web.WebConfig;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code wallance demo}: a complete local network on this machine, one JVM per node plus the
 * dashboard in this process, with fresh keys and a registry in a temporary directory. Stops
 * everything on Ctrl+C; the nodes also stop by themselves if this process is killed.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
        "Starts a local network: N nodes (each its own JVM, on loopback) and the dashboard,",
        "with fresh keys, a signed registry and a project CA in a temporary directory: mutual TLS",
        "between members, HTTPS for the dashboard and the nodes' metrics. Prints the dashboard's",
        "https:// URL, the operator password and the CA certificate to trust. While it runs,",
        "POST /api/demo/nodes (operator password) adds a node: a new member in the next registry",
        "epoch, with its own certificate. Ctrl+C stops everything."
    })
final class DemoCommand implements Callable<Integer> {
  /** How long the network may take to come up. */
  static final long READY_TIMEOUT_SECONDS = 120;
  /** The network id of the demo registry. */
  static final String NET = "demo";

  @Spec
  private CommandSpec spec;

  @Option(names = "--nodes", paramLabel = "N", defaultValue = "4",
      description = "Number of nodes, 3-16. Default: ${DEFAULT-VALUE}.")
  private int count;

  @Option(names = "--http-port", paramLabel = "PORT", defaultValue = "8080",
      description = "The dashboard's HTTP port on 127.0.0.1. Default: ${DEFAULT-VALUE}.")
  private int httpPort;

  @Option(names = "--password", paramLabel = "PW",
      description = "The operator password (default: a random one, printed).")
  private String password;

  @Option(names = "--sensor-period", paramLabel = "MILLIS", defaultValue = "1000",
      description = "The nodes' sensor period in milliseconds, 100-10000. Default: ${DEFAULT-VALUE}.")
  private long sensorPeriod;

  @Option(names = "--keep", description = "Keep the temporary directory (keys, configs, logs, ledgers) on exit.")
  private boolean keep;

  @Override
  public Integer call() throws Exception {
    OptionRange options = new OptionRange(spec).check("--nodes", count, 3, 16).check("--http-port", httpPort, 1, 65_535)
        .check("--sensor-period", sensorPeriod, 100, 10_000);
    if (password != null && password.isEmpty()) {
      throw options.fail("--password must not be empty");
    }
    quietLibraries();
    io.wallance.tls.TlsFiles.warmUp(); // the dashboard and its client speak TLS (see warmUp)
    Dashboard.requireFreePort(LocalFleet.HOST, httpPort);
    String pw = password != null ? password : randomPassword();
    PrintWriter out = spec.commandLine().getOut();
    long started = System.nanoTime();

    Path dir = Files.createTempDirectory("wallance-demo-");
    LocalFleet network = LocalFleet.create(dir, new LocalFleet.Spec(NET, count, count, sensorPeriod, null,
        LocalFleet.CHILD_JVM_FLAGS, "wallance-demo", true));
    WebConfig web = webConfig(network, pw);
    Stopper stopper = new Stopper(network, keep, out);
    Runtime.getRuntime().addShutdownHook(new Thread(stopper::stop, "demo-stop"));
    out.println("demo: starting " + count + " nodes (logs, keys and configs in " + dir + ")");
    out.flush();
    // The one shared progress facility: a redrawn line on a terminal, a line every 2 s in logs.
    try (Progress progress = Progress.forTerminal("demo", count)) {
      network.startNodes();
      progress.update(0, "node processes started, waiting for the first to open its cluster port");
      awaitFirstNode(network, web, progress);
      progress.update(0, "joining the dashboard to the cluster");
      stopper.dashboard = Dashboard.start(web, () -> addNode(network, out));
      awaitAllOnline(network, progress, pw);
    } catch (Exception e) {
      stopper.stop();
      throw e;
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    String url = "https://" + LocalFleet.HOST + ":" + httpPort;
    Path ca = network.caFile();
    out.printf("demo: %d nodes up in %.1f s (network %s)%n", count, seconds, NET);
    out.println("dashboard: " + url + "/  (user operator, password " + pw + ")");
    out.println("CA:        " + ca + "  (the demo's project CA: every link is TLS with certificates it issued)");
    out.println("           trust it in a browser: Chromium/Chrome on Linux: certutil -d sql:$HOME/.pki/nssdb -A -t C,, "
        + "-n wallance-demo -i " + ca + " (Debian package libnss3-tools); Firefox: Settings, Certificates, Import");
    out.println("metrics:   " + url + "/metrics and, per node, " + String.join(" ", network.nodes().stream()
        .map(n -> n.name() + "=https://" + LocalFleet.HOST + ":" + n.metricsPort() + "/metrics").toList()));
    out.println("try:  java -jar wallance.jar status --url " + url + " --ca " + ca + " --password " + pw);
    out.println("      java -jar wallance.jar buy --url " + url + " --ca " + ca + " --node pi1 --contract Receipt"
        + " --password " + pw + " --wait");
    out.println("add a node (next registry epoch, signed by the operator; it syncs, then votes):");
    out.println("      curl --cacert " + ca + " -u operator:" + pw + " -X POST " + url + "/api/demo/nodes");
    out.println("Press Ctrl+C to stop.");
    out.flush();
    new CountDownLatch(1).await(); // until a signal runs the shutdown hook
    return 0;
  }

  /** The dashboard's {@code POST /api/demo/nodes}: grows the network by one member, on a worker thread. */
  private static NodeAdder.Added addNode(LocalFleet network, PrintWriter out) throws Exception {
    LocalFleet.Added added = network.addNode();
    LocalFleet.Node node = added.node();
    Registry r = added.registry().body();
    synchronized (out) {
      out.println("demo: added " + node.name() + " as a member of epoch " + r.epoch() + " (" + r.members().size()
          + " members, quorum " + r.quorumSize() + "; registry " + added.registryFile() + ", log " + node.log()
          + (node.metricsPort() == 0 ? ""
              : ", metrics " + network.scheme() + "://" + LocalFleet.HOST + ":" + node.metricsPort() + "/metrics")
          + ")");
      out.flush();
    }
    return new NodeAdder.Added(node.name(), node.id(), added.registry(), node.log().toString());
  }

  /** Waits until the first node's cluster port answers, so the dashboard (a lite member) has someone to join. */
  private void awaitFirstNode(LocalFleet network, WebConfig web, Progress progress) throws Exception {
    var first = web.cluster().members().get(0);
    String host = first.substring(0, first.lastIndexOf(':'));
    int port = Integer.parseInt(first.substring(first.lastIndexOf(':') + 1));
    long deadline = System.nanoTime() + READY_TIMEOUT_SECONDS * 1_000_000_000L;
    while (true) {
      failIfDead(network);
      try (java.net.Socket s = new java.net.Socket()) {
        s.connect(new java.net.InetSocketAddress(host, port), 500);
        return;
      } catch (java.io.IOException notYet) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("the first node did not open its cluster port within "
              + READY_TIMEOUT_SECONDS + " s; see " + network.nodes().get(0).log());
        }
        progress.update(0, "waiting for the first node's cluster port");
        Thread.sleep(200);
      }
    }
  }

  /** Waits until every node answers the dashboard's queries. */
  private void awaitAllOnline(LocalFleet network, Progress progress, String pw) throws Exception {
    long deadline = System.nanoTime() + READY_TIMEOUT_SECONDS * 1_000_000_000L;
    try (ApiClient api = new ApiClient(network.scheme() + "://" + LocalFleet.HOST + ":" + httpPort, network.caFile())) {
      while (true) {
        failIfDead(network);
        ApiClient.Answer state;
        try {
          state = api.get("/api/state", pw);
        } catch (IllegalStateException slow) {
          // A dashboard that has just started may not answer within the client's timeout on a
          // busy machine (its first TLS handshakes included): ask again until the deadline.
          if (System.nanoTime() > deadline) {
            throw slow;
          }
          progress.update(0, "waiting for the dashboard to answer");
          continue;
        }
        JsonArray nodes = state.body().getJsonArray("nodes", new JsonArray());
        long online = nodes.stream()
            .filter(n -> n instanceof JsonObject o && Boolean.TRUE.equals(o.getValue("online"))).count();
        progress.update(online, "nodes online");
        if (online == count) {
          return;
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("only " + online + " of " + count + " nodes answered within "
              + READY_TIMEOUT_SECONDS + " s; see the logs in " + network.dir().resolve("logs"));
        }
        Thread.sleep(500);
      }
    }
  }

  /** Shows the end of a dead node's log (often the clear error it printed) and fails in one line. */
  private void failIfDead(LocalFleet network) {
    LocalFleet.Node dead = network.deadNode();
    if (dead != null) {
      PrintWriter err = spec.commandLine().getErr();
      err.println("demo: the end of " + dead.log() + ":");
      LocalFleet.tail(dead.log(), 15).lines().forEach(l -> err.println("  " + l));
      err.flush();
      throw new IllegalStateException("node " + dead.name() + " exited with code " + network.exitCode(dead)
          + " during start-up (its log: " + dead.log() + "; start with --keep to keep it)");
    }
  }

  /** The dashboard's config: the operator key and a hashed password, as the lite member the fleet reserved. */
  private WebConfig webConfig(LocalFleet network, String pw) throws Exception {
    Path dir = network.dir();
    Path hashFile = dir.resolve("operator.password");
    Files.writeString(hashFile, PasswordHash.create(pw, PasswordHash.DEFAULT_ITERATIONS).line() + "\n",
        StandardCharsets.US_ASCII);
    WebConfig web = new WebConfig(network.registryFile(), network.operatorKey(), hashFile,
        dir.resolve("data").resolve("web"), LocalFleet.HOST, httpPort, network.observerCluster())
        .withTls(network.observerTls());
    Files.writeString(dir.resolve("conf").resolve("web.json"), web.toJson().encodePrettily() + "\n",
        StandardCharsets.UTF_8);
    return web;
  }

  private static String randomPassword() {
    String alphabet = "abcdefghijkmnpqrstuvwxyz23456789";
    SecureRandom random = new SecureRandom();
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 12; i++) {
      sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
    }
    return sb.toString();
  }

  /** The demo's terminal shows our lines, not Hazelcast's and Vert.x's INFO chatter. */
  private static void quietLibraries() {
    if (LoggerFactory.getLogger("com.hazelcast") instanceof Logger hazelcast) {
      hazelcast.setLevel(Level.ERROR); // its start-up warnings (e.g. "CP Subsystem is not enabled") are not ours
    }
    if (LoggerFactory.getLogger("io.vertx") instanceof Logger vertx) {
      vertx.setLevel(Level.WARN);
    }
  }

  /** Stops the dashboard and the nodes once, from the shutdown hook or after a failed start. */
  private static final class Stopper {
    private final LocalFleet network;
    private final boolean keep;
    private final PrintWriter out;
    private final AtomicBoolean stopped = new AtomicBoolean();
    volatile Dashboard dashboard;

    Stopper(LocalFleet network, boolean keep, PrintWriter out) {
      this.network = network;
      this.keep = keep;
      this.out = out;
    }

    void stop() {
      if (!stopped.compareAndSet(false, true)) {
        return;
      }
      out.println("demo: stopping");
      out.flush();
      Dashboard d = dashboard;
      Thread web = new Thread(() -> {
        if (d != null) {
          d.close();
        }
      }, "demo-stop-web");
      web.start();
      network.close();
      try {
        web.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (!keep) {
        network.delete();
      }
      out.println("demo: stopped" + (keep ? "; files kept in " + network.dir() : ""));
      out.flush();
    }
  }
}
