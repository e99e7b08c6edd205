package io.wallance.cli;

import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.wallance.cluster.Addresses;
import io.wallance.cluster.ClusterFactory;
import io.wallance.node.InboundDelay;
import io.wallance.progress.Progress;
import io.wallance.protocol.Crypto;
import io.wallance.web.WebConfig;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One {@code chaos} run, inside the control namespace: starts the nodes in their namespaces
 * (a {@link LocalFleet} whose placement wraps every node in {@code ip netns exec}), joins as
 * the observer, buys continuously ({@link ChaosWorkload}), injects the faults one after the
 * other (inject, hold, heal, await recovery), then stops buying and checks safety, convergence
 * and liveness. See {@code docs/RELIABILITY.md}.
 */
final class ChaosRun {
  static final String NET = "chaos";
  private static final long READY_SECONDS = 180;
  private static final long ASK_MILLIS = 10_000;
  private static final long TICK_MILLIS = 100;
  private static final long CONVERGE_SECONDS = 120;
  private static final long DRAIN_SECONDS = 60;
  /** The disk-full node's data directory: a tmpfs of this size, in the harness's mount namespace. */
  static final String DISK_SIZE = "48m";

  /** What the run does. */
  record Options(int nodes, List<ChaosFault> faults, int rounds, long holdSeconds, long recoverySeconds,
      long sensorMillis, long skewMinutes, int lossPercent, long delayMillis, Path faketime, long seed,
      boolean keep) {}

  /** One injected fault, as reported. */
  record Episode(ChaosFault fault, List<String> victims, String detail, double injectedAt, double healedAt,
      Double recoverySeconds, Double votedAgainSeconds, long finalizedDuringHold) {}

  private final Options options;
  private final ChaosNetwork network;
  private final PrintWriter out;
  private final Random random;
  private final AtomicBoolean stopped = new AtomicBoolean();
  private final Map<Integer, List<String>> environment = new HashMap<>();
  private final List<Episode> episodes = new ArrayList<>();
  private LocalFleet fleet;
  private volatile Vertx observer;
  private ChaosWorkload workload;
  private Addresses addresses;
  private List<String> ids;
  private long started;
  private long ticker = -1;

  ChaosRun(Options options, ChaosNetwork network, PrintWriter out) {
    this.options = options;
    this.network = network;
    this.out = out;
    this.random = new Random(options.seed());
  }

  /** The file a node's {@link InboundDelay} reads its delay from. */
  private Path delayFile(int index) {
    return fleet.dir().resolve("delay-" + fleet.nodes().get(index).name() + ".txt");
  }

  /** The node whose data directory is a small tmpfs (the disk-full victim): the last one. */
  private int diskNode() {
    return options.nodes() - 1;
  }

  /**
   * Runs everything and returns the result (also when a check fails); the fleet is stopped
   * before it returns.
   */
  JsonObject run() throws Exception {
    Path dir = Files.createTempDirectory("wallance-chaos-");
    Path contracts = BenchCommand.benchCatalogue(dir);
    LocalFleet.Placement placement = new LocalFleet.Placement() {
      @Override
      public String host(int index) {
        return network.nodeAddress(index);
      }

      @Override
      public String observerHost() {
        return network.controlAddress();
      }

      @Override
      public List<String> command(LocalFleet.Node node, List<String> java) {
        int index = fleet.nodes().indexOf(node);
        List<String> command = new ArrayList<>(network.inNode(index));
        List<String> env = environment.get(index);
        if (env != null && !env.isEmpty()) {
          command.add("env");
          command.addAll(env);
        }
        command.add(java.get(0));
        command.add("-D" + InboundDelay.PROPERTY + "=" + delayFile(index));
        command.addAll(java.subList(1, java.size()));
        return command;
      }
    };
    fleet = LocalFleet.create(dir, new LocalFleet.Spec(NET, options.nodes(), options.nodes(), options.sensorMillis(),
        contracts, LocalFleet.CHILD_JVM_FLAGS, "wallance-chaos", false), placement);
    started = System.nanoTime();
    double[] loadBefore = BenchCommand.loadAverage();
    try {
      if (options.faults().contains(ChaosFault.DISK)) {
        Path data = dir.resolve("data").resolve(fleet.nodes().get(diskNode()).name());
        Files.createDirectories(data);
        ChaosNetwork.exec("mount", "-t", "tmpfs", "-o", "size=" + DISK_SIZE + ",mode=0700", "tmpfs", data.toString());
      }
      out.printf("chaos: %d nodes in namespaces %s-n1..n%d on %s0/24, observer in %s (files in %s)%n",
          options.nodes(), network.run(), options.nodes(), ChaosNetwork.SUBNET, network.controlNamespace(), dir);
      out.flush();
      start();
      warmUp();
      for (int round = 0; round < options.rounds(); round++) {
        for (ChaosFault fault : options.faults()) {
          episodes.add(inject(fault));
        }
      }
      JsonObject result = finish(loadBefore);
      result.put("dir", dir.toString());
      return result;
    } finally {
      stop();
    }
  }

