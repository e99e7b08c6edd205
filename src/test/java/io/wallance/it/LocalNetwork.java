package io.wallance.it;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import io.wallance.cli.Main;
import io.wallance.cluster.Addresses;
import io.wallance.cluster.ClusterFactory;
import io.wallance.cluster.ClusterOptions;
import io.wallance.cluster.EventFrames;
import io.wallance.protocol.Codec;
import io.wallance.protocol.Command;
import io.wallance.protocol.Crypto;
import io.wallance.protocol.Signed;
import io.wallance.protocol.Vote;
import io.wallance.store.StoreOptions;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * The one multi-JVM test fixture: a local network of N node processes started from the real
 * jar ({@code java -jar target/wallance.jar node --config ...}) on loopback, plus a clustered
 * observer Vert.x in the test JVM (a Hazelcast lite member) that collects every observer
 * event, queries nodes and sends operator commands (the fixture holds the operator key of
 * the registry it generated).
 *
 * <p>Each network gets fresh keys and registry, a unique network id and cluster name and its
 * own free loopback ports, in {@code target/it/<name>-<id>/} (node logs stay there for a
 * failed run). {@link #close()} always stops everything: observer first, then each node with
 * SIGTERM (continued first if paused), then SIGKILL after a bounded wait; a JVM shutdown hook
 * kills the children should the test JVM die first. Every wait is bounded.
 *
 * <p>Networks run as deployed by default: a project CA and a certificate per node and for the
 * observer, mutual TLS on the event bus, HTTPS for the nodes' metrics servers; start options
 * are one {@link Options} value ({@link #options(int, int, long)}, then {@code with...}).
 */
public final class LocalNetwork implements AutoCloseable {

  /** Hazelcast on JDK 17 wants these opens (otherwise it warns and runs slower). */
  static final List<String> HAZELCAST_JVM_FLAGS = List.of(
      "--add-modules", "java.se",
      "--add-exports", "java.base/jdk.internal.ref=ALL-UNNAMED",
      "--add-opens", "java.base/java.lang=ALL-UNNAMED",
      "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
      "--add-opens", "java.management/sun.management=ALL-UNNAMED",
      "--add-opens", "jdk.management/com.sun.management.internal=ALL-UNNAMED");
  /** Small, quick-starting JVMs: five of them share two cores in CI. */
  static final List<String> SMALL_JVM_FLAGS = List.of("-Xms32m", "-Xmx192m", "-XX:+UseSerialGC",
      "-XX:TieredStopAtLevel=1", "-Xss512k");
  private static final Duration START = Duration.ofSeconds(90);
  private static final Duration ASK = Duration.ofSeconds(5);
  private static final long WARM_UP_PURCHASE = 9_000_000_000L;

  /** One node process. */
  public static final class Node {
    private final String name;
    private final Crypto.KeyPair key;
    private final Path config;
    private final Path dataDir;
    private final Path log;
    private final AtomicLong counter = new AtomicLong();
    private List<String> jvmArgs = List.of();
    private int starts;
    private Process process;
    private boolean paused;

    Node(String name, Crypto.KeyPair key, Path config, Path dataDir, Path log) {
      this.name = name;
      this.key = key;
      this.config = config;
      this.dataDir = dataDir;
      this.log = log;
    }

    /** @return the registry name */
    public String name() {
      return name;
    }

    /** @return the member id */
    public String id() {
      return key.id();
    }

    /** @return the node's data directory (receipts under {@code receipts/}) */
    public Path dataDir() {
      return dataDir;
    }

    /** @return the node's combined stdout and stderr (every run of it, appended) */
    public Path log() {
      return log;
    }

    /** @return the member key (tests may sign in its name, as a lying member would) */
    public Crypto.KeyPair key() {
      return key;
    }

    /** @return the running (or exited) process */
    public Process process() {
      return process;
    }
  }

  private final Path dir;
  private final String net;
  private final String cluster;
  private final int failureDetectionSeconds;
  private final Crypto.KeyPair operator;
  private final List<Node> nodes = new ArrayList<>();
  private final List<Integer> ports;
  private final List<Integer> metricsPorts;
  private boolean metrics;
  /** With TLS (the default): the project CA and one certificate per node and for the observer, under {@code tls/}. */
  private boolean tls;
  private final List<JsonObject> events = new CopyOnWriteArrayList<>();
  private final Addresses addresses;
  private final Thread killer;
  private final List<Path> registryFiles = new ArrayList<>();
  private long sensorMillis;
  private Vertx observer;
  private int graceful;

  private int spare;
  private final java.util.Map<String, List<String>> extraArgs = new java.util.HashMap<>();

  private LocalNetwork(String name, int n, int failureDetectionSeconds, int spare) throws IOException {
    String id = UUID.randomUUID().toString().substring(0, 8);
    this.dir = Files.createDirectories(Path.of("target", "it", name + "-" + id).toAbsolutePath());
    this.net = "it" + id;
    this.cluster = "wallance-it-" + id;
    this.failureDetectionSeconds = failureDetectionSeconds;
    this.addresses = new Addresses(net);
    this.operator = randomKey();
    List<Integer> all = freePorts(n + 1 + spare + n);
    this.ports = all.subList(0, n + 1 + spare);
    this.metricsPorts = all.subList(n + 1 + spare, all.size());
    this.spare = spare;
    this.killer = new Thread(() -> nodes.forEach(node -> {
      if (node.process != null) {
        node.process.destroyForcibly();
      }
    }), "local-network-killer");
  }

  /**
   * How to start a network: {@link #options(int, int, long)} gives the defaults (mutual TLS on
   * the event bus with a project CA, as deployed; no metrics server; no spare port; no extra
   * JVM arguments), and the {@code with...} methods change one thing each.
   *
   * @param nodes number of nodes
   * @param failureDetectionSeconds Hazelcast failure detection
   * @param sensorMillis sensor period of every node
   * @param tls whether the network runs with TLS: {@code cert} makes a project CA in
   *     {@code tls/} ({@link #tlsDir()}) and a certificate for every node and the observer;
   *     every node config names them in {@code "tls"} (mutual TLS on the event bus, HTTPS for
   *     the metrics server). Off only for a test about the plain case ({@link #plain()})
   * @param metrics every node config has {@code "metrics": {"host": "127.0.0.1", "port": ...}}
   *     (see {@link #metricsPort(Node)}, {@link #metricsUrl(Node)})
   * @param spare cluster ports reserved (and listed in every config) for members added later
   *     with {@link #addMember}
   * @param jvmArgs extra JVM arguments by node name for the first start (e.g. a crash point)
   * @param beforeNodesStart run once the keys, registry, certificates and configs are written
   *     and before any node starts (e.g. to mount a file system on a node's data directory,
   *     {@link Node#dataDir()})
   */
  public record Options(int nodes, int failureDetectionSeconds, long sensorMillis, boolean tls, boolean metrics,
      int spare, Map<String, List<String>> jvmArgs, Prepare beforeNodesStart) {
    /** Copies the map; checks the numbers. */
    public Options {
      if (nodes < 1 || failureDetectionSeconds < 1 || sensorMillis < 1 || spare < 0) {
        throw new IllegalArgumentException("bad network options: " + nodes + " nodes, failure detection "
            + failureDetectionSeconds + " s, sensor " + sensorMillis + " ms, " + spare + " spare");
      }
      jvmArgs = Map.copyOf(jvmArgs);
      java.util.Objects.requireNonNull(beforeNodesStart, "beforeNodesStart");
    }

    /** @return these options with a metrics server on every node */
    public Options withMetrics() {
      return new Options(nodes, failureDetectionSeconds, sensorMillis, tls, true, spare, jvmArgs, beforeNodesStart);
    }

    /** @return these options without TLS: plain event bus and HTTP (only for a test about the plain case) */
    public Options plain() {
      return new Options(nodes, failureDetectionSeconds, sensorMillis, false, metrics, spare, jvmArgs,
          beforeNodesStart);
    }

    /** @return these options with {@code n} spare cluster ports for {@link #addMember} */
    public Options withSpare(int n) {
      return new Options(nodes, failureDetectionSeconds, sensorMillis, tls, metrics, n, jvmArgs, beforeNodesStart);
    }

    /** @return these options with extra JVM arguments by node name for the first start */
    public Options withJvmArgs(Map<String, List<String>> args) {
      return new Options(nodes, failureDetectionSeconds, sensorMillis, tls, metrics, spare, args, beforeNodesStart);
    }

    /** @return these options running {@code hook} after generation, before any node starts */
    public Options beforeNodesStart(Prepare hook) {
      return new Options(nodes, failureDetectionSeconds, sensorMillis, tls, metrics, spare, jvmArgs, hook);
    }
  }

  /**
   * The default options: TLS, no metrics server, no spare port, no extra JVM arguments.
   *
   * @param nodes number of nodes
   * @param failureDetectionSeconds Hazelcast failure detection
   * @param sensorMillis sensor period of every node
   * @return the options, to change with {@code with...}
   */
  public static Options options(int nodes, int failureDetectionSeconds, long sensorMillis) {
    return new Options(nodes, failureDetectionSeconds, sensorMillis, true, false, 0, Map.of(), network -> { });
  }

  /**
   * Starts a network with the default options ({@link #options(int, int, long)}: TLS) and waits
   * until every node answers a query through the observer.
   *
   * @param name a name for the directory (the test class)
   * @param n number of nodes
   * @param failureDetectionSeconds Hazelcast failure detection
   * @param sensorMillis sensor period of every node
   * @return the running network; close it
   */
  public static LocalNetwork start(String name, int n, int failureDetectionSeconds, long sensorMillis)
      throws Exception {
    return start(name, options(n, failureDetectionSeconds, sensorMillis));
  }

  /**
   * The same as {@link #start(String, int, int, long)} (TLS is the default now); kept for the
   * tests written when TLS was optional.
   */
  public static LocalNetwork startWithTls(String name, int n, int failureDetectionSeconds, long sensorMillis)
      throws Exception {
    return start(name, options(n, failureDetectionSeconds, sensorMillis));
  }

  /** Work on a generated network before its nodes start. */
  @FunctionalInterface
  public interface Prepare {
    /** @param network generated, no node started yet */
    void accept(LocalNetwork network) throws Exception;
  }

  /**
   * Starts a network and waits until every node answers a query through the observer.
   *
   * @param name a name for the directory (the test class)
   * @param options what to start ({@link #options(int, int, long)})
   * @return the running network; close it
   */
  public static LocalNetwork start(String name, Options options) throws Exception {
    LocalNetwork network = new LocalNetwork(name, options.nodes(), options.failureDetectionSeconds(),
        options.spare());
    network.extraArgs.putAll(options.jvmArgs());
    network.metrics = options.metrics();
    network.tls = options.tls();
    Runtime.getRuntime().addShutdownHook(network.killer);
    try {
      network.generate(options.nodes(), options.sensorMillis());
      options.beforeNodesStart().accept(network);
      network.startNodes();
      network.startObserver();
      return network;
    } catch (Exception | AssertionError e) {
      network.close();
      throw e;
    }
  }

  private void generate(int n, long sensorMillis) throws IOException {
    Path keys = Files.createDirectories(dir.resolve("keys"));
    if (tls) {
      cli("cert", "ca", "--out", tlsDir().toString(), "--name", net);
      for (int i = 1; i <= n; i++) {
        issueCertificate("pi" + i);
      }
      issueCertificate("observer");
    }
    writeKey(keys.resolve("operator"), operator);
    List<String> args = new ArrayList<>(List.of("registry", "--operator-key", keys.resolve("operator.key").toString(),
        "--net", net, "--out", dir.resolve("registry.txt").toString()));
    String members = ports.stream().map(p -> "\"127.0.0.1:" + p + "\"").collect(Collectors.joining(", "));
    this.sensorMillis = sensorMillis;
    for (int i = 1; i <= n; i++) {
      String name = "pi" + i;
      Crypto.KeyPair key = randomKey();
      writeKey(keys.resolve(name), key);
      args.addAll(List.of("--member", name + "=" + key.id()));
      Path config = dir.resolve(name + ".json");
      Files.writeString(config, """
          {"name": "%s", "keyFile": "keys/%s.key", "registryFile": "registry.txt", "dataDir": "data/%s",
           "sensor": {"kind": "virtual", "periodMillis": %d, "randomPeriod": false},
           "cluster": {"name": "%s", "host": "127.0.0.1", "port": %d, "members": [%s],
                       "failureDetectionSeconds": %d}%s}
          """.formatted(name, name, name, sensorMillis, cluster, ports.get(i - 1), members, failureDetectionSeconds,
          (metrics ? ", \"metrics\": {\"host\": \"127.0.0.1\", \"port\": " + metricsPorts.get(i - 1) + "}" : "")
          + tlsBlock(name)));
      Node node = new Node(name, key, config, dir.resolve("data").resolve(name), dir.resolve(name + ".log"));
      node.jvmArgs = extraArgs.getOrDefault(name, List.of());
      nodes.add(node);
    }
    StringWriter err = new StringWriter();
    int code = Main.commandLine().setErr(new PrintWriter(err, true)).execute(args.toArray(String[]::new));
    if (code != 0) {
      throw new IllegalStateException("registry command failed: " + err);
    }
    registryFiles.add(dir.resolve("registry.txt"));
  }

  private void startNodes() throws IOException, InterruptedException {
    for (Node node : nodes) {
      launch(node);
    }
    awaitRunning(nodes);
  }

  private void launch(Node node) throws IOException {
    String java = ProcessHandle.current().info().command()
        .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    Path jar = Path.of(System.getProperty("wallance.jar", "target/wallance.jar")).toAbsolutePath();
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException("no " + jar + "; integration tests run after packaging (mvn verify)");
    }
    List<String> command = new ArrayList<>(List.of(java));
    command.addAll(HAZELCAST_JVM_FLAGS);
    command.addAll(SMALL_JVM_FLAGS);
    command.addAll(node.jvmArgs);
    command.addAll(List.of("-jar", jar.toString(), "node", "--config", node.config.toString()));
    node.process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(node.log.toFile())).start();
    node.process.getOutputStream().close();
    node.starts++;
  }

  private void awaitRunning(List<Node> which) throws InterruptedException {
    awaitTrue("every node process running", START, () -> {
      for (Node node : which) {
        if (!node.process.isAlive()) {
          throw new IllegalStateException(node.name + " exited with " + node.process.exitValue() + ":\n" + tail(node));
        }
      }
      return which.stream().allMatch(node -> runs(node) >= node.starts);
    });
  }

  /** How many times the log says the node came up. */
  private static long runs(Node node) {
    try {
      return Files.readAllLines(node.log, StandardCharsets.UTF_8).stream()
          .filter(l -> l.contains(" running on network ")).count();
    } catch (IOException e) {
      return 0;
    }
  }

  // ------------------------------------------------------------------ crashes, restarts, new members

  /** Kills the process with SIGKILL (nothing runs in it after this) and waits for it to go. */
  public void kill(Node node) throws Exception {
    if (node.paused) {
      resume(node);
    }
    node.process.destroyForcibly();
    if (!node.process.waitFor(20, TimeUnit.SECONDS)) {
      throw new IllegalStateException(node.name + " did not die");
    }
  }

  /** Waits until the process exits by itself (e.g. at a crash point) and returns its exit status. */
  public int awaitExit(Node node, Duration limit) throws Exception {
    if (!node.process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new AssertionError(node.name + " still running after " + limit + ":\n" + tail(node));
    }
    return node.process.exitValue();
  }

  /**
   * Starts the node again from its config and data directory (the process must have exited)
   * and waits until it runs and answers queries.
   *
   * @param jvmArgs extra JVM arguments for this run (e.g. {@code -Dwallance.crashAt=...})
   */
  public void restart(Node node, List<String> jvmArgs) throws Exception {
    if (node.process != null && node.process.isAlive()) {
      throw new IllegalStateException(node.name + " is still running");
    }
    node.jvmArgs = List.copyOf(jvmArgs);
    launch(node);
    awaitRunning(List.of(node));
    awaitTrue(node.name + " answers queries", START, () -> {
      try {
        query(node);
        return true;
      } catch (Exception e) {
        return false;
      }
    });
  }

  /**
   * Adds a member: a new key, the next registry epoch (the {@code registry --previous} command,
   * signed by the operator) with it added, and its config naming that registry in
   * {@code registryUpdates}. Not started: call {@link #restart(Node, List)} to start it.
   *
   * @return the new node (not running yet)
   */
  public Node addMember(String name) throws Exception {
    if (spare == 0) {
      throw new IllegalStateException("no spare cluster port: start the network with spare > 0");
    }
    Path keys = dir.resolve("keys");
    Crypto.KeyPair key = randomKey();
    writeKey(keys.resolve(name), key);
    long epoch = registryFiles.size() + 1;
    Path previous = registryFiles.get(registryFiles.size() - 1);
    Path next = dir.resolve("registry-" + (epoch + 0) + ".txt");
    StringWriter err = new StringWriter();
    int code = Main.commandLine().setErr(new PrintWriter(err, true)).execute("registry", "--operator-key",
        keys.resolve("operator.key").toString(), "--previous", previous.toString(), "--member", name + "=" + key.id(),
        "--out", next.toString());
    if (code != 0) {
      throw new IllegalStateException("registry command failed: " + err);
    }
    registryFiles.add(next);
    int port = ports.get(nodes.size());
    spare--;
    String members = ports.stream().map(p -> "\"127.0.0.1:" + p + "\"").collect(Collectors.joining(", "));
    String updates = registryFiles.subList(1, registryFiles.size()).stream()
        .map(f -> "\"" + f.getFileName() + "\"").collect(Collectors.joining(", "));
    Path config = dir.resolve(name + ".json");
    if (tls) {
      issueCertificate(name);
    }
    Files.writeString(config, """
        {"name": "%s", "keyFile": "keys/%s.key", "registryFile": "registry.txt", "registryUpdates": [%s],
         "dataDir": "data/%s",
         "sensor": {"kind": "virtual", "periodMillis": %d, "randomPeriod": false},
         "cluster": {"name": "%s", "host": "127.0.0.1", "port": %d, "members": [%s],
                     "failureDetectionSeconds": %d}%s}
        """.formatted(name, name, updates, name, sensorMillis, cluster, port, members, failureDetectionSeconds,
        tlsBlock(name)));
    Node node = new Node(name, key, config, dir.resolve("data").resolve(name), dir.resolve(name + ".log"));
    nodes.add(node);
    return node;
  }

  /** @return the newest registry file written (the genesis, or the last {@link #addMember} epoch) */
  public Path newestRegistry() {
    return registryFiles.get(registryFiles.size() - 1);
  }

  private void startObserver() throws Exception {
    int own = ports.get(ports.size() - 1);
    List<String> members = ports.stream().map(p -> "127.0.0.1:" + p).toList();
    ClusterOptions options = new ClusterOptions(cluster, members, "127.0.0.1", own, "127.0.0.1", 0, true,
        failureDetectionSeconds);
    io.vertx.core.VertxOptions vertxOptions = new io.vertx.core.VertxOptions();
    if (tls) {
      vertxOptions.setEventBusOptions(new io.wallance.tls.TlsFiles(tlsDir().resolve("ca.crt"),
          tlsDir().resolve("observer.crt"), tlsDir().resolve("observer.key")).check()
          .applyTo(new io.vertx.core.eventbus.EventBusOptions()));
    }
    observer = ClusterFactory.start(options, ClusterFactory.clusterManager(options), vertxOptions)
        .await(START.toSeconds(), TimeUnit.SECONDS);
    observer.eventBus().consumer(addresses.events(), m -> EventFrames.each(m.body(), events::add)).completion()
        .await(ASK.toSeconds(), TimeUnit.SECONDS);
    for (Node node : nodes) {
      awaitTrue(node.name + " answers queries", START, () -> {
        try {
          query(node);
          return true;
        } catch (Exception e) {
          return false;
        }
      });
      // Checks the command path end to end (a signed cancel of a purchase that does not exist:
      // 404, no ledger change) and makes this member look the address up now. Vert.x asks
      // Hazelcast once per address; asked first while members are SIGSTOPped, the lookup
      // would wait on partitions those members own.
      try {
        command(node, Command.Action.CANCEL, "Receipt", WARM_UP_PURCHASE);
        throw new IllegalStateException(node.name + " accepted a cancel of an unknown purchase");
      } catch (ReplyException e) {
        if (e.failureCode() != 404) {
          throw e;
        }
      }
    }
  }

  // ------------------------------------------------------------------ helpers for tests

  /**
   * @param port a free loopback port for the outsider's Hazelcast
   * @return how a further full member (e.g. an intruder in a test) joins this network's cluster:
   *     it contacts the nodes, which accept it (Hazelcast's tcp-ip join has no admission check)
   */
  public ClusterOptions outsiderOptions(int port) {
    List<String> members = ports.stream().map(p -> "127.0.0.1:" + p).toList();
    return new ClusterOptions(cluster, members, "127.0.0.1", port, "127.0.0.1", 0, false, failureDetectionSeconds);
  }

  /** @return the directory of the project CA ({@code ca.crt}, {@code ca.key}) and the certificates (TLS mode) */
  public Path tlsDir() {
    return dir.resolve("tls");
  }

  /** @return whether the network runs with TLS (the default) */
  public boolean tls() {
    return tls;
  }

  /** @return the project CA certificate every client trusts (TLS mode) */
  public Path caFile() {
    return tlsDir().resolve("ca.crt");
  }

  /**
   * Issues a certificate of the network's CA for {@code 127.0.0.1} and {@code localhost} (with
   * the {@code cert issue} command): for a further member, a web verticle in the test, or a
   * hostile member that is to hold a valid certificate.
   *
   * @param name the certificate's name; {@code tls/NAME.crt} and {@code tls/NAME.key} must not exist
   * @return its checked TLS files
   */
  public io.wallance.tls.TlsFiles issueCertificate(String name) {
    if (!tls) {
      throw new IllegalStateException("a plain network has no CA");
    }
    cli("cert", "issue", "--ca", tlsDir().toString(), "--name", name, "--host", "127.0.0.1", "--host", "localhost",
        "--out", tlsDir().toString());
    return new io.wallance.tls.TlsFiles(caFile(), tlsDir().resolve(name + ".crt"), tlsDir().resolve(name + ".key"))
        .check();
  }

  /**
   * @param files a member's TLS files (e.g. from {@link #issueCertificate}), or null for none
   * @return Vert.x options for a further clustered member: mutual TLS on its event bus with those files
   */
  public static io.vertx.core.VertxOptions vertxOptions(io.wallance.tls.TlsFiles files) {
    io.vertx.core.VertxOptions options = new io.vertx.core.VertxOptions();
    if (files != null) {
      options.setEventBusOptions(files.applyTo(new io.vertx.core.eventbus.EventBusOptions()));
    }
    return options;
  }

  /** @return {@code https} with TLS, else {@code http}: the scheme of the nodes' metrics servers */
  public String scheme() {
    return tls ? "https" : "http";
  }

  /** @return the base URL of a node's metrics server (networks started with metrics) */
  public String metricsUrl(Node node) {
    return scheme() + "://127.0.0.1:" + metricsPort(node);
  }

  /**
   * An HTTP client trusting exactly the project CA (TLS mode) and verifying host names, as a
   * scraper or readiness probe configured with the CA does; the JDK's default client otherwise.
   *
   * @return a new client
   */
  public java.net.http.HttpClient httpClient() {
    java.net.http.HttpClient.Builder builder = java.net.http.HttpClient.newBuilder()
        .connectTimeout(Duration.ofSeconds(5));
    if (tls) {
      builder.sslContext(sslContext(caFile()));
    }
    return builder.build();
  }

  /**
   * @param caPem a CA certificate in PEM
   * @return a TLS context trusting only that CA (no JDK default CAs)
   */
  public static javax.net.ssl.SSLContext sslContext(Path caPem) {
    try {
      java.security.KeyStore trust = java.security.KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      trust.setCertificateEntry("project-ca", io.wallance.tls.ProjectCa.readCertificate(caPem));
      javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance(
          javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      javax.net.ssl.SSLContext context = javax.net.ssl.SSLContext.getInstance("TLS");
      context.init(null, tmf.getTrustManagers(), null);
      return context;
    } catch (java.security.GeneralSecurityException | IOException e) {
      throw new IllegalStateException("cannot trust " + caPem + ": " + e.getMessage(), e);
    }
  }

  /** The {@code "tls"} member of a node config (with its leading comma), or "" for a plain network. */
  private String tlsBlock(String name) {
    return tls ? ", \"tls\": {\"ca\": \"tls/ca.crt\", \"cert\": \"tls/%s.crt\", \"key\": \"tls/%s.key\"}"
        .formatted(name, name) : "";
  }

  /** Runs one of our commands in this JVM; fails with its error output when it fails. */
  private static void cli(String... args) {
    StringWriter err = new StringWriter();
    int code = Main.commandLine().setErr(new PrintWriter(err, true)).execute(args);
    if (code != 0) {
      throw new IllegalStateException(String.join(" ", args) + " failed: " + err);
    }
  }

  /** @return the node's metrics port (networks started with metrics) */
  public int metricsPort(Node node) {
    return metricsPorts.get(nodes.indexOf(node));
  }

  /** @return the nodes, in name order */
  public List<Node> nodes() {
    return nodes;
  }

  /** @return node {@code i} (0-based) */
  public Node node(int i) {
    return nodes.get(i);
  }

  /** @return the network's event-bus addresses */
  public Addresses addresses() {
    return addresses;
  }

  /** @return the observer: a clustered Vert.x and lite member in the test JVM */
  public Vertx observer() {
    return observer;
  }

  /** @return the operator key of the registry */
  public Crypto.KeyPair operator() {
    return operator;
  }

  /** @return the network id */
  public String net() {
    return net;
  }

  /** @return the network's directory: {@code registry.txt}, {@code keys/operator.key}, node configs and logs */
  public Path dir() {
    return dir;
  }

  /** @return the Hazelcast cluster name */
  public String clusterName() {
    return cluster;
  }

  /** Stops a node for good with SIGTERM (a graceful cluster leave), waiting for it to exit (bounded). */
  public void stop(Node node) throws InterruptedException {
    node.process.destroy();
    if (!node.process.waitFor(20, TimeUnit.SECONDS)) {
      node.process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  /** @return every observer event received so far, in arrival order */
  public List<JsonObject> events() {
    return List.copyOf(events);
  }

  /** @return the events matching {@code filter} */
  public List<JsonObject> events(Predicate<JsonObject> filter) {
    return events.stream().filter(filter).toList();
  }

  /**
   * Who voted for a request, as the node's ledger recorded it: the votes of its finality
   * certificate, the late votes stored after it and its own vote. Read from the node's SQLite ledger in
   * {@code dataDir/ledger.db}, read-only, while the node runs (the journal is in WAL mode).
   *
   * @param node the node whose ledger to read
   * @param request the request hash
   * @return voter ids (empty while the node has not finalized it)
   */
  public java.util.Set<String> ledgerVoters(Node node, String request) throws Exception {
    java.util.Set<String> voters = new java.util.TreeSet<>();
    String url = "jdbc:sqlite:file:" + node.dataDir.resolve(StoreOptions.FILE).toAbsolutePath() + "?mode=ro";
    try (java.sql.Connection db = java.sql.DriverManager.getConnection(url);
        java.sql.Statement st = db.createStatement()) {
      st.setQueryTimeout(5);
      try (java.sql.ResultSet rs = st.executeQuery("SELECT v.message FROM certificate_vote v"
          + " UNION ALL SELECT message FROM ledger_change WHERE type IN ('vote', 'my_vote')")) {
        while (rs.next()) {
          Vote v = Codec.decode(rs.getString(1).getBytes(StandardCharsets.UTF_8), Vote.class).body();
          if (v.request().equals(request)) {
            voters.add(v.voter());
          }
        }
      }
    }
    return voters;
  }

  /** @return the node view (bounded wait) */
  public JsonObject query(Node node) throws Exception {
    return ask(observer.eventBus().<JsonObject>request(addresses.query(node.id()), new JsonObject(),
        new DeliveryOptions().setSendTimeout(ASK.toMillis()))).body();
  }

  /**
   * Sends an operator command with the next counter of that node.
   *
   * @return the reply (fails with the node's ReplyException when refused)
   */
  public JsonObject command(Node node, Command.Action action, String contract, long purchase) throws Exception {
    Signed<Command> c = Signed.sign(new Command(net, operator.id(), node.id(), node.counter.incrementAndGet(), action,
        contract, purchase), operator);
    return send(node, c.wireText()).body();
  }

  /** Sends any body to a node's command address (bounded wait). */
  public Message<JsonObject> send(Node node, Object body) throws Exception {
    return ask(observer.eventBus().request(addresses.command(node.id()), body,
        new DeliveryOptions().setSendTimeout(ASK.toMillis())));
  }

  /** Stops the process with SIGSTOP, as a hung Pi would be. */
  public void pause(Node node) throws Exception {
    signal(node, "-STOP");
    node.paused = true;
  }

  /** Continues a paused process. */
  public void resume(Node node) throws Exception {
    signal(node, "-CONT");
    node.paused = false;
  }

  private void signal(Node node, String signal) throws Exception {
    Process kill = new ProcessBuilder("kill", signal, Long.toString(node.process.pid())).inheritIO().start();
    if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
      throw new IllegalStateException("kill " + signal + " " + node.process.pid() + " failed");
    }
  }

  /** Waits until {@code condition} holds, failing after {@code limit}. */
  public static void awaitTrue(String what, Duration limit, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within " + limit + ": " + what);
      }
      Thread.sleep(100);
    }
  }

  /** @return the last lines of a node's log */
  public static String tail(Node node) {
    try {
      List<String> lines = Files.readAllLines(node.log, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  private static <T> T ask(Future<T> future) throws Exception {
    return future.await(ASK.toMillis() + 1000, TimeUnit.MILLISECONDS);
  }

  /** @return how many nodes exited by themselves after SIGTERM in {@link #close()} (no SIGKILL needed) */
  public int stoppedGracefully() {
    return graceful;
  }

  /** Stops the observer and every node; never throws, always bounded. */
  @Override
  public void close() {
    graceful = 0;
    if (observer != null) {
      try {
        observer.close().await(20, TimeUnit.SECONDS);
      } catch (Exception e) {
        // carry on: the nodes must go regardless
      }
    }
    for (Node node : nodes) {
      if (node.process == null) {
        continue;
      }
      if (node.paused) {
        try {
          resume(node); // a stopped process would not act on SIGTERM
        } catch (Exception e) {
          node.process.destroyForcibly();
        }
      }
      node.process.destroy();
    }
    for (Node node : nodes) {
      if (node.process == null) {
        continue;
      }
      try {
        if (node.process.waitFor(20, TimeUnit.SECONDS)) {
          graceful++;
        } else {
          node.process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        node.process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
    try {
      Runtime.getRuntime().removeShutdownHook(killer);
    } catch (IllegalStateException e) {
      // the JVM is already shutting down; the hook runs anyway
    }
  }

  private static Crypto.KeyPair randomKey() {
    byte[] seed = new byte[32];
    new SecureRandom().nextBytes(seed);
    return Crypto.KeyPair.fromSeed(seed);
  }

  /** The files keygen writes: NAME.key (seed hex) and NAME.pub (public key hex). */
  private static void writeKey(Path base, Crypto.KeyPair key) throws IOException {
    Files.writeString(Path.of(base + ".key"), Crypto.hex(key.seed()) + "\n");
    Files.writeString(Path.of(base + ".pub"), key.id() + "\n");
  }

  /**
   * Distinct free loopback ports (bound once, then released), below the ephemeral range
   * (32768+ on Linux) from a random start: a port the OS hands out for port 0 is also what it
   * hands out for outgoing connections (e.g. the other nodes' cluster connections), which
   * could take it before the node binds it.
   */
  private static List<Integer> freePorts(int n) throws IOException {
    List<Integer> ports = new ArrayList<>();
    int start = 15_000 + new SecureRandom().nextInt(15_000);
    for (int port = start; port < 32_000 && ports.size() < n; port++) {
      try (ServerSocket s = new ServerSocket()) {
        s.setReuseAddress(false);
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        ports.add(port);
      } catch (IOException busy) {
        // try the next one
      }
    }
    if (ports.size() < n) {
      throw new IOException("no " + n + " free loopback ports below 32000");
    }
    return ports;
  }

}
