package io.wallance.cli;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.wallance.cluster.ClusterFactory;
import io.wallance.cluster.ClusterOptions;
import io.wallance.contract.Contract;
import io.wallance.contract.ContractCatalogue;
import io.wallance.node.RegistryFile;
import io.wallance.protocol.Crypto;
import io.wallance.protocol.Registry;
import io.wallance.protocol.Signed;
import io.wallance.web.WebConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A local network on loopback, shared by {@code demo} and {@code bench}: fresh keys, a signed
 * genesis registry and one config per node in a directory, and the nodes started as child
 * JVM processes, one per node or several nodes per process (each node is still its own
 * cluster member with its own clustered Vert.x; {@code node --config A --config B}).
 *
 * <p>Children run {@code java ... io.wallance.cli.Main node --config FILE...} from the same
 * jar (or classpath) as this process, with {@code -D}{@value ParentWatchdog#PROPERTY} set so
 * they exit by themselves when this process dies, even by {@code kill -9}. One more loopback
 * port is reserved for an observer (the dashboard or the bench driver) joining as a lite
 * member ({@link #observerCluster()}).
 */
final class LocalFleet implements AutoCloseable {
  static final String HOST = "127.0.0.1";
  /** Seconds without heartbeat before a member is declared dead: small, for a local network. */
  static final int FAILURE_DETECTION_SECONDS = 5;
  /** How long children get to leave the cluster gracefully after SIGTERM. */
  static final long STOP_GRACE_SECONDS = 20;
  /** JVM flags Hazelcast wants on JDK 17 (docs: "Running in Modular Java"). */
  static final List<String> HAZELCAST_JVM_FLAGS = List.of(
      "--add-modules", "java.se",
      "--add-exports", "java.base/jdk.internal.ref=ALL-UNNAMED",
      "--add-opens", "java.base/java.lang=ALL-UNNAMED",
      "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
      "--add-opens", "java.management/sun.management=ALL-UNNAMED",
      "--add-opens", "jdk.management/com.sun.management.internal=ALL-UNNAMED");
  /** Small heaps and a quick-starting JIT: several node JVMs share a small machine (the demo's). */
  static final List<String> CHILD_JVM_FLAGS = List.of("-Xms32m", "-Xmx256m", "-XX:+UseSerialGC",
      "-XX:TieredStopAtLevel=1", "-Xshare:auto");

  /**
   * What to generate and how to start it.
   *
   * @param net the registry's network id
   * @param count number of nodes, named pi1..piN
   * @param processes number of JVM processes the nodes are spread over (round robin), 1..count
   * @param sensorPeriodMillis the sensors' fixed period
   * @param contractsDir the catalogue the nodes load and the registry lists, or null for the bundled one
   * @param jvmFlags the children's JVM flags (heap, GC, JIT...), before the Hazelcast flags;
   *     {@code {process}} in a flag becomes the process number (1..P), e.g. for a JFR file name
   * @param clusterPrefix prefix of the per-run Hazelcast cluster name
   * @param metrics whether every node serves /metrics, /health and /readiness on a loopback port of
   *     its own (listed in {@code metrics-targets.txt} for Prometheus)
   * @param env environment variables added to the children's (e.g. a profile's
   *     {@code conf/jvm/NAME.env}: {@code MALLOC_ARENA_MAX})
   * @param failureDetectionSeconds every member's Hazelcast failure detection (heartbeats every
   *     fifth of it): {@value #FAILURE_DETECTION_SECONDS} s, or longer for a large fleet on a
   *     loaded machine (bench), where a member missing heartbeats for 5 s is not dead
   * @param tls whether the network runs as deployed: a project CA in {@code tls/}, a certificate
   *     per node and for the observer ({@link LocalCerts}), mutual TLS on the event bus and
   *     HTTPS for the nodes' metrics servers and the dashboard
   */
  record Spec(String net, int count, int processes, long sensorPeriodMillis, Path contractsDir,
      List<String> jvmFlags, String clusterPrefix, boolean metrics, Map<String, String> env,
      int failureDetectionSeconds, boolean tls) {
    Spec {
      if (processes < 1 || processes > count) {
        throw new IllegalArgumentException("processes must be 1.." + count + ", got " + processes);
      }
      if (failureDetectionSeconds < 2) {
        throw new IllegalArgumentException("failure detection must be at least 2 s, got " + failureDetectionSeconds);
      }
      jvmFlags = List.copyOf(jvmFlags);
      env = Map.copyOf(env);
    }

    /**
     * A spec as deployed (with TLS) whose children inherit this process's environment unchanged,
     * with the default failure detection ({@value #FAILURE_DETECTION_SECONDS} s).
     */
    Spec(String net, int count, int processes, long sensorPeriodMillis, Path contractsDir,
        List<String> jvmFlags, String clusterPrefix, boolean metrics) {
      this(net, count, processes, sensorPeriodMillis, contractsDir, jvmFlags, clusterPrefix, metrics, Map.of(),
          FAILURE_DETECTION_SECONDS, true);
    }
  }

  /** The certificate name of the observer (the dashboard, or the bench and chaos drivers). */
  static final String OBSERVER = "web";

  /**
   * One node of the network; {@code process} is the index of the JVM hosting it; {@code metricsPort}
   * serves /metrics, /health and /readiness (0 when the spec has no metrics).
   */
  record Node(String name, String id, Path config, Path log, int process, int metricsPort) {}

  /** Most nodes a local network may grow to (the demo's limit). */
  static final int MAX_NODES = 16;

  private final Path dir;
  private final Spec spec;
  private final List<Node> nodes;
  private final Path registryFile;
  private final Path operatorKey;
  private final ClusterOptions observerCluster;
  private final String cluster;
  private final List<String> members;
  private final Placement placement;
  /** The network's CA and certificates, or null without TLS. */
  private final LocalCerts certs;
  private final List<Process> processes = new ArrayList<>();
  /** The registry chain: the genesis, then each epoch {@link #addNode()} wrote. */
  private final List<Path> registryFiles = new ArrayList<>();
  private boolean closed;

  /**
   * Where the nodes run: the address each node binds and advertises, the observer's address,
   * and how a node's process is started. {@link #LOOPBACK} (demo, bench) puts everything on
   * {@code 127.0.0.1} with free ports and starts plain child JVMs; {@code chaos} gives every
   * node an address of its own in a network namespace and wraps its command in
   * {@code ip netns exec} (see {@code ChaosNetwork}).
   */
  interface Placement {
    /** Everything on loopback, distinct free ports, commands unchanged. */
    Placement LOOPBACK = new Placement() {
      @Override
      public String host(int index) {
        return HOST;
      }

      @Override
      public String observerHost() {
        return HOST;
      }

      @Override
      public List<String> command(Node node, List<String> java) {
        return java;
      }
    };

    /** @return the address node {@code index} (0-based) binds and advertises */
    String host(int index);

    /** @return the address the observer (a lite member) binds and advertises */
    String observerHost();

    /**
     * @param node the node (for a process hosting several nodes: its last one)
     * @param java the plain command starting its JVM
     * @return the command to run instead, e.g. prefixed with {@code ip netns exec NS}; asked at
     *     every (re)start, so it may change between starts
     */
    List<String> command(Node node, List<String> java);

    /** @return whether each node has an address of its own (then all use one fixed port) */
    default boolean ownAddresses() {
      return !host(0).equals(observerHost());
    }
  }

  private LocalFleet(Path dir, Spec spec, List<Node> nodes, Path registryFile, Path operatorKey,
      ClusterOptions observerCluster, String cluster, List<String> members, Placement placement, LocalCerts certs) {
    this.certs = certs;
    this.dir = dir;
    this.spec = spec;
    this.nodes = new ArrayList<>(nodes);
    this.registryFile = registryFile;
    this.operatorKey = operatorKey;
    this.observerCluster = observerCluster;
    this.cluster = cluster;
    this.members = List.copyOf(members);
    registryFiles.add(registryFile);
    this.placement = placement;
  }

  /**
   * Writes everything a network needs into {@code dir}: {@code keys/} (operator and nodes),
   * {@code registry.txt}, {@code conf/<name>.json}, {@code logs/}, {@code data/<name>/}.
   *
   * @param dir an empty directory
   * @param spec what to generate
   * @return the network, not yet started
   */
  static LocalFleet create(Path dir, Spec spec) throws Exception {
    return create(dir, spec, Placement.LOOPBACK);
  }

  /**
   * As {@link #create(Path, Spec)}, with the nodes placed as {@code placement} says.
   *
   * @param dir an empty directory
   * @param spec what to generate
   * @param placement where the nodes run and how they are started
   * @return the network, not yet started
   */
  static LocalFleet create(Path dir, Spec spec, Placement placement) throws Exception {
    Path keys = dir.resolve("keys");
    Path conf = dir.resolve("conf");
    Path logs = dir.resolve("logs");
    Files.createDirectories(conf);
    Files.createDirectories(logs);
    String operatorId = KeygenCommand.writeKeyPair(keys, "operator");
    Map<String, String> names = new TreeMap<>(Comparator.comparingInt((String n) -> Integer.parseInt(n.substring(2))));
    for (int i = 1; i <= spec.count(); i++) {
      String name = "pi" + i;
      names.put(name, KeygenCommand.writeKeyPair(keys, name));
    }
    Path registryFile = dir.resolve("registry.txt");
    Files.writeString(registryFile, genesis(spec, keys.resolve("operator.key"), operatorId, names, dir),
        StandardCharsets.US_ASCII);

    int count = spec.count();
    List<Integer> all;
    if (placement.ownAddresses()) {
      // One address per member: every member uses the same ports.
      all = new ArrayList<>();
      for (int k = 0; k <= count; k++) {
        all.add(ClusterOptions.DEFAULT_HAZELCAST_PORT);
      }
      for (int k = 0; spec.metrics() && k < count; k++) {
        all.add(ClusterOptions.DEFAULT_HAZELCAST_PORT + 1);
      }
    } else {
      all = freePorts(spec.metrics() ? 2 * count + 1 : count + 1);
    }
    List<Integer> ports = all.subList(0, count + 1);
    List<Integer> metricsPorts = all.subList(count + 1, all.size());
    List<String> members = new ArrayList<>();
    for (int k = 0; k < count; k++) {
      members.add(placement.host(k) + ":" + ports.get(k));
    }
    members.add(placement.observerHost() + ":" + ports.get(count));
    String cluster = spec.clusterPrefix() + "-" + Long.toUnsignedString(new SecureRandom().nextLong(), 36);
    LocalCerts certs = spec.tls() ? LocalCerts.open(dir, spec.net()) : null;
    if (certs != null) {
      certs.host(OBSERVER, List.of(placement.observerHost()));
    }
    List<Node> nodes = new ArrayList<>();
    int i = 0;
    for (Map.Entry<String, String> e : names.entrySet()) {
      String name = e.getKey();
      JsonObject json = nodeConfig(spec, dir, name, cluster, placement.host(i), ports.get(i), members,
          spec.metrics() ? metricsPorts.get(i) : 0, List.of(), certs);
      Path config = conf.resolve(name + ".json");
      Files.writeString(config, json.encodePrettily() + "\n", StandardCharsets.UTF_8);
      int process = i % spec.processes();
      String log = spec.processes() == count ? name + ".log" : "process" + (process + 1) + ".log";
      nodes.add(new Node(name, e.getValue(), config, logs.resolve(log), process,
          spec.metrics() ? metricsPorts.get(i) : 0));
      i++;
    }
    if (spec.metrics()) {
      StringBuilder targets = new StringBuilder();
      for (Node node : nodes) {
        targets.append(node.name()).append(' ').append(placement.host(nodes.indexOf(node))).append(':')
            .append(node.metricsPort()).append('\n');
      }
      Files.writeString(dir.resolve("metrics-targets.txt"), targets.toString(), StandardCharsets.US_ASCII);
    }
    ClusterOptions observer = new ClusterOptions(cluster, members, placement.observerHost(), ports.get(count),
        placement.observerHost(), 0, true, spec.failureDetectionSeconds());
    return new LocalFleet(dir, spec, List.copyOf(nodes), registryFile, keys.resolve("operator.key"), observer,
        cluster, members, placement, certs);
  }

  /** A node's config (the JSON of {@code conf/<name>.json}); {@code metricsPort} 0 for none. */
  private static JsonObject nodeConfig(Spec spec, Path dir, String name, String cluster, String host, int port,
      List<String> members, int metricsPort, List<Path> registryUpdates, LocalCerts certs) throws IOException {
    Path keys = dir.resolve("keys");
    JsonObject json = new JsonObject()
        .put("name", name)
        .put("keyFile", keys.resolve(name + ".key").toString())
        .put("registryFile", dir.resolve("registry.txt").toString());
    if (!registryUpdates.isEmpty()) {
      json.put("registryUpdates", new JsonArray(registryUpdates.stream().map(Path::toString).toList()));
    }
    json.put("dataDir", dir.resolve("data").resolve(name).toString());
    if (spec.contractsDir() == null) {
      json.putNull("contractsDir");
    } else {
      json.put("contractsDir", spec.contractsDir().toString());
    }
    json.put("sensor", new JsonObject().put("kind", "virtual").put("periodMillis", spec.sensorPeriodMillis())
            .put("randomPeriod", false).put("thermalPath", "/sys/class/thermal/thermal_zone0/temp"))
        .put("cluster", new JsonObject().put("name", cluster).put("host", host).put("port", port)
            .put("members", new JsonArray(members)).put("eventBusPort", 0)
            .put("failureDetectionSeconds", spec.failureDetectionSeconds()));
    if (metricsPort != 0) {
      json.put("metrics", new JsonObject().put("host", host).put("port", metricsPort));
    }
    if (certs != null) {
      io.wallance.tls.TlsFiles tls = certs.host(name, List.of(host));
      json.put("tls", new JsonObject().put("ca", tls.ca().toString()).put("cert", tls.cert().toString())
          .put("key", tls.key().toString()));
    }
    return json;
  }

  /**
   * Grows the running network by one member (the demo's "add a node"): a fresh key, the next
   * registry epoch with it added, signed by the operator ({@link RegistryCommand#successor}),
   * written to {@code registry-<epoch>.txt}, a config naming every epoch after the genesis in
   * {@code registryUpdates}, and its node started in a JVM of its own, stopped by
   * {@link #close()} like the others. The running nodes learn the epoch from it (or from the
   * dashboard's publish); the new node syncs from them (PROTOCOL.md 9.7, 9.9).
   *
   * @return the new node and the signed epoch that adds it
   * @throws IllegalStateException when the network is stopping or already has {@value #MAX_NODES} nodes
   */
  synchronized Added addNode() throws Exception {
    if (closed) {
      throw new IllegalStateException("the network is stopping");
    }
    if (processes.isEmpty()) {
      throw new IllegalStateException("the network is not started");
    }
    if (nodes.size() >= MAX_NODES) {
      throw new IllegalStateException("the network already has " + nodes.size() + " nodes (at most " + MAX_NODES + ")");
    }
    String name = "pi" + (nodes.stream().mapToInt(n -> Integer.parseInt(n.name().substring(2))).max().orElse(0) + 1);
    Path keys = dir.resolve("keys");
    String id = KeygenCommand.writeKeyPair(keys, name);
    Path previous = registryFiles.get(registryFiles.size() - 1);
    Signed<Registry> next;
    try {
      next = RegistryCommand.successor(RegistryFile.read(previous).body(), WebConfig.readKey(operatorKey,
          "operator key"), List.of(new Registry.Party(id, name)), List.of(), null, 0, null);
    } catch (RegistryCommand.Change e) {
      throw new IllegalStateException(e.getMessage().replace("{previous}", previous.toString()), e);
    }
    Path file = dir.resolve("registry-" + next.body().epoch() + ".txt");
    RegistryCommand.write(next, file);
    registryFiles.add(file);
    List<Integer> free = freePorts(spec.metrics() ? 2 : 1);
    int port = free.get(0);
    int metricsPort = spec.metrics() ? free.get(1) : 0;
    String host = placement.host(nodes.size());
    List<String> joined = new ArrayList<>(members);
    joined.add(host + ":" + port);
    Path config = dir.resolve("conf").resolve(name + ".json");
    Files.writeString(config, nodeConfig(spec, dir, name, cluster, host, port, joined, metricsPort,
        registryFiles.subList(1, registryFiles.size()), certs).encodePrettily() + "\n", StandardCharsets.UTF_8);
    Node node = new Node(name, id, config, dir.resolve("logs").resolve(name + ".log"), processes.size(), metricsPort);
    if (spec.metrics()) {
      Files.writeString(dir.resolve("metrics-targets.txt"), name + " " + host + ":" + metricsPort + "\n",
          StandardCharsets.US_ASCII, java.nio.file.StandardOpenOption.APPEND);
    }
    processes.add(start(node.process(), List.of(node)));
    nodes.add(node);
    return new Added(node, next, file);
  }

  /**
   * A node {@link #addNode()} added.
   *
   * @param node the node (started)
   * @param registry the signed epoch that lists it
   * @param registryFile where that epoch was written
   */
  record Added(Node node, Signed<Registry> registry, Path registryFile) {}

  /** The genesis registry: every node a member, one operator, the spec's catalogue. */
  private static String genesis(Spec spec, Path operatorKey, String operatorId, Map<String, String> names, Path dir)
      throws Exception {
    Crypto.KeyPair operator = WebConfig.readKey(operatorKey, "operator key");
    List<Registry.Party> members = new ArrayList<>();
    names.forEach((name, id) -> members.add(new Registry.Party(id, name)));
    members.sort(Comparator.comparing(Registry.Party::id));
    Map<String, Long> contracts = new TreeMap<>();
    ContractCatalogue catalogue = spec.contractsDir() == null
        ? ContractCatalogue.loadBundled(LocalFleet.class.getClassLoader(), dir.resolve("catalogue"))
        : ContractCatalogue.load(spec.contractsDir());
    for (Contract c : catalogue.contracts()) {
      contracts.put(c.name(), c.price());
    }
    Registry registry = new Registry(spec.net(), 1, 0, 5, 2, 1, 5, members,
        List.of(new Registry.Party(operatorId, "operator")), contracts, operatorId);
    registry.validate();
    return Signed.sign(registry, operator).wireText();
  }

  /** Finds {@code count} free loopback ports below the ephemeral range, from a random start. */
  private static List<Integer> freePorts(int count) throws IOException {
    List<Integer> ports = new ArrayList<>();
    int start = 15_000 + new SecureRandom().nextInt(15_000);
    InetAddress loopback = InetAddress.getByName(HOST);
    for (int port = start; port < 32_000 && ports.size() < count; port++) {
      try (ServerSocket s = new ServerSocket()) {
        s.setReuseAddress(false);
        s.bind(new InetSocketAddress(loopback, port));
        ports.add(port);
      } catch (IOException busy) {
        // try the next one
      }
    }
    if (ports.size() < count) {
      throw new IOException("no " + count + " free loopback ports found for the cluster");
    }
    return ports;
  }

  /** Starts the node processes; returns at once. */
  synchronized void startNodes() throws IOException {
    for (int p = 0; p < spec.processes(); p++) {
      int process = p;
      processes.add(start(p, nodes.stream().filter(n -> n.process() == process).toList()));
    }
  }

  /** Starts one JVM hosting {@code hosted} (process number {@code p}, 0-based); returns at once. */
  private Process start(int p, List<Node> hosted) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(javaExecutable());
    for (String flag : spec.jvmFlags()) {
      command.add(flag.replace("{process}", Integer.toString(p + 1)));
    }
    command.addAll(HAZELCAST_JVM_FLAGS);
    command.add("-D" + ParentWatchdog.PROPERTY + "=" + ProcessHandle.current().pid());
    command.add("-cp");
    command.add(classpath());
    command.add(Main.class.getName());
    command.add("node");
    Node last = hosted.get(hosted.size() - 1);
    for (Node node : hosted) {
      command.addAll(List.of("--config", node.config().toString()));
    }
    ProcessBuilder builder = new ProcessBuilder(placement.command(last, command));
    builder.environment().putAll(spec.env());
    return builder
        .directory(dir.toFile())
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(hosted.get(0).log().toFile()))
        .start();
  }

  /**
   * Kills a node's process with SIGKILL (as a power cut would) and waits until it is gone.
   * Every node of that process goes with it.
   */
  void kill(Node node) throws InterruptedException {
    Process process = processes.get(node.process());
    process.destroyForcibly();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      throw new IllegalStateException("node " + node.name() + " (pid " + process.pid() + ") survived SIGKILL for 30 s");
    }
  }

  /**
   * Starts a node's process again, from its data directory, after it exited or was killed
   * (its log continues). The placement is asked for the command again.
   */
  void restart(Node node) throws IOException {
    Process old = processes.get(node.process());
    if (old.isAlive()) {
      throw new IllegalStateException("node " + node.name() + " still runs (pid " + old.pid() + ")");
    }
    int p = node.process();
    processes.set(p, start(p, nodes.stream().filter(n -> n.process() == p).toList()));
  }

  /** @return the process hosting a node (the current one after a restart) */
  Process process(Node node) {
    return processes.get(node.process());
  }

  /** @return the node processes, by index (empty before {@link #startNodes()}) */
  synchronized List<Process> processes() {
    return List.copyOf(processes);
  }

  /** @return a node whose process has exited, or null when all run */
  synchronized Node deadNode() {
    for (Node node : nodes) {
      if (node.process() < processes.size() && !processes.get(node.process()).isAlive()) {
        return node;
      }
    }
    return null;
  }

  /** @return the exit code of a node's process (which must have exited) */
  synchronized int exitCode(Node node) {
    return processes.get(node.process()).exitValue();
  }

  /**
   * Stops every node: SIGTERM, a bounded wait for a graceful cluster leave, then SIGKILL.
   * Safe to call more than once.
   */
  @Override
  public void close() {
    List<Process> processes;
    synchronized (this) {
      closed = true; // no node is added from now on
      processes = List.copyOf(this.processes);
    }
    processes.forEach(Process::destroy);
    CompletableFuture<?>[] exits = processes.stream().map(Process::onExit).toArray(CompletableFuture[]::new);
    try {
      CompletableFuture.allOf(exits).get(STOP_GRACE_SECONDS, TimeUnit.SECONDS);
    } catch (Exception timeoutOrInterrupt) {
      processes.stream().filter(Process::isAlive).forEach(p -> {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
      });
      try {
        CompletableFuture.allOf(exits).get(5, TimeUnit.SECONDS);
      } catch (Exception ignored) {
        // nothing more can be done
      }
    }
  }

  /** Deletes the network's directory (after {@link #close()}). */
  void delete() {
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException | UncheckedIOException e) {
      // best effort: it is a temporary directory
    }
  }

  /** @return the nodes: the generated ones, then those {@link #addNode()} added */
  synchronized List<Node> nodes() {
    return List.copyOf(nodes);
  }

  /** @return the signed genesis registry file */
  Path registryFile() {
    return registryFile;
  }

  /** @return the operator's private key file (the registry's only operator) */
  Path operatorKey() {
    return operatorKey;
  }

  /**
   * Joins as the observer (a lite member on the port reserved for it). A lite member that comes
   * first (the nodes' Hazelcast ports are open before they have formed a cluster) fails with
   * "all nodes in the cluster are lite members"; it leaves and tries again until the deadline.
   *
   * @param who the command, for the retry lines on {@code out}
   * @param seconds how long to keep trying
   * @param beforeEachTry e.g. a check that fails when a node process died
   * @return the observer's clustered Vert.x
   */
  Vertx joinAsObserver(PrintWriter out, String who, long seconds, Runnable beforeEachTry)
      throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (true) {
      beforeEachTry.run();
      var cm = ClusterFactory.clusterManager(observerCluster);
      try {
        return ClusterFactory.start(observerCluster, cm, observerVertxOptions()).await(seconds, TimeUnit.SECONDS);
      } catch (Exception e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
        out.println(who + ": observer could not join yet (" + Main.describe(e) + "); retrying");
        out.flush();
        try {
          cm.getHazelcastInstance().shutdown();
        } catch (RuntimeException notStarted) {
          // nothing to leave
        }
        Thread.sleep(2000);
      }
    }
  }

  /** @return the observer's Vert.x options: mutual TLS on the event bus with its certificate (TLS networks) */
  io.vertx.core.VertxOptions observerVertxOptions() {
    io.vertx.core.VertxOptions options = new io.vertx.core.VertxOptions();
    if (certs != null) {
      options.setEventBusOptions(observerTls().applyTo(new io.vertx.core.eventbus.EventBusOptions()));
    }
    return options;
  }

  /** @return the observer's TLS files (its event bus, the dashboard's HTTPS), or null without TLS */
  io.wallance.tls.TlsFiles observerTls() {
    if (certs == null) {
      return null;
    }
    try {
      return certs.host(OBSERVER, List.of(placement.observerHost()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** @return the project CA certificate clients trust, or null without TLS */
  Path caFile() {
    return certs == null ? null : certs.caFile();
  }

  /** @return {@code https} with TLS, else {@code http}: the scheme of the nodes' metrics servers and the dashboard */
  String scheme() {
    return certs == null ? "http" : "https";
  }

  /** @return how an observer joins: a lite member on the port reserved for it */
  ClusterOptions observerCluster() {
    return observerCluster;
  }

  Spec spec() {
    return spec;
  }

  Path dir() {
    return dir;
  }

  static String javaExecutable() {
    return ProcessHandle.current().info().command()
        .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
  }

  /** The running jar, or this JVM's classpath when running from classes (development, tests). */
  static String classpath() {
    try {
      Path source = Path.of(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      if (Files.isRegularFile(source)) {
        return source.toString();
      }
    } catch (URISyntaxException | SecurityException | NullPointerException e) {
      // fall back to the class path
    }
    return System.getProperty("java.class.path");
  }

  static String tail(Path log, int lines) {
    try {
      List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(log unreadable: " + e.getMessage() + ")";
    }
  }
}