  private double since(long nanos) {
    return (nanos - started) / 1e9;
  }

  private void start() throws Exception {
    fleet.startNodes();
    addresses = new Addresses(NET);
    ids = fleet.nodes().stream().map(LocalFleet.Node::id).toList();
    awaitRunning();
    observer = joinAsObserver();
    Crypto.KeyPair operator = WebConfig.readKey(fleet.operatorKey(), "operator key");
    workload = new ChaosWorkload(observer, addresses, operator, NET, ids, BenchCommand.CONTRACT);
    workload.listen().await(READY_SECONDS, TimeUnit.SECONDS);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(READY_SECONDS);
    for (int i = 0; i < ids.size(); i++) {
      while (true) {
        try {
          query(ids.get(i), new JsonObject());
          break;
        } catch (Exception notYet) {
          if (System.nanoTime() > deadline) {
            throw new IllegalStateException("node " + fleet.nodes().get(i).name() + " did not answer within "
                + READY_SECONDS + " s; see " + fleet.nodes().get(i).log());
          }
          Thread.sleep(200);
        }
      }
    }
    ticker = observer.setPeriodic(TICK_MILLIS, id -> workload.tick());
  }

  private void awaitRunning() throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(READY_SECONDS);
    try (Progress progress = Progress.forTerminal("chaos start", options.nodes())) {
      while (true) {
        int running = 0;
        for (LocalFleet.Node node : fleet.nodes()) {
          failIfDead(node);
          if (logged(node.log(), "node " + node.name() + " (", " running on network ")) {
            running++;
          }
        }
        progress.update(running, "nodes joined");
        if (running == options.nodes()) {
          return;
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("only " + running + " of " + options.nodes() + " nodes started within "
              + READY_SECONDS + " s; see the logs in " + fleet.dir().resolve("logs"));
        }
        Thread.sleep(500);
      }
    }
  }

  private void failIfDead(LocalFleet.Node node) {
    Process p = fleet.process(node);
    if (!p.isAlive()) {
      throw new IllegalStateException("node " + node.name() + " exited with code " + p.exitValue()
          + "; the end of its log " + node.log() + ":\n" + LocalFleet.tail(node.log(), 15));
    }
  }

  private static boolean logged(Path log, String start, String contains) {
    try {
      return Files.readAllLines(log, StandardCharsets.ISO_8859_1).stream()
          .anyMatch(l -> l.contains(start) && l.contains(contains));
    } catch (IOException | java.io.UncheckedIOException e) {
      return false;
    }
  }

  /** Joins as a lite member, retrying while the nodes have not formed their cluster yet. */
  private Vertx joinAsObserver() throws Exception {
    return fleet.joinAsObserver(out, "chaos", READY_SECONDS, () -> { });
  }

  private JsonObject query(String id, JsonObject body) throws Exception {
    return observer.eventBus().<JsonObject>request(addresses.query(id), body,
        new DeliveryOptions().setSendTimeout(ASK_MILLIS)).await(ASK_MILLIS + 1000, TimeUnit.MILLISECONDS).body();
  }

  /** Buys until every node has finalized a purchase of its own (funds, JIT, address caches). */
  private void warmUp() throws Exception {
    workload.start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(READY_SECONDS);
    try (Progress progress = Progress.forTerminal("chaos warm-up", options.nodes())) {
      while (true) {
        long ready = workload.finalsByNode().values().stream().filter(n -> n > 0).count();
        progress.update(ready, "nodes finalizing");
        if (ready == options.nodes() && workload.firstEverywhereAfter(started) > 0) {
          return;
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("the network did not finalize a purchase on every node within "
              + READY_SECONDS + " s before any fault; see the logs in " + fleet.dir().resolve("logs"));
        }
        Thread.sleep(500);
      }
    }
  }

  /** Injects one fault, holds it, heals it and waits for the recovery. */
  private Episode inject(ChaosFault fault) throws Exception {
    int victim = random.nextInt(options.nodes());
    if (fault == ChaosFault.DISK) {
      victim = diskNode();
    }
    LocalFleet.Node node = fleet.nodes().get(victim);
    List<Integer> victims = new ArrayList<>(List.of(victim));
    String detail;
    long finalsBefore = workload.finalizedByBuyer();
    long injected = System.nanoTime();
    switch (fault) {
      case KILL -> {
        fleet.kill(node);
        detail = "SIGKILL pid " + fleet.process(node).pid();
      }
      case PAUSE -> {
        signal(node, "-STOP");
        detail = "SIGSTOP pid " + fleet.process(node).pid() + " for " + options.holdSeconds() + " s (failure detection "
            + LocalFleet.FAILURE_DETECTION_SECONDS + " s)";
      }
      case PARTITION -> {
        // Either one node alone, or (with 4+ nodes) two halves; the observer stays with the first half.
        if (options.nodes() >= 4 && random.nextBoolean()) {
          List<Integer> order = new ArrayList<>();
          for (int i = 0; i < options.nodes(); i++) {
            order.add(i);
          }
          java.util.Collections.shuffle(order, random);
          victims = new ArrayList<>(order.subList(0, options.nodes() / 2));
          victims.sort(null);
        }
        List<String> others = new ArrayList<>();
        others.add(network.controlAddress());
        for (int i = 0; i < options.nodes(); i++) {
          if (!victims.contains(i)) {
            others.add(network.nodeAddress(i));
          }
        }
        for (int v : victims) {
          network.partition(v, others);
        }
        detail = names(victims) + " | the others and the observer (nft drop both ways)";
      }
      case LOSS -> {
        network.loss(victim, options.lossPercent());
        detail = options.lossPercent() + "% of its TCP packets dropped at random, both ways (nft numgen)";
      }
      case DELAY -> {
        Files.writeString(delayFile(victim), Long.toString(options.delayMillis()), StandardCharsets.US_ASCII);
        detail = "every protocol message it receives held " + options.delayMillis() + " ms (event-bus interceptor)";
      }
      case SKEW -> detail = skew(node, victim);
      case DISK -> detail = fillDisk(node, victim);
      default -> throw new IllegalStateException("fault not implemented: " + fault.label);
    }
    out.printf("chaos: %s %s: %s%n", fault.label, names(victims), detail);
    out.flush();
    hold(fault, injected);
    long finalsDuring = workload.finalizedByBuyer() - finalsBefore;
    switch (fault) {
      case KILL -> fleet.restart(node);
      case PAUSE -> signal(node, "-CONT");
      case PARTITION -> {
        for (int v : victims) {
          network.heal(v);
        }
      }
      case LOSS -> network.heal(victim);
      case DELAY -> Files.writeString(delayFile(victim), "0", StandardCharsets.US_ASCII);
      case SKEW -> {
        fleet.kill(node);
        environment.remove(victim);
        fleet.restart(node);
      }
      case DISK -> {
        Files.deleteIfExists(diskFiller(node));
        fleet.kill(node);
        fleet.restart(node);
      }
      default -> throw new IllegalStateException("fault not implemented: " + fault.label);
    }
    long healed = System.nanoTime();
    Recovery r = awaitRecovery(fault, victims, healed);
    Episode e = new Episode(fault, names(victims), detail, round(since(injected)), round(since(healed)),
        r.everywhere < 0 ? null : round((r.everywhere - healed) / 1e9),
        r.voted < 0 ? null : round((r.voted - healed) / 1e9), finalsDuring);
    out.printf("chaos: %s %s healed; recovery %s s, %s voting again after %s s%n", fault.label, names(victims),
        e.recoverySeconds() == null ? "NONE within " + options.recoverySeconds() : e.recoverySeconds(),
        names(victims), e.votedAgainSeconds() == null ? "never" : e.votedAgainSeconds());
    out.flush();
    return e;
  }

  /**
   * Restarts the node with its wall clock shifted by {@code skewMinutes} (either way) through
   * libfaketime, waits until it votes again, and reads the shift back from its readings.
   * libfaketime shifts the monotonic clock by the same constant (its default): the JVM's timed
   * waits stay right, and the protocol, which times everything on the monotonic clock, never
   * sees the shift; with {@code FAKETIME_DONT_FAKE_MONOTONIC=1} timed waits returned early.
   */
  private String skew(LocalFleet.Node node, int victim) throws Exception {
    long minutes = random.nextBoolean() ? options.skewMinutes() : -options.skewMinutes();
    fleet.kill(node);
    environment.put(victim, List.of("LD_PRELOAD=" + options.faketime(), "FAKETIME=" + (minutes > 0 ? "+" : "")
        + minutes + "m"));
    fleet.restart(node);
    long restarted = System.nanoTime();
    long deadline = restarted + TimeUnit.SECONDS.toNanos(options.recoverySeconds());
    while (workload.lastForeignVote(ids.get(victim)) < restarted && System.nanoTime() < deadline) {
      Thread.sleep(200);
    }
    boolean voting = workload.lastForeignVote(ids.get(victim)) >= restarted;
    String observed = "unknown";
    try {
      JsonArray readings = query(ids.get(victim), new JsonObject()).getJsonArray("readings", new JsonArray());
      if (!readings.isEmpty()) {
        long time = readings.getJsonObject(readings.size() - 1).getLong("time", 0L);
        observed = String.format(java.util.Locale.ROOT, "%+.1f", (time - System.currentTimeMillis()) / 60_000.0);
      }
    } catch (Exception unanswered) {
      // reported as unknown
    }
    return "restarted with FAKETIME=" + (minutes > 0 ? "+" : "") + minutes + "m (its readings' clock " + observed
        + " min off); voting while skewed: " + (voting ? "yes, after " + round((System.nanoTime() - restarted) / 1e9)
        + " s" : "NO");
  }

  private Path diskFiller(LocalFleet.Node node) {
    return fleet.dir().resolve("data").resolve(node.name()).resolve("chaos-filler");
  }

  /**
   * Fills the node's data directory (a {@value #DISK_SIZE} tmpfs) until a write fails, then
   * waits (up to the hold) for the node to report its store failure.
   */
  private String fillDisk(LocalFleet.Node node, int victim) throws Exception {
    Path filler = diskFiller(node);
    long written = 0;
    byte[] block = new byte[1 << 20];
    try (OutputStream o = Files.newOutputStream(filler)) {
      for (int i = 0; i < 256; i++) {
        o.write(block);
        written += block.length;
      }
    } catch (IOException full) {
      // the point
    }
    long start = System.nanoTime();
    long deadline = start + TimeUnit.SECONDS.toNanos(options.holdSeconds());
    while (workload.healthy(ids.get(victim)) && System.nanoTime() < deadline) {
      Thread.sleep(200);
    }
    boolean failed = !workload.healthy(ids.get(victim));
    return "data dir (tmpfs " + DISK_SIZE + ") filled with " + (written >> 20) + " MiB; store "
        + (failed ? "failed after " + round((System.nanoTime() - start) / 1e9) + " s (node stopped acting)"
        : "still writing at the end of the hold") + "; healed by freeing it and restarting the node";
  }

  private void hold(ChaosFault fault, long injected) throws InterruptedException {
    long end = injected + TimeUnit.SECONDS.toNanos(options.holdSeconds());
    try (Progress progress = Progress.forTerminal("chaos " + fault.label, options.holdSeconds())) {
      while (System.nanoTime() < end) {
        Thread.sleep(Math.min(500, Math.max(1, (end - System.nanoTime()) / 1_000_000)));
        progress.update((long) ((System.nanoTime() - injected) / 1e9), "attempted=" + workload.attempted()
            + " finalized=" + workload.finalizedByBuyer() + " inflight=" + workload.inFlight());
      }
    }
  }

  private record Recovery(long everywhere, long voted) {}

  /**
   * Waits until a purchase first seen after the heal is final on every node and every victim
   * has voted on another node's request since the heal, or the recovery limit.
   */
  private Recovery awaitRecovery(ChaosFault fault, List<Integer> victims, long healed) throws InterruptedException {
    long deadline = healed + TimeUnit.SECONDS.toNanos(options.recoverySeconds());
    Map<Integer, Long> voted = new HashMap<>();
    try (Progress progress = Progress.forTerminal("chaos recover " + fault.label, options.recoverySeconds())) {
      while (true) {
        long now = System.nanoTime();
        long everywhere = workload.firstEverywhereAfter(healed);
        for (int v : victims) {
          if (!voted.containsKey(v) && workload.lastForeignVote(ids.get(v)) > healed) {
            voted.put(v, now); // polled every 200 ms: within 200 ms of the vote's arrival
          }
        }
        boolean allVoted = voted.size() == victims.size();
        progress.update((now - healed) / 1_000_000_000L, "final everywhere=" + (everywhere > 0)
            + " voting again=" + voted.size() + "/" + victims.size());
        if ((everywhere > 0 && allVoted) || now > deadline) {
          return new Recovery(everywhere, allVoted ? voted.values().stream().max(Long::compare).orElse(-1L) : -1);
        }
        Thread.sleep(200);
      }
    }
  }

  private void signal(LocalFleet.Node node, String signal) throws IOException, InterruptedException {
    ChaosNetwork.exec("kill", signal, Long.toString(fleet.process(node).pid()));
  }

  private List<String> names(List<Integer> indexes) {
    return indexes.stream().map(i -> fleet.nodes().get(i).name()).toList();
  }

  /** Stops buying, lets purchases in flight finish, then checks convergence and safety. */
  private JsonObject finish(double[] loadBefore) throws Exception {
    workload.stop();
    long drainEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(DRAIN_SECONDS);
    while (workload.inFlight() > 0 && System.nanoTime() < drainEnd) {
      Thread.sleep(200);
    }
    Convergence c = awaitConvergence();
    JsonObject result = new JsonObject();
    Map<String, Long> byKind = new LinkedHashMap<>();
    Map<String, JsonArray> recovery = new LinkedHashMap<>();
    JsonArray list = new JsonArray();
    boolean live = true;
    for (Episode e : episodes) {
      byKind.merge(e.fault().label, 1L, Long::sum);
      recovery.computeIfAbsent(e.fault().label, k -> new JsonArray()).add(e.recoverySeconds());
      live &= e.recoverySeconds() != null && e.votedAgainSeconds() != null;
      list.add(new JsonObject().put("fault", e.fault().label).put("victims", new JsonArray(e.victims()))
          .put("detail", e.detail()).put("injected_at_s", e.injectedAt()).put("healed_at_s", e.healedAt())
          .put("recovery_s", e.recoverySeconds()).put("victim_voting_again_s", e.votedAgainSeconds())
          .put("finalized_during_hold", e.finalizedDuringHold()));
    }
    JsonObject kinds = new JsonObject();
    byKind.forEach(kinds::put);
    JsonObject rec = new JsonObject();
    recovery.forEach(rec::put);
    double[] loadAfter = BenchCommand.loadAverage();
    result.put("nodes", options.nodes()).put("rounds", options.rounds()).put("hold_s", options.holdSeconds())
        .put("recovery_limit_s", options.recoverySeconds()).put("seed", options.seed())
        .put("sensor_period_ms", options.sensorMillis())
        .put("faults", kinds).put("episodes", list).put("recovery_s", rec)
        .put("purchases_attempted", workload.attempted()).put("purchases_accepted", workload.accepted())
        .put("purchases_finalized", workload.finalizedByBuyer())
        .put("purchases_final_everywhere", workload.finalizedEverywhere())
        .put("finalized_by_node", byName(workload.finalsByNode()))
        .put("observer_resubscriptions", workload.subscriptionsRestored())
        .put("divergences", c.divergences()).put("digests", c.digests()).put("cut", c.cut())
        .put("convergence_s", c.seconds())
        .put("conflicting_finality", new JsonArray(workload.conflicts()))
        .put("negative_balances", negatives(c))
        .put("liveness", live)
        .put("errors", new JsonObject(new LinkedHashMap<>(workload.errors())))
        .put("seconds", round(since(System.nanoTime())))
        .put("load_average_before", new JsonArray(List.of(loadBefore[0], loadBefore[1], loadBefore[2])))
        .put("load_average_after", new JsonArray(List.of(loadAfter[0], loadAfter[1], loadAfter[2])));
    return result;
  }

  private JsonObject byName(Map<String, Long> byId) {
    JsonObject o = new JsonObject();
    for (int i = 0; i < ids.size(); i++) {
      o.put(fleet.nodes().get(i).name(), byId.getOrDefault(ids.get(i), 0L));
    }
    return o;
  }

  private JsonArray negatives(Convergence c) {
    JsonArray all = new JsonArray(new ArrayList<>(workload.negatives()));
    for (JsonObject view : c.views()) {
      for (Object w : view.getJsonArray("wallets", new JsonArray())) {
        JsonObject wallet = (JsonObject) w;
        if (wallet.getLong("balanceUnits", 0L) < 0) {
          all.add("node " + view.getString("name") + " holds wallet " + wallet.getString("name") + " at "
              + wallet.getLong("balanceUnits"));
        }
      }
    }
    return all;
  }

  private record Convergence(int divergences, JsonObject digests, JsonObject cut, Double seconds,
      List<JsonObject> views) {}

  /**
   * Queries every node until all hold the same digest at a common cut (for each wallet the
   * least share count any node has as its checkpoint), or the limit: then the nodes whose
   * digest differs from the most common one are divergences (all of them without a majority).
   */
  private Convergence awaitConvergence() throws Exception {
    long begin = System.nanoTime();
    long deadline = begin + TimeUnit.SECONDS.toNanos(CONVERGE_SECONDS);
    try (Progress progress = Progress.forTerminal("chaos converge", CONVERGE_SECONDS)) {
      while (true) {
        List<JsonObject> views = new ArrayList<>();
        Map<String, Long> cut = new TreeMap<>();
        boolean all = true;
        for (String id : ids) {
          try {
            JsonObject v = query(id, new JsonObject());
            views.add(v);
            JsonObject cp = v.getJsonObject("checkpoint", new JsonObject());
            for (String w : cp.fieldNames()) {
              cut.merge(w, cp.getLong(w), Math::min);
            }
          } catch (Exception unreachable) {
            all = false;
          }
        }
        JsonObject cutJson = new JsonObject();
        cut.forEach(cutJson::put);
        JsonObject digests = new JsonObject();
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < ids.size() && all; i++) {
          try {
            JsonObject v = query(ids.get(i), new JsonObject().put("cut", cutJson));
            String d = v.getString("cutDigest");
            digests.put(fleet.nodes().get(i).name(), d);
            counts.merge(String.valueOf(d), 1, Integer::sum);
          } catch (Exception unreachable) {
            all = false;
          }
        }
        int most = counts.values().stream().max(Integer::compare).orElse(0);
        int divergences = !all ? ids.size() : most * 2 > ids.size() ? ids.size() - most : ids.size();
        long now = System.nanoTime();
        progress.update((long) ((now - begin) / 1e9), "divergent=" + divergences);
        if (divergences == 0 || now > deadline) {
          return new Convergence(divergences, digests, cutJson, divergences == 0 ? round((now - begin) / 1e9) : null,
              views);
        }
        Thread.sleep(2000);
      }
    }
  }

  static double round(double v) {
    return Math.round(v * 10) / 10.0;
  }

  /** Stops the workload, the observer and every node. Once. */
  void stop() {
    if (!stopped.compareAndSet(false, true)) {
      return;
    }
    Vertx o = observer;
    if (o != null) {
      if (ticker >= 0) {
        o.cancelTimer(ticker);
      }
      try {
        o.close().await(20, TimeUnit.SECONDS);
      } catch (Exception e) {
        // the nodes must go regardless
      }
    }
    if (fleet != null) {
      // A paused node would never leave gracefully.
      for (LocalFleet.Node node : fleet.nodes()) {
        try {
          signal(node, "-CONT");
        } catch (Exception gone) {
          // already exited
        }
      }
      fleet.close();
      // Also on SIGTERM or Ctrl+C (this runs in the shutdown hook then).
      if (!options.keep()) {
        try {
          ChaosNetwork.exec("umount", "-l", fleet.dir().resolve("data").resolve(fleet.nodes().get(diskNode()).name())
              .toString());
        } catch (IOException | InterruptedException notMounted) {
          // only with the disk fault
        }
        fleet.delete();
      }
    }
  }

  /** Writes the report table. */
  static void report(PrintWriter out, JsonObject r) {
    out.println();
    out.printf("chaos: %d nodes, %d round(s), hold %d s, seed %d, %.0f s, load %s -> %s%n", r.getInteger("nodes"),
        r.getInteger("rounds"), r.getLong("hold_s"), r.getLong("seed"), r.getDouble("seconds"),
        r.getJsonArray("load_average_before").encode(), r.getJsonArray("load_average_after").encode());
    out.printf("  %-10s %-12s %11s %14s %12s  %s%n", "fault", "victims", "recovery s", "voting again s",
        "finalized*", "detail");
    for (Object o : r.getJsonArray("episodes")) {
      JsonObject e = (JsonObject) o;
      out.printf("  %-10s %-12s %11s %14s %12d  %s%n", e.getString("fault"),
          String.join(",", e.getJsonArray("victims").stream().map(String::valueOf).toList()),
          e.getValue("recovery_s") == null ? "NONE" : e.getValue("recovery_s"),
          e.getValue("victim_voting_again_s") == null ? "NONE" : e.getValue("victim_voting_again_s"),
          e.getLong("finalized_during_hold"), e.getString("detail"));
    }
    out.printf("  (* purchases final on their buyer while the fault held; recovery: heal -> a purchase requested after"
        + " it is final on every node)%n");
    JsonObject faults = r.getJsonObject("faults");
    StringBuilder kinds = new StringBuilder();
    for (String kind : faults.fieldNames()) {
      kinds.append(kinds.length() == 0 ? "" : ", ").append(kind).append(' ').append(faults.getLong(kind))
          .append(" (max recovery ").append(maxOf(r.getJsonObject("recovery_s").getJsonArray(kind))).append(" s)");
    }
    out.printf("  faults injected: %s%n", kinds);
    out.printf("  purchases attempted %d, accepted %d, finalized %d (final on every node %d)%n",
        r.getLong("purchases_attempted"), r.getLong("purchases_accepted"), r.getLong("purchases_finalized"),
        r.getLong("purchases_final_everywhere"));
    out.printf("  divergences %d (digests at a common cut%s), conflicting finality %d, negative balances %d, "
        + "liveness %s%n", r.getInteger("divergences"),
        r.getValue("convergence_s") == null ? "" : ", equal after " + r.getValue("convergence_s") + " s",
        r.getJsonArray("conflicting_finality").size(), r.getJsonArray("negative_balances").size(),
        r.getBoolean("liveness") ? "ok" : "FAILED");
    out.flush();
  }

  private static String maxOf(JsonArray values) {
    Double max = null;
    for (Object v : values) {
      if (v == null) {
        return "NONE";
      }
      double d = ((Number) v).doubleValue();
      max = max == null ? d : Math.max(max, d);
    }
    return String.valueOf(max);
  }

  /** Writes the result as JSON. */
  static void write(Path json, JsonObject r) throws IOException {
    Path parent = json.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    try (OutputStream o = Files.newOutputStream(json)) {
      o.write((r.encodePrettily() + "\n").getBytes(StandardCharsets.UTF_8));
    }
  }
}
