package io.wallance.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import io.wallance.cluster.Addresses;
import io.wallance.cluster.ClusterFactory;
import io.wallance.progress.Progress;
import io.wallance.protocol.Crypto;
import io.wallance.web.WebConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code wallance bench}: starts a real local network (N nodes as cluster members on loopback,
 * spread over P JVM processes), drives purchases from all nodes at once, and reports finality
 * latency, throughput, CPU, signature verifications, messages and memory per purchase and per
 * process, with the Ed25519 verification bound measured in the same run. See
 * {@code docs/BENCHMARKS.md}.
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = {
        "Benchmarks a local network: N nodes (cluster members on loopback) in P JVM processes,",
        "purchases driven from all nodes at once by an observer in this process. Reports finality",
        "latency (request published -> final on every node), throughput, CPU, signatures and",
        "messages per purchase, RSS and heap per process, and the Ed25519 verification bound."
    })
final class BenchCommand implements Callable<Integer> {
  static final String NET = "bench";
  static final String CONTRACT = "Bench";
  /** Hazelcast's partition count property; every member and the observer get the same value. */
  static final String PARTITION_COUNT_PROPERTY = "hazelcast.partition.count";
  /** Hazelcast's timeout of one partition migration (default 300 s). */
  static final String MIGRATION_TIMEOUT_PROPERTY = "hazelcast.partition.migration.timeout";
  static final int MIGRATION_TIMEOUT_SECONDS = 60;
  private static final int DEFAULT_PARTITIONS = 271;
  private static final int LARGE_FLEET_NODES = 8;
  private static final int LARGE_FLEET_MIN_PARTITIONS = 71;
  private static final long READY_SECONDS = 180;
  private static final long READY_SECONDS_PER_NODE = 10;
  private static final long DRAIN_SECONDS = 60;
  /** A run with purchases in flight and none finalized for this long is stuck: it fails, leaving the logs. */
  private static final long STALL_SECONDS = 60;
  private static final long ASK_MILLIS = 10_000;
  private static final long IDLE_MILLIS = 5_000;
  /** The window over which the JIT compilers' CPU must stay under {@link #JIT_SETTLED_SHARE} of the cores. */
  private static final long JIT_WINDOW_MILLIS = 10_000;
  private static final double JIT_SETTLED_SHARE = 0.05;

  @Spec
  private CommandSpec spec;

  @Option(names = "--nodes", paramLabel = "N", defaultValue = "4", description = "Nodes, 3-64. Default: ${DEFAULT-VALUE}.")
  private int count;

  @Option(names = "--processes", paramLabel = "P",
      description = "JVM processes the nodes are spread over (round robin), 1-N. Default: one per node.")
  private Integer processes;

  @Option(names = "--purchases", paramLabel = "K", defaultValue = "200",
      description = "Measured purchases (ignored with --duration). Default: ${DEFAULT-VALUE}.")
  private long purchases;

  @Option(names = "--concurrency", paramLabel = "C",
      description = "Most purchases in flight at once over the fleet (submitted, not yet final everywhere)."
          + " 1 = light load. Default: N (every node buying).")
  private Integer concurrency;

  @Option(names = "--duration", paramLabel = "S", description = "Run for S seconds instead of --purchases K (soak).")
  private Long duration;

  @Option(names = "--rate", paramLabel = "R",
      description = "Submit R purchases per second (fixed rate; still at most C in flight) instead of as fast as"
          + " finality allows.")
  private Double rate;

  @Option(names = "--warmup", paramLabel = "W", defaultValue = "40",
      description = "Purchases before measuring (JIT warm-up, funding). Default: ${DEFAULT-VALUE}.")
  private long warmup;

  @Option(names = "--warmup-seconds", paramLabel = "MAX", defaultValue = "180",
      description = "After the W purchases, keep warming up (same load) until the node JVMs' JIT compilers have"
          + " settled (their threads used under 5 %% of the cores over the last 10 s), at most MAX seconds;"
          + " 0 = only W purchases. Default: ${DEFAULT-VALUE}.")
  private long warmupSeconds;

  @Option(names = "--sensor-period", paramLabel = "MILLIS",
      description = "Sensor period of every node, 100-10000. Default: 100 for N <= 8, else 25 x N.")
  private Long sensorPeriod;

  @Option(names = "--failure-detection", paramLabel = "S",
      description = "Hazelcast failure detection of every member, 2-600 s (heartbeats every S/5 s). Default: 5,"
          + " or N above 5 nodes: with 16-31 members on 2 loaded cores, 5 s dropped live members and their"
          + " subscriptions.")
  private Integer failureDetection;

  @Option(names = "--partitions", paramLabel = "K",
      description = "Hazelcast partition count of every member and of the observer (all must agree), 7-1999."
          + " Default: 271 (Hazelcast's) up to 8 nodes, else the smallest prime >= max(71, 2 x N): at 31"
          + " members 271 partitions were still migrating when the last one registered, and it never joined.")
  private Integer partitions;

  @Option(names = "--sample-seconds", paramLabel = "S", defaultValue = "10",
      description = "Sample RSS and heap of every process this often. Default: ${DEFAULT-VALUE}.")
  private long sampleSeconds;

  @Option(names = "--jvm-profile", paramLabel = "NAME", defaultValue = "default",
      description = "Child JVM options: default (-Xmx256m, 64 MB per node above 4 nodes per process; SerialGC, full JIT), demo (the demo's), or a profile"
          + " conf/jvm/NAME.options bundled in the jar: pi, pc, test. Default: ${DEFAULT-VALUE}.")
  private String jvmProfile;

