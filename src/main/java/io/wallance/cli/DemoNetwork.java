package io.wallance.cli;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.wallance.cluster.ClusterOptions;
import io.wallance.contract.Contract;
import io.wallance.contract.ContractCatalogue;
import io.wallance.protocol.Crypto;
import io.wallance.protocol.Registry;
import io.wallance.protocol.Signed;
import io.wallance.web.PasswordHash;
import io.wallance.web.WebConfig;
import java.io.IOException;
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
 * A local network on loopback for {@code demo}: fresh keys, a signed genesis registry, one
 * config per node and one for the dashboard in a directory, and one JVM process per node.
 *
 * <p>Children run {@code java ... io.wallance.cli.Main node --config FILE} from the same jar
 * (or classpath) as this process, with {@code -D}{@value ParentWatchdog#PROPERTY} set so they
 * exit by themselves when this process dies, even by {@code kill -9}.
 */
final class DemoNetwork implements AutoCloseable {
  /** The network id of the demo registry. */
  static final String NET = "demo";
  static final String HOST = "127.0.0.1";
  /** Seconds without heartbeat before a member is declared dead: small, for a local demo. */
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
  /** Small heaps and a quick-starting JIT: several node JVMs share a small machine. */
  static final List<String> CHILD_JVM_FLAGS = List.of("-Xms32m", "-Xmx256m", "-XX:+UseSerialGC",
      "-XX:TieredStopAtLevel=1", "-Xshare:auto");

  /** One node of the network. */
  record Node(String name, String id, Path config, Path log) {}

  private final Path dir;
  private final List<Node> nodes;
  private final WebConfig web;
  private final List<Process> processes = new ArrayList<>();

  private DemoNetwork(Path dir, List<Node> nodes, WebConfig web) {
    this.dir = dir;
    this.nodes = nodes;
    this.web = web;
  }

  /**
   * Writes everything a network of {@code count} nodes needs into {@code dir}.
   *
   * @param dir an empty directory
   * @param count number of nodes, named pi1..piN
   * @param httpPort the dashboard's HTTP port
   * @param password the operator password (stored hashed)
   * @param sensorPeriodMillis the sensors' period
   * @return the network, not yet started
   */
  static DemoNetwork create(Path dir, int count, int httpPort, String password, long sensorPeriodMillis)
      throws Exception {
    Path keys = dir.resolve("keys");
    Path conf = dir.resolve("conf");
    Path logs = dir.resolve("logs");
    Files.createDirectories(conf);
    Files.createDirectories(logs);
    String operatorId = KeygenCommand.writeKeyPair(keys, "operator");
    Map<String, String> names = new TreeMap<>();
    for (int i = 1; i <= count; i++) {
      String name = "pi" + i;
      names.put(name, KeygenCommand.writeKeyPair(keys, name));
    }
    Path registryFile = dir.resolve("registry.txt");
    Files.writeString(registryFile, genesis(keys.resolve("operator.key"), operatorId, names, dir), StandardCharsets.US_ASCII);

    List<Integer> ports = freePorts(count + 1);
    List<String> members = ports.stream().map(p -> HOST + ":" + p).toList();
    String cluster = "wallance-demo-" + Long.toUnsignedString(new SecureRandom().nextLong(), 36);
    List<Node> nodes = new ArrayList<>();
    int i = 0;
    for (Map.Entry<String, String> e : names.entrySet()) {
      String name = e.getKey();
      JsonObject json = new JsonObject()
          .put("name", name)
          .put("keyFile", keys.resolve(name + ".key").toString())
          .put("registryFile", registryFile.toString())
          .put("dataDir", dir.resolve("data").resolve(name).toString())
          .putNull("contractsDir")
          .put("sensor", new JsonObject().put("kind", "virtual").put("periodMillis", sensorPeriodMillis)
              .put("randomPeriod", false).put("thermalPath", "/sys/class/thermal/thermal_zone0/temp"))
          .put("cluster", new JsonObject().put("name", cluster).put("host", HOST).put("port", ports.get(i++))
              .put("members", new JsonArray(members)).put("eventBusPort", 0)
              .put("failureDetectionSeconds", FAILURE_DETECTION_SECONDS));
      Path config = conf.resolve(name + ".json");
      Files.writeString(config, json.encodePrettily() + "\n", StandardCharsets.UTF_8);
      nodes.add(new Node(name, e.getValue(), config, logs.resolve(name + ".log")));
    }
    nodes.sort(Comparator.comparingInt(n -> Integer.parseInt(n.name().substring(2))));

    Path hashFile = dir.resolve("operator.password");
    Files.writeString(hashFile, PasswordHash.create(password, PasswordHash.DEFAULT_ITERATIONS).line() + "\n",
        StandardCharsets.US_ASCII);
    WebConfig web = new WebConfig(registryFile, keys.resolve("operator.key"), hashFile, dir.resolve("data").resolve("web"),
        HOST, httpPort, ClusterOptions.loopback(cluster, ports, ports.get(count), true, FAILURE_DETECTION_SECONDS));
    Files.writeString(conf.resolve("web.json"), web.toJson().encodePrettily() + "\n", StandardCharsets.UTF_8);
    return new DemoNetwork(dir, List.copyOf(nodes), web);
  }

  /** The genesis registry of the demo: every node a member, one operator, the bundled catalogue. */
  private static String genesis(Path operatorKey, String operatorId, Map<String, String> names, Path dir)
      throws Exception {
    Crypto.KeyPair operator = WebConfig.readKey(operatorKey, "operator key");
    List<Registry.Party> members = new ArrayList<>();
    names.forEach((name, id) -> members.add(new Registry.Party(id, name)));
    members.sort(Comparator.comparing(Registry.Party::id));
    Map<String, Long> contracts = new TreeMap<>();
    ContractCatalogue catalogue = ContractCatalogue.loadBundled(DemoNetwork.class.getClassLoader(),
        dir.resolve("catalogue"));
    for (Contract c : catalogue.contracts()) {
      contracts.put(c.name(), c.price());
    }
    Registry registry = new Registry(NET, 1, 0, 5, 2, 1, 5, members,
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

  /** Starts one JVM per node; returns at once. */
  void startNodes() throws IOException {
    List<String> base = new ArrayList<>();
    base.add(javaExecutable());
    base.addAll(CHILD_JVM_FLAGS);
    base.addAll(HAZELCAST_JVM_FLAGS);
    base.add("-D" + ParentWatchdog.PROPERTY + "=" + ProcessHandle.current().pid());
    base.add("-cp");
    base.add(classpath());
    base.add(Main.class.getName());
    for (Node node : nodes) {
      List<String> command = new ArrayList<>(base);
      command.addAll(List.of("node", "--config", node.config().toString()));
      Process p = new ProcessBuilder(command)
          .directory(dir.toFile())
          .redirectErrorStream(true)
          .redirectOutput(node.log().toFile())
          .start();
      processes.add(p);
    }
  }

  /** @return a node whose process has exited, with the tail of its log, or null when all run */
  String deadNode() {
    for (int i = 0; i < processes.size(); i++) {
      Process p = processes.get(i);
      if (!p.isAlive()) {
        Node n = nodes.get(i);
        return n.name() + " exited with code " + p.exitValue() + "; the end of its log " + n.log() + ":\n"
            + tail(n.log(), 15);
      }
    }
    return null;
  }

  /**
   * Stops every node: SIGTERM, a bounded wait for a graceful cluster leave, then SIGKILL.
   * Safe to call more than once.
   */
  @Override
  public void close() {
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

  List<Node> nodes() {
    return nodes;
  }

  WebConfig web() {
    return web;
  }

  Path dir() {
    return dir;
  }

  private static String javaExecutable() {
    return ProcessHandle.current().info().command()
        .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
  }

  /** The running jar, or this JVM's classpath when running from classes (development, tests). */
  private static String classpath() {
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

  private static String tail(Path log, int lines) {
    try {
      List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(log unreadable: " + e.getMessage() + ")";
    }
  }
}