  @Option(names = "--jvm-option", paramLabel = "FLAG",
      description = "An extra child JVM flag (repeatable); {process} becomes the process number,"
          + " e.g. -XX:StartFlightRecording=filename=node-{process}.jfr")
  private List<String> jvmOptions = new ArrayList<>();

  @Option(names = "--json", paramLabel = "FILE", description = "Also write the result as JSON.")
  private Path json;

  @Option(names = "--keep", description = "Keep the network's directory (keys, configs, logs, ledgers).")
  private boolean keep;

  @Override
  public Integer call() throws Exception {
    int p = processes == null ? count : processes;
    int c = concurrency == null ? count : concurrency;
    long sensor = sensorPeriod != null ? sensorPeriod : count <= 8 ? 100 : 25L * count;
    int failure = failureDetection != null ? failureDetection : Math.max(LocalFleet.FAILURE_DETECTION_SECONDS, count);
    OptionRange options = new OptionRange(spec).check("--nodes", count, 3, 64).check("--processes", p, 1, count);
    if (c < 1 || purchases < 1 || warmup < 0 || warmupSeconds < 0 || sampleSeconds < 1
        || (duration != null && duration < 1) || (rate != null && !(rate > 0))) {
      throw options.fail("--concurrency, --purchases, --duration, --rate and --sample-seconds must be positive,"
          + " --warmup and --warmup-seconds >= 0");
    }
    int partitionCount = partitions != null ? partitions : partitionCount(count);
    options.check("--failure-detection", failure, 2, 600).check("--partitions", partitionCount, 7, 1999)
        .check("--sensor-period", sensor, 100, 10_000);
    List<String> flags = new ArrayList<>(profile(jvmProfile));
    if ("default".equals(jvmProfile)) {
      flags.replaceAll(f -> f.equals("-Xmx256m") ? "-Xmx" + defaultHeapMb(count, p) + "m" : f);
    }
    flags.addAll(jvmOptions);
    // Every member must agree on the partition count (a member with another count is refused):
    // the children get the flag after the user's options, the observer (this JVM) the property.
    flags.add("-D" + PARTITION_COUNT_PROPERTY + "=" + partitionCount);
    System.setProperty(PARTITION_COUNT_PROPERTY, Integer.toString(partitionCount));
    // A migration sent to a member still starting can lose its answer; Hazelcast then waits
    // 300 s before it retries (31 nodes: every migration stalled for 6 minutes). 60 s here.
    flags.add("-D" + MIGRATION_TIMEOUT_PROPERTY + "=" + MIGRATION_TIMEOUT_SECONDS);
    System.setProperty(MIGRATION_TIMEOUT_PROPERTY, Integer.toString(MIGRATION_TIMEOUT_SECONDS));
    quietLibraries();
    PrintWriter out = spec.commandLine().getOut();

    double[] loadBefore = loadAverage();
    out.printf(Locale.ROOT, "bench: measuring Ed25519 verification (BouncyCastle, 1.5 s, one thread); load %s%n",
        Arrays.toString(loadBefore));
    out.flush();
    double verifyPerSecond = verifyRate(1500);
    int cores = Runtime.getRuntime().availableProcessors();

    Path dir = Files.createTempDirectory("wallance-bench-");
    Path contracts = benchCatalogue(dir);
    Map<String, String> env = profileEnv(jvmProfile);
    LocalFleet fleet = LocalFleet.create(dir, new LocalFleet.Spec(NET, count, p, sensor, contracts, flags,
        "wallance-bench", false, env, failure, true));
    Run run = new Run(fleet, out);
    Thread hook = new Thread(run::stop, "bench-stop");
    Runtime.getRuntime().addShutdownHook(hook);
    JsonObject result;
    try {
      out.printf("bench: starting %d nodes in %d processes (profile %s; files in %s)%n", count, p, jvmProfile, dir);
      out.flush();
      run.start();
      result = run.measure(c, sensor);
    } finally {
      run.stop();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // the hook runs anyway
      }
    }
    double needed = (double) count * (count - 1);
    double bound = verifyPerSecond * cores / needed;
    double throughput = result.getDouble("throughput_per_s");
    result.put("verify_per_s_per_core", round(verifyPerSecond)).put("cores", cores)
        .put("verifications_needed_per_purchase", (long) needed)
        .put("bound_per_s", round(bound)).put("bound_ratio", round(throughput / bound, 4));
    double actualPerNode = result.getDouble("signatures_verified_per_purchase_per_node");
    if (actualPerNode > 0) {
      double actualBound = verifyPerSecond * cores / (actualPerNode * count);
      result.put("bound_actual_per_s", round(actualBound)).put("bound_actual_ratio", round(throughput / actualBound, 4));
    }
    result.put("jvm_profile", jvmProfile).put("jvm_flags", new JsonArray(flags))
        .put("jvm_env", new JsonObject(new LinkedHashMap<String, Object>(env))).put("sensor_period_ms", sensor)
        .put("failure_detection_s", failure).put("partitions", partitionCount)
        .put("load_average_before", new JsonArray(List.of(loadBefore[0], loadBefore[1], loadBefore[2])))
        .put("durable", run.durable);
    double[] loadAfter = loadAverage();
    result.put("load_average_after", new JsonArray(List.of(loadAfter[0], loadAfter[1], loadAfter[2])));
    report(out, result);
    if (json != null) {
      Path parent = json.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      Files.writeString(json, result.encodePrettily() + "\n", StandardCharsets.UTF_8);
      out.println("bench: wrote " + json);
    }
    if (!keep) {
      fleet.delete();
    } else {
      out.println("bench: files kept in " + dir);
    }
    out.flush();
    return result.getLong("purchases_finalized") > 0 ? 0 : Main.EXIT_FAILURE;
  }

  /** One run: the fleet, the observer and the load. */
  private final class Run {
    private final LocalFleet fleet;
    private final PrintWriter out;
    private final AtomicBoolean stopped = new AtomicBoolean();
    private volatile Vertx observer;
    private BenchDriver driver;
    private Addresses addresses;
    private List<String> ids;
    boolean durable;
    double idleCores;
    long warmupDone;
    double warmupElapsed;
    Boolean jitSettled;
    Double jitAtWarmupEnd;
    double jitMeasured;

    /** CPU seconds of the JIT compiler threads of every node process. */
    private double fleetJit() {
      double cpu = 0;
      for (Process process : fleet.processes()) {
        cpu += JitCpu.seconds(process.pid());
      }
      return cpu;
    }

    /**
     * The fleet's JIT compiler CPU over the last {@value #JIT_WINDOW_MILLIS} ms, sampled each
     * time it is asked (at most every 0.5 s): settled once that window is full and its use is
     * under {@value #JIT_SETTLED_SHARE} of the machine's cores.
     */
    private final class JitWindow {
      private final List<double[]> points = new ArrayList<>();
      private final double limit = JIT_SETTLED_SHARE * Runtime.getRuntime().availableProcessors();
      private final double window = JIT_WINDOW_MILLIS / 1000.0;
      private double cores = Double.NaN;
      private boolean settled;

      boolean settled() {
        double now = System.nanoTime() / 1e9;
        if (!settled && (points.isEmpty() || now - points.get(points.size() - 1)[0] >= 0.5)) {
          points.add(new double[] {now, fleetJit()});
          while (points.size() > 2 && now - points.get(1)[0] >= window) {
            points.remove(0); // the window stays at least as long as asked, and no longer
          }
          double[] first = points.get(0);
          if (now - first[0] >= window) {
            cores = (points.get(points.size() - 1)[1] - first[1]) / (now - first[0]);
            settled = cores < limit;
          }
        }
        return settled;
      }

      Double cores() {
        return Double.isNaN(cores) ? null : round(cores, 3);
      }
    }

    private double fleetCpu() {
      double cpu = 0;
      for (Process process : fleet.processes()) {
        cpu += cpuSeconds(process.toHandle());
      }
      return cpu;
    }

    /** CPU of the node processes' finished children: the contract runs. */
    private double fleetChildrenCpu() {
      double cpu = 0;
      for (Process process : fleet.processes()) {
        cpu += JitCpu.childrenSeconds(process.pid());
      }
      return cpu;
    }

    Run(LocalFleet fleet, PrintWriter out) {
      this.fleet = fleet;
      this.out = out;
    }

    void start() throws Exception {
      fleet.startNodes();
      addresses = new Addresses(NET);
      ids = fleet.nodes().stream().map(LocalFleet.Node::id).toList();
      awaitRunning();
      observer = joinAsObserver();
      awaitClusterSafe();
      Crypto.KeyPair operator = WebConfig.readKey(fleet.operatorKey(), "operator key");
      driver = new BenchDriver(observer, addresses, operator, NET, ids, CONTRACT);
      driver.listen().await(READY_SECONDS, TimeUnit.SECONDS);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(READY_SECONDS);
      try (Progress progress = Progress.forTerminal("bench start", count)) {
        for (int i = 0; i < ids.size(); i++) {
          while (true) {
            failIfDead();
            try {
              query(ids.get(i));
              break;
            } catch (Exception notYet) {
              if (System.nanoTime() > deadline) {
                throw new IllegalStateException("node " + fleet.nodes().get(i).name() + " did not answer within "
                    + READY_SECONDS + " s; see " + fleet.nodes().get(i).log());
              }
              Thread.sleep(200);
            }
          }
          progress.update(i + 1, "nodes answering");
        }
      }
    }

    /**
     * Waits until Hazelcast has no partition migration running (every member joined moves
     * partitions of the event bus's subscription map): a subscription look-up on a migrating
     * partition blocked a node's worker for 100 s at 16 members and load 50-80, and with it
     * every purchase. Bounded like the start; a fleet still migrating then is reported, not waited for.
     */
    private void awaitClusterSafe() throws InterruptedException {
      if (!(observer instanceof VertxInternal vi) || !(vi.clusterManager() instanceof HazelcastClusterManager cm)) {
        return;
      }
      long start = System.nanoTime();
      long deadline = start + TimeUnit.SECONDS.toNanos(READY_SECONDS);
      while (!cm.getHazelcastInstance().getPartitionService().isClusterSafe()) {
        failIfDead();
        if (System.nanoTime() > deadline) {
          out.println("bench: partitions still migrating after " + READY_SECONDS + " s; driving purchases anyway");
          out.flush();
          return;
        }
        Thread.sleep(500);
      }
      long waited = (System.nanoTime() - start) / 1_000_000L;
      if (waited > 1000) {
        out.printf(Locale.ROOT, "bench: waited %.1f s for partition migrations to end%n", waited / 1000.0);
        out.flush();
      }
    }

    /**
     * Joins as a lite member. A lite member that comes first (the nodes' Hazelcast ports are
     * open before they have formed a cluster) fails with "all nodes in the cluster are lite
     * members"; it leaves and tries again until the deadline.
     */
    private Vertx joinAsObserver() throws Exception {
      return fleet.joinAsObserver(out, "bench", READY_SECONDS, this::failIfDead);
    }

    /**
     * Waits until every node has logged that it runs (it has joined the cluster and deployed
     * its verticles), so the observer, a lite member, never joins a cluster of its own. Members
     * join one after the other (each join moves partitions), so a large fleet on a loaded
     * machine needs longer: it fails once no node has joined for {@value #READY_SECONDS} s, or
     * after {@value #READY_SECONDS} s plus {@value #READY_SECONDS_PER_NODE} s per node.
     */
    private void awaitRunning() throws Exception {
      long start = System.nanoTime();
      long deadline = start + TimeUnit.SECONDS.toNanos(READY_SECONDS + READY_SECONDS_PER_NODE * count);
      long lastJoin = start;
      int joined = 0;
      try (Progress progress = Progress.forTerminal("bench start", count)) {
        while (true) {
          failIfDead();
          int running = 0;
          for (LocalFleet.Node node : fleet.nodes()) {
            if (logged(node.log(), "node " + node.name() + " (", " running on network ")) {
              running++;
            }
          }
          progress.update(running, "nodes joined");
          if (running == count) {
            return;
          }
          long now = System.nanoTime();
          if (running > joined) {
            joined = running;
            lastJoin = now;
          }
          if (now > deadline || now - lastJoin > TimeUnit.SECONDS.toNanos(READY_SECONDS)) {
            throw new IllegalStateException("only " + running + " of " + count + " nodes started within "
                + (now - start) / 1_000_000_000L + " s (none in the last " + (now - lastJoin) / 1_000_000_000L
                + " s); see the logs in " + fleet.dir().resolve("logs"));
          }
          Thread.sleep(500);
        }
      }
    }

    private static boolean logged(Path log, String start, String contains) {
      try {
        return Files.readAllLines(log, StandardCharsets.ISO_8859_1).stream()
            .anyMatch(l -> l.contains(start) && l.contains(contains));
      } catch (IOException | java.io.UncheckedIOException e) {
        return false; // not written yet
      }
    }

    private void failIfDead() {
      LocalFleet.Node dead = fleet.deadNode();
      if (dead != null) {
        throw new IllegalStateException("node " + dead.name() + " exited with code " + fleet.exitCode(dead)
            + "; the end of its log " + dead.log() + ":\n" + LocalFleet.tail(dead.log(), 15));
      }
    }

    JsonObject query(String id) throws Exception {
      return observer.eventBus().<JsonObject>request(addresses.query(id), new JsonObject(),
          new DeliveryOptions().setSendTimeout(ASK_MILLIS)).await(ASK_MILLIS + 1000, TimeUnit.MILLISECONDS).body();
    }

    JsonObject measure(int c, long sensor) throws Exception {
      // Warm-up: JIT, address lookups, first funds. Not measured.
      long warmStart = System.nanoTime();
      long warmBase = driver.finalizedEverywhere();
      if (warmup > 0) {
        drive(warmup, null, c, null, "bench warm-up", null);
      }
      if (warmupSeconds > 0) {
        JitWindow jit = new JitWindow();
        drive(Long.MAX_VALUE, System.nanoTime() + TimeUnit.SECONDS.toNanos(warmupSeconds), c, null,
            "bench warm-up (until the JIT settles)", jit::settled);
        jitSettled = jit.settled();
        jitAtWarmupEnd = jit.cores();
      }
      warmupDone = driver.finalizedEverywhere() - warmBase;
      warmupElapsed = (System.nanoTime() - warmStart) / 1e9;
      // Background cost after the warm-up, with no purchases (sensors, timers, status, observer events).
      double idleBefore = fleetCpu();
      long idleStart = System.nanoTime();
      Thread.sleep(IDLE_MILLIS);
      idleCores = (fleetCpu() - idleBefore) / ((System.nanoTime() - idleStart) / 1e9);
      driver.startCounting();
      Snapshot before = snapshot();
      double jitBefore = fleetJit();
      List<JsonObject> samples = new ArrayList<>();
      samples.add(sample(before, 0));
      long t0 = System.nanoTime();
      Long until = duration == null ? null : t0 + TimeUnit.SECONDS.toNanos(duration);
      drive(duration == null ? purchases : Long.MAX_VALUE, until, c, s -> samples.add(sample(null, s)),
          duration == null ? "bench" : "bench soak", null);
      long last = driver.lastFinalAt();
      long t1 = duration == null && last > t0 ? last : System.nanoTime();
      Snapshot after = snapshot();
      jitMeasured = (fleetJit() - jitBefore) / ((System.nanoTime() - t0) / 1e9);
      samples.add(sample(after, (System.nanoTime() - t0) / 1e9));
      durable = fleet.nodes().stream().anyMatch(n -> Files.exists(fleet.dir().resolve("data").resolve(n.name())
          .resolve("ledger.db")));
      return result(before, after, (t1 - t0) / 1e9, c, samples);
    }

    /**
     * Submits purchases until {@code target} are final everywhere (or the deadline passes),
     * keeping at most {@code c} in flight; then waits for those in flight.
     */
    private void drive(long target, Long until, int c, java.util.function.DoubleConsumer sampler, String task,
        java.util.function.BooleanSupplier enough) throws Exception {
      long base = driver.finalizedEverywhere();
      long submittedBase = driver.submitted();
      long started = System.nanoTime();
      long nextSample = started + TimeUnit.SECONDS.toNanos(sampleSeconds);
      double perSubmit = rate == null ? 0 : 1e9 / rate;
      long nextSubmit = started;
      long lastDone = -1;
      long lastProgress = started;
      long seconds = until == null ? 0 : Math.max(1, (until - started + 999_999_999L) / 1_000_000_000L);
      try (Progress progress = Progress.forTerminal(task, until == null ? target : seconds)) {
        while (true) {
          long now = System.nanoTime();
          long done = driver.finalizedEverywhere() - base;
          if (done != lastDone || driver.inFlight() == 0) {
            lastDone = done;
            lastProgress = now;
          } else if (now - lastProgress > TimeUnit.SECONDS.toNanos(STALL_SECONDS)) {
            throw new IllegalStateException("no purchase finalized for " + STALL_SECONDS + " s with "
                + driver.inFlight() + " in flight; node logs are kept in " + fleet.dir().resolve("logs"));
          }
          progress.update(until == null ? done : (now - started) / 1_000_000_000L,
              "final=" + done + " inflight=" + driver.inFlight() + " errors=" + driver.errors().values().stream()
                  .mapToLong(Long::longValue).sum());
          if (sampler != null && now >= nextSample) {
            sampler.accept((now - started) / 1e9);
            nextSample += TimeUnit.SECONDS.toNanos(sampleSeconds);
          }
          boolean over = until != null ? now >= until : driver.submitted() - submittedBase >= target;
          over |= enough != null && enough.getAsBoolean();
          if (over) {
            break;
          }
          failIfDead();
          if (rate != null && now < nextSubmit) {
            Thread.sleep(Math.max(0, Math.min(50, (nextSubmit - now) / 1_000_000)), 0);
            continue;
          }
          if (!driver.awaitBelow(c, Math.min(now + 200_000_000L, until == null ? Long.MAX_VALUE : until))) {
            if (rate != null) {
              nextSubmit = System.nanoTime(); // behind: a fixed rate never builds a backlog beyond C
            }
            continue;
          }
          driver.submit();
          if (rate != null) {
            nextSubmit += (long) perSubmit;
          }
        }
        long drainDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(DRAIN_SECONDS);
        while (driver.inFlight() > 0 && System.nanoTime() < drainDeadline) {
          failIfDead();
          driver.awaitBelow(1, Math.min(drainDeadline, System.nanoTime() + 200_000_000L));
          progress.update(until == null ? driver.finalizedEverywhere() - base : seconds,
              "draining inflight=" + driver.inFlight());
        }
      }
    }

    /** The node view's {@code perf} counters that a snapshot sums over the nodes. */
    private static final List<String> COUNTERS = List.of("signaturesVerified", "signaturesCached",
        "signatureCpuNanos", "messagesSent", "framesSent", "eventMessages", "messagesReceived", "journalCommits",
        "rewardsResident", "rewardsEvicted");

    /** Node counters ({@link #COUNTERS}, summed over the nodes) and CPU time of every node process. */
    private record Snapshot(Map<String, Long> counters, double cpuSeconds, double childCpuSeconds,
        double benchCpuSeconds, Map<Long, JsonObject> perf) {

      /** How much {@code counter} grew since {@code before}. */
      long since(Snapshot before, String counter) {
        return counters.get(counter) - before.counters.get(counter);
      }
    }

    private Snapshot snapshot() throws Exception {
      Map<String, Long> counters = new LinkedHashMap<>();
      COUNTERS.forEach(c -> counters.put(c, 0L));
      Map<Long, JsonObject> perf = new LinkedHashMap<>();
      for (String id : ids) {
        JsonObject p = query(id).getJsonObject("perf", new JsonObject());
        COUNTERS.forEach(c -> counters.merge(c, p.getLong(c, 0L), Long::sum));
        perf.put(p.getLong("pid", -1L), p);
      }
      return new Snapshot(counters, fleetCpu(), fleetChildrenCpu(), cpuSeconds(ProcessHandle.current()), perf);
    }

    private JsonObject sample(Snapshot known, double t) {
      JsonArray rss = new JsonArray();
      JsonArray heap = new JsonArray();
      JsonArray heapAfterGc = new JsonArray();
      JsonArray rewards = new JsonArray();
      Map<Long, JsonObject> perf = known != null ? known.perf() : null;
      if (perf == null) {
        perf = new LinkedHashMap<>();
        for (String id : ids) {
          try {
            JsonObject p = query(id).getJsonObject("perf", new JsonObject());
            perf.put(p.getLong("pid", -1L), p);
          } catch (Exception e) {
            // a node busy past the timeout: its heap is missing from this sample
          }
        }
      }
      for (Process process : fleet.processes()) {
        rss.add(round(rssMb(process.pid()), 1));
        JsonObject p = perf.get(process.pid());
        heap.add(p == null ? null : round(p.getLong("heapUsedBytes", 0L) / 1048576.0, 1));
        heapAfterGc.add(p == null ? null : round(p.getLong("heapAfterGcBytes", 0L) / 1048576.0, 1));
        rewards.add(p == null ? null : p.getLong("rewardsResident"));
      }
      return new JsonObject().put("t_s", round(t, 1)).put("finalized", driver.countedFinalized()).put("rss_mb", rss)
          .put("heap_mb", heap).put("heap_after_gc_mb", heapAfterGc).put("rewards_resident", rewards);
    }

    private JsonObject result(Snapshot before, Snapshot after, double seconds, int c, List<JsonObject> samples) {
      long finals = driver.countedFinalized();
      double per = Math.max(1, finals);
      long verified = after.since(before, "signaturesVerified");
      long verifyNanos = after.since(before, "signatureCpuNanos");
      JsonObject last = samples.get(samples.size() - 1);
      JsonObject r = new JsonObject()
          .put("nodes", count).put("processes", fleet.spec().processes())
          .put("purchases_submitted", driver.countedSubmitted())
          .put("purchases_finalized", finals)
          .put("purchases_unfinished", driver.countedSubmitted() - finals)
          .put("warmup_purchases", warmupDone)
          .put("warmup_seconds", round(warmupElapsed, 1))
          .put("jit_settled", jitSettled)
          .put("jit_cpu_cores_at_warmup_end", jitAtWarmupEnd)
          .put("jit_cpu_cores", round(jitMeasured, 3))
          .put("concurrency", c).put("rate_per_s", rate)
          .put("seconds", round(seconds, 2))
          .put("latency_ms", percentiles(driver.latencies()))
          .put("node_latency_ms", percentiles(driver.nodeLatencies()))
          .put("throughput_per_s", round(finals / Math.max(seconds, 1e-9), 2))
          .put("cpu_ms_per_purchase", round((after.cpuSeconds() - before.cpuSeconds()) * 1000 / per, 3))
          .put("contract_cpu_ms_per_purchase", round((after.childCpuSeconds() - before.childCpuSeconds()) * 1000 / per, 3))
          .put("bench_cpu_ms_per_purchase", round((after.benchCpuSeconds() - before.benchCpuSeconds()) * 1000 / per, 3))
          .put("idle_cpu_cores", round(idleCores, 3))
          .put("cpu_utilisation_cores", round((after.cpuSeconds() - before.cpuSeconds()) / Math.max(seconds, 1e-9), 2))
          .put("signatures_verified_per_purchase_per_node", round(verified / per / count, 2))
          .put("signatures_cached_per_purchase_per_node",
              round(after.since(before, "signaturesCached") / per / count, 2))
          .put("verify_cpu_ms_per_purchase", round(verifyNanos / 1e6 / per, 3))
          .put("verify_us_in_nodes", round(verifyNanos / 1e3 / Math.max(1, verified), 1))
          .put("verify_share_of_node_cpu", round(verifyNanos / 1e9
              / Math.max(1e-9, after.cpuSeconds() - before.cpuSeconds()), 3))
          .put("messages_per_purchase", round(after.since(before, "messagesSent") / per, 2))
          .put("frames_per_purchase", round(after.since(before, "framesSent") / per, 2))
          .put("event_messages_per_purchase", round(after.since(before, "eventMessages") / per, 2))
          .put("journal_commits_per_purchase_per_node", round(after.since(before, "journalCommits") / per / count, 2))
          .put("messages_received_per_purchase", round(after.since(before, "messagesReceived") / per, 2))
          .put("rss_mb", last.getJsonArray("rss_mb"))
          .put("heap_mb", last.getJsonArray("heap_mb"))
          .put("heap_after_gc_mb", last.getJsonArray("heap_after_gc_mb"))
          .put("rss_mb_max", maxOver(samples, "rss_mb"))
          .put("rewards_resident_per_node", round((double) after.counters().get("rewardsResident") / count, 1))
          .put("rewards_evicted_per_node", round((double) after.counters().get("rewardsEvicted") / count, 1))
          .put("errors", new JsonObject(new LinkedHashMap<>(driver.errors())))
          .put("samples", new JsonArray(samples));
      return r;
    }

    /** Stops the observer and every node process (SIGTERM, then SIGKILL after a grace period). Once. */
    void stop() {
      if (!stopped.compareAndSet(false, true)) {
        return;
      }
      Vertx o = observer;
      if (o != null) {
        try {
          o.close().await(20, TimeUnit.SECONDS);
        } catch (Exception e) {
          // the nodes must go regardless
        }
      }
      fleet.close();
    }
  }

  private static JsonArray maxOver(List<JsonObject> samples, String field) {
    JsonArray max = new JsonArray();
    for (JsonObject s : samples) {
      JsonArray a = s.getJsonArray(field);
      for (int i = 0; i < a.size(); i++) {
        Double v = a.getDouble(i);
        if (i >= max.size()) {
          max.add(v);
        } else if (v != null && (max.getDouble(i) == null || v > max.getDouble(i))) {
          max.set(i, v);
        }
      }
    }
    return max;
  }

  static JsonObject percentiles(List<Double> values) {
    double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    JsonObject o = new JsonObject().put("count", v.length);
    if (v.length == 0) {
      return o.putNull("p50").putNull("p90").putNull("p99").putNull("max");
    }
    return o.put("p50", round(pct(v, 0.50), 2)).put("p90", round(pct(v, 0.90), 2)).put("p99", round(pct(v, 0.99), 2))
        .put("max", round(v[v.length - 1], 2)).put("min", round(v[0], 2));
  }

  /** Nearest-rank percentile. */
  private static double pct(double[] sorted, double q) {
    int rank = (int) Math.ceil(q * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }

  static double round(double v) {
    return round(v, 1);
  }

  static double round(double v, int digits) {
    double f = Math.pow(10, digits);
    return Math.round(v * f) / f;
  }

  /**
   * This machine's Ed25519 verification rate on one thread with BouncyCastle (the node's
   * provider), over distinct messages of vote size, after a short warm-up.
   */
  static double verifyRate(long millis) {
    SecureRandom random = new SecureRandom();
    byte[] seed = new byte[32];
    random.nextBytes(seed);
    Crypto.KeyPair key = Crypto.KeyPair.fromSeed(seed);
    byte[] pub = Crypto.unhex(key.id());
    int n = 256;
    byte[][] messages = new byte[n][];
    byte[][] sigs = new byte[n][];
    for (int i = 0; i < n; i++) {
      messages[i] = new byte[300];
      random.nextBytes(messages[i]);
      sigs[i] = key.sign(messages[i]);
    }
    long warm = System.nanoTime() + 300_000_000L;
    int i = 0;
    while (System.nanoTime() < warm) {
      check(Crypto.verify(pub, messages[i % n], sigs[i % n]));
      i++;
    }
    long start = System.nanoTime();
    long end = start + millis * 1_000_000L;
    long done = 0;
    long now;
    do {
      check(Crypto.verify(pub, messages[(int) (done % n)], sigs[(int) (done % n)]));
      done++;
      now = System.nanoTime();
    } while (now < end);
    return done / ((now - start) / 1e9);
  }

  private static void check(boolean ok) {
    if (!ok) {
      throw new IllegalStateException("a valid Ed25519 signature did not verify");
    }
  }

  /** Total CPU time of a process (user + system), from /proc via ProcessHandle. */
  static double cpuSeconds(ProcessHandle h) {
    return h.info().totalCpuDuration().map(Duration::toNanos).orElse(0L) / 1e9;
  }

  /** Resident set size of a process from /proc/PID/status (VmRSS), 0 when unreadable. */
  static double rssMb(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
        }
      }
    } catch (IOException | NumberFormatException e) {
      // not Linux, or the process is gone
    }
    return 0;
  }

  /** The 1-, 5- and 15-minute load average from /proc/loadavg. */
  /**
   * The partition count for a fleet of {@code nodes} members: Hazelcast's 271 up to
   * {@value #LARGE_FLEET_NODES} nodes (what every smaller run was measured with), else the
   * smallest prime at least max({@value #LARGE_FLEET_MIN_PARTITIONS}, 2 x nodes). Each join
   * migrates partitions; at 31 members 271 of them were still moving when the last member
   * registered its consumers, and its registration was retried until its start timed out.
   *
   * @param nodes the fleet's node count
   * @return the partition count every member and the observer use
   */
  static int partitionCount(int nodes) {
    if (nodes <= LARGE_FLEET_NODES) {
      return DEFAULT_PARTITIONS;
    }
    int k = Math.max(LARGE_FLEET_MIN_PARTITIONS, 2 * nodes);
    while (!isPrime(k)) {
      k++;
    }
    return k;
  }

  /**
   * The default profile's heap per process: 256 MB, or 64 MB per logical node above 4 nodes
   * per process (31 nodes in 4 processes filled 256 MB to 84-95 % with 11-13 full collections
   * before the first purchase).
   *
   * @param nodes the fleet's node count
   * @param processes the number of node processes
   * @return the maximum heap in MB
   */
  static int defaultHeapMb(int nodes, int processes) {
    int perProcess = (nodes + processes - 1) / processes;
    return Math.max(256, 64 * perProcess);
  }

  private static boolean isPrime(int k) {
    if (k < 2) {
      return false;
    }
    for (int d = 2; (long) d * d <= k; d++) {
      if (k % d == 0) {
        return false;
      }
    }
    return true;
  }

  static double[] loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return new double[] {Double.parseDouble(f[0]), Double.parseDouble(f[1]), Double.parseDouble(f[2])};
    } catch (IOException | RuntimeException e) {
      return new double[] {-1, -1, -1};
    }
  }

  /** The child JVM flags of a profile. */
  static List<String> profile(String name) throws IOException {
    switch (name) {
      case "default":
        return List.of("-Xms64m", "-Xmx256m", "-XX:+UseSerialGC", "-Xshare:auto");
      case "demo":
        return LocalFleet.CHILD_JVM_FLAGS;
      default:
        InputStream found = name.matches("[a-z0-9-]{1,32}")
            ? BenchCommand.class.getResourceAsStream("/conf/jvm/" + name + ".options") : null;
        if (found == null) {
          throw new IllegalArgumentException("--jvm-profile must be default, demo or a conf/jvm/NAME.options in the"
              + " jar (pi, pc, test), got " + name);
        }
        try (InputStream in = found) {
          return parseOptions(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }
  }

  /**
   * The environment of a profile's node processes: {@code conf/jvm/NAME.env} bundled in the jar
   * (systemd {@code EnvironmentFile=} syntax, which Ansible's unit reads), or none.
   */
  static Map<String, String> profileEnv(String name) throws IOException {
    InputStream found = name.matches("[a-z0-9-]{1,32}")
        ? BenchCommand.class.getResourceAsStream("/conf/jvm/" + name + ".env") : null;
    if (found == null) {
      return Map.of();
    }
    try (InputStream in = found) {
      return parseEnv(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
  }

  /** {@code KEY=VALUE} lines; blank lines and lines starting with {@code #} are skipped. */
  static Map<String, String> parseEnv(String text) {
    Map<String, String> env = new LinkedHashMap<>();
    for (String line : text.split("\n")) {
      String l = line.strip();
      if (l.isEmpty() || l.startsWith("#")) {
        continue;
      }
      int eq = l.indexOf('=');
      if (eq <= 0 || !l.substring(0, eq).matches("[A-Za-z_][A-Za-z0-9_]*")) {
        throw new IllegalArgumentException("not a KEY=VALUE line in a JVM profile's environment: " + l);
      }
      env.put(l.substring(0, eq), l.substring(eq + 1));
    }
    return env;
  }

  /** A {@code java @file} options file: whitespace-separated flags, {@code #} starts a comment line. */
  static List<String> parseOptions(String text) {
    List<String> flags = new ArrayList<>();
    for (String line : text.split("\n")) {
      String l = line.strip();
      if (!l.isEmpty() && !l.startsWith("#")) {
        flags.addAll(Arrays.asList(l.split("\\s+")));
      }
    }
    return flags;
  }

  /** The bench's catalogue: one contract of price 1 whose action is {@code true} (a cheap process). */
  static Path benchCatalogue(Path dir) throws IOException {
    Path contract = Files.createDirectories(dir.resolve("contracts").resolve(CONTRACT));
    Files.writeString(contract.resolve("contract.json"), new JsonObject().put("name", CONTRACT).put("price", 1)
        .put("description", "bench: the cheapest purchase (runs true)")
        .put("action", new JsonObject().put("command", new JsonArray().add("true")).put("timeoutSeconds", 10))
        .encodePrettily() + "\n", StandardCharsets.UTF_8);
    return dir.resolve("contracts");
  }

  private static void report(PrintWriter out, JsonObject r) {
    JsonObject l = r.getJsonObject("latency_ms");
    JsonObject nl = r.getJsonObject("node_latency_ms");
    out.printf(Locale.ROOT, "bench: %d nodes in %d processes, concurrency %d%s, profile %s, durable %s%n",
        r.getInteger("nodes"), r.getInteger("processes"), r.getInteger("concurrency"),
        r.getValue("rate_per_s") == null ? "" : ", rate " + r.getValue("rate_per_s") + "/s", r.getString("jvm_profile"),
        r.getBoolean("durable"));
    Boolean settled = r.getBoolean("jit_settled");
    out.printf(Locale.ROOT, "  warm-up              %d purchases in %.1f s; JIT %s; JIT while measuring %.3f cores%n",
        r.getLong("warmup_purchases"), r.getDouble("warmup_seconds"), settled == null ? "not waited for"
            : (settled ? "settled" : "NOT settled") + " (" + r.getValue("jit_cpu_cores_at_warmup_end")
                + " cores at the end)", r.getDouble("jit_cpu_cores"));
    out.printf(Locale.ROOT, "  finalized            %d of %d in %.1f s (%s unfinished)%n", r.getLong("purchases_finalized"),
        r.getLong("purchases_submitted"), r.getDouble("seconds"), r.getLong("purchases_unfinished"));
    out.printf(Locale.ROOT, "  finality (all nodes) p50 %s  p90 %s  p99 %s  max %s ms%n", l.getValue("p50"),
        l.getValue("p90"), l.getValue("p99"), l.getValue("max"));
    out.printf(Locale.ROOT, "  finality (per node)  p50 %s  p90 %s  p99 %s  max %s ms%n", nl.getValue("p50"),
        nl.getValue("p90"), nl.getValue("p99"), nl.getValue("max"));
    out.printf(Locale.ROOT, "  throughput           %.2f purchases/s; bound %.1f/s (%.0f verify/s/core x %d cores / %d);"
        + " ratio %.3f%n", r.getDouble("throughput_per_s"), r.getDouble("bound_per_s"),
        r.getDouble("verify_per_s_per_core"), r.getInteger("cores"), r.getLong("verifications_needed_per_purchase"),
        r.getDouble("bound_ratio"));
    out.printf(Locale.ROOT, "  cpu                  %.2f cores busy under load, %.3f cores idle (no purchases)%n",
        r.getDouble("cpu_utilisation_cores"), r.getDouble("idle_cpu_cores"));
    out.printf(Locale.ROOT, "  per purchase         cpu %.2f ms (nodes; their contract runs %.2f ms; bench %.2f ms),"
        + " signatures verified/node %.2f"
        + " (cached %.2f), messages sent %.1f in %.1f frames, event messages %.1f, ledger commits/node %.2f%n",
        r.getDouble("cpu_ms_per_purchase"), r.getDouble("contract_cpu_ms_per_purchase"),
        r.getDouble("bench_cpu_ms_per_purchase"),
        r.getDouble("signatures_verified_per_purchase_per_node"), r.getDouble("signatures_cached_per_purchase_per_node"),
        r.getDouble("messages_per_purchase"), r.getDouble("frames_per_purchase"),
        r.getDouble("event_messages_per_purchase"), r.getDouble("journal_commits_per_purchase_per_node"));
    out.printf(Locale.ROOT, "  verification         %.1f us each in the nodes (%.1f in the probe), %.2f ms per purchase = %.1f %%"
        + " of the nodes' CPU%n", r.getDouble("verify_us_in_nodes"), 1e6 / r.getDouble("verify_per_s_per_core"),
        r.getDouble("verify_cpu_ms_per_purchase"), 100 * r.getDouble("verify_share_of_node_cpu"));
    out.printf(Locale.ROOT, "  memory per process   rss %s MB (max %s), heap %s MB, heap after GC %s MB%n",
        r.getJsonArray("rss_mb").encode(), r.getJsonArray("rss_mb_max").encode(), r.getJsonArray("heap_mb").encode(),
        r.getJsonArray("heap_after_gc_mb").encode());
    out.printf(Locale.ROOT, "  reward books         %.1f rewards resident per node, %.1f spent and evicted to the store%n",
        r.getDouble("rewards_resident_per_node"), r.getDouble("rewards_evicted_per_node"));
    out.printf(Locale.ROOT, "  load average         before %s after %s; errors %s%n",
        r.getJsonArray("load_average_before").encode(), r.getJsonArray("load_average_after").encode(),
        r.getJsonObject("errors").encode());
  }

  /** Our lines, not Hazelcast's and Vert.x's INFO chatter. */
  static void quietLibraries() {
    if (LoggerFactory.getLogger("com.hazelcast") instanceof Logger hazelcast) {
      hazelcast.setLevel(Level.ERROR);
    }
    if (LoggerFactory.getLogger("io.vertx") instanceof Logger vertx) {
      vertx.setLevel(Level.WARN);
    }
  }
}
