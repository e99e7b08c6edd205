package io.wallance.cli;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code wallance chaos}: fault injection on a real local network. The command (as root)
 * builds network namespaces ({@link ChaosNetwork}), then runs itself again inside the control
 * namespace with {@code --inside}, where {@link ChaosRun} starts one node process per namespace,
 * buys continuously and injects the faults. The outer process removes the namespaces when the
 * inner one ends, on Ctrl+C and on SIGTERM (a shutdown hook); namespaces left by a harness
 * killed with SIGKILL are swept by the next run. See {@code docs/RELIABILITY.md}.
 */
@Command(
    name = "chaos",
    mixinStandardHelpOptions = true,
    description = {
        "Fault injection on a real local network (needs root). N node processes, each in a",
        "network namespace of its own behind a bridge; an observer in another namespace buys",
        "continuously from every node. Faults, one after the other: kill (SIGKILL, restart",
        "from the data directory), pause (SIGSTOP past failure detection, SIGCONT), partition",
        "(nftables drop rules between node sets), loss (nftables random drop), delay (the",
        "node's test-only event-bus interceptor), skew (wall clock shifted by minutes with",
        "libfaketime), disk (data directory on a full tmpfs). After each heal it measures the recovery",
        "(a new purchase final on every node, the victim voting again); at the end it checks",
        "safety (no conflicting finality, no negative balance) and convergence (equal ledger",
        "digests at a common cut), prints a table and optionally writes JSON. Exit code 0",
        "only when all checks pass."
    })
final class ChaosCommand implements Callable<Integer> {

  @Spec
  private CommandSpec spec;

  @Option(names = "--nodes", paramLabel = "N", defaultValue = "4",
      description = "Nodes, 4-9 (quorum 3 of 4 tolerates one faulty node). Default: ${DEFAULT-VALUE}.")
  private int nodes;

  @Option(names = "--faults", paramLabel = "LIST", split = ",",
      defaultValue = "kill,pause,partition,loss,delay,skew,disk",
      description = "Faults to inject in this order, comma-separated: kill, pause, partition, loss, delay, skew,"
          + " disk. Default: ${DEFAULT-VALUE}.")
  private List<String> faults;

  @Option(names = "--rounds", paramLabel = "R", defaultValue = "1",
      description = "Inject every fault of --faults R times. Default: ${DEFAULT-VALUE}.")
  private int rounds;

  @Option(names = "--hold", paramLabel = "S", defaultValue = "15",
      description = "Seconds each fault lasts before it is healed, 6-600 (more than the 5 s failure detection)."
          + " Default: ${DEFAULT-VALUE}.")
  private long hold;

  @Option(names = "--recovery-limit", paramLabel = "S", defaultValue = "120",
      description = "Seconds after a heal within which purchases must resume (liveness), 10-900."
          + " Default: ${DEFAULT-VALUE}.")
  private long recoveryLimit;

  @Option(names = "--sensor-period", paramLabel = "MILLIS", defaultValue = "250",
      description = "Sensor period of every node (earns the funds the purchases spend), 100-10000."
          + " Default: ${DEFAULT-VALUE}.")
  private long sensorPeriod;

  @Option(names = "--loss", paramLabel = "PERCENT", defaultValue = "20",
      description = "Share of the victim's TCP packets dropped by the loss fault, 1-90. Default: ${DEFAULT-VALUE}.")
  private int lossPercent;

  @Option(names = "--delay", paramLabel = "MILLIS", defaultValue = "300",
      description = "How long the delay fault holds each protocol message the victim receives, 1-10000."
          + " Default: ${DEFAULT-VALUE}.")
  private long delayMillis;

  @Option(names = "--skew", paramLabel = "MINUTES", defaultValue = "5",
      description = "How far the skew fault shifts the victim's wall clock (ahead or behind, at random), 1-1440."
          + " Default: ${DEFAULT-VALUE}.")
  private long skewMinutes;

  @Option(names = "--seed", paramLabel = "SEED", description = "Seed of the victims' choice. Default: random.")
  private Long seed;

  @Option(names = "--json", paramLabel = "FILE", description = "Also write the result as JSON.")
  private Path json;

  @Option(names = "--keep", description = "Keep the network's directory (keys, configs, logs, ledgers).")
  private boolean keep;

  @Option(names = "--inside", paramLabel = "RUN", hidden = true,
      description = "Internal: run inside the control namespace of run RUN.")
  private String inside;

  @Override
  public Integer call() throws Exception {
    List<ChaosFault> kinds = validate();
    PrintWriter out = spec.commandLine().getOut();
    long actualSeed = seed != null ? seed : new java.security.SecureRandom().nextLong() & 0xffff_ffffL;
    if (inside != null) {
      return inside(kinds, actualSeed, out);
    }
    requireRoot();
    requireTool("ip", "iproute2");
    requireTool("nft", "nftables");
    if (kinds.contains(ChaosFault.SKEW)) {
      faketime();
    }
    List<String> swept = ChaosNetwork.sweepStale();
    if (!swept.isEmpty()) {
      out.println("chaos: removed namespaces left by an earlier run: " + String.join(" ", swept));
    }
    ChaosNetwork network = ChaosNetwork.create(nodes);
    Process[] inner = new Process[1];
    Thread hook = new Thread(() -> cleanUp(inner[0], network), "chaos-cleanup");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", network.controlNamespace(),
          LocalFleet.javaExecutable(), "-Xms64m", "-Xmx384m", "-XX:+UseSerialGC"));
      command.addAll(LocalFleet.HAZELCAST_JVM_FLAGS);
      command.add("-D" + ParentWatchdog.PROPERTY + "=" + ProcessHandle.current().pid());
      command.addAll(List.of("-cp", LocalFleet.classpath(), Main.class.getName(), "chaos", "--inside", network.run(),
          "--seed", Long.toString(actualSeed)));
      List<String> all = spec.commandLine().getParseResult().originalArgs();
      List<String> args = all.subList(all.indexOf("chaos") + 1, all.size());
      for (int i = 0; i < args.size(); i++) {
        if (args.get(i).equals("--seed")) {
          i++; // given once, above
        } else if (!args.get(i).startsWith("--seed=")) {
          command.add(args.get(i));
        }
      }
      out.flush();
      inner[0] = new ProcessBuilder(command).inheritIO().start();
      return inner[0].waitFor();
    } finally {
      cleanUp(inner[0], network);
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // the hook runs anyway
      }
    }
  }

  private List<ChaosFault> validate() {
    OptionRange options = new OptionRange(spec).check("--nodes", nodes, 4, 9).check("--rounds", rounds, 1, 100)
        .check("--hold", hold, 6, 600, "seconds").check("--recovery-limit", recoveryLimit, 10, 900, "seconds")
        .check("--sensor-period", sensorPeriod, 100, 10_000).check("--loss", lossPercent, 1, 90, "percent")
        .check("--delay", delayMillis, 1, 10_000, "ms").check("--skew", skewMinutes, 1, 1440, "minutes");
    LinkedHashSet<ChaosFault> kinds = new LinkedHashSet<>();
    for (String f : faults) {
      try {
        kinds.add(ChaosFault.parse(f));
      } catch (IllegalArgumentException e) {
        throw options.fail("--faults: " + e.getMessage());
      }
    }
    if (kinds.isEmpty()) {
      throw options.fail("--faults must name at least one fault");
    }
    return List.copyOf(kinds);
  }

  /** The run itself, in the control namespace. */
  private int inside(List<ChaosFault> kinds, long actualSeed, PrintWriter out) throws Exception {
    BenchCommand.quietLibraries();
    ChaosNetwork network = ChaosNetwork.of(inside, nodes);
    ChaosRun run = new ChaosRun(new ChaosRun.Options(nodes, kinds, rounds, hold, recoveryLimit, sensorPeriod,
        skewMinutes, lossPercent, delayMillis, kinds.contains(ChaosFault.SKEW) ? faketime() : null, actualSeed, keep),
        network, out);
    Thread hook = new Thread(run::stop, "chaos-stop");
    Runtime.getRuntime().addShutdownHook(hook);
    JsonObject result;
    try {
      result = run.run();
    } finally {
      run.stop();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // the hook runs anyway
      }
    }
    ChaosRun.report(out, result);
    if (json != null) {
      ChaosRun.write(json, result);
      out.println("chaos: wrote " + json);
    }
    if (keep) {
      out.println("chaos: files kept in " + result.getString("dir"));
    }
    out.flush();
    List<String> failed = new ArrayList<>();
    if (result.getInteger("divergences") != 0) {
      failed.add(result.getInteger("divergences") + " divergent node(s)");
    }
    if (!result.getJsonArray("conflicting_finality").isEmpty()) {
      failed.add("conflicting finality " + result.getJsonArray("conflicting_finality").encode());
    }
    if (!result.getJsonArray("negative_balances").isEmpty()) {
      failed.add("negative balances " + result.getJsonArray("negative_balances").encode());
    }
    if (!result.getBoolean("liveness")) {
      failed.add("purchases did not resume within " + recoveryLimit + " s after every heal");
    }
    if (!failed.isEmpty()) {
      throw new IllegalStateException("chaos checks failed: " + String.join("; ", failed));
    }
    return 0;
  }

  /** Stops the inner run (SIGTERM, then SIGKILL) and removes the namespaces. Idempotent. */
  private static void cleanUp(Process inner, ChaosNetwork network) {
    if (inner != null && inner.isAlive()) {
      inner.destroy();
      try {
        if (!inner.waitFor(LocalFleet.STOP_GRACE_SECONDS + 30, TimeUnit.SECONDS)) {
          inner.destroyForcibly();
        }
      } catch (InterruptedException e) {
        inner.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
    network.close();
  }

  /** Network namespaces and nftables need root (CAP_SYS_ADMIN, CAP_NET_ADMIN). */
  private static void requireRoot() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("Uid:")) {
        String[] f = line.split("\\s+");
        if (f.length > 2 && f[2].equals("0")) {
          return;
        }
      }
    }
    throw new IllegalStateException("chaos needs root for network namespaces and nftables rules (run it with sudo)");
  }

  /** libfaketime's preload library, from the Debian package {@code faketime} (any architecture). */
  static Path faketime() throws IOException {
    List<Path> candidates = new ArrayList<>(List.of(Path.of("/usr/lib/faketime/libfaketime.so.1")));
    try (var dirs = Files.list(Path.of("/usr/lib"))) {
      dirs.filter(d -> d.getFileName().toString().endsWith("-linux-gnu"))
          .forEach(d -> candidates.add(d.resolve("faketime").resolve("libfaketime.so.1")));
    }
    for (Path p : candidates) {
      if (Files.isRegularFile(p)) {
        return p;
      }
    }
    throw new IllegalStateException("chaos --faults skew needs libfaketime (Debian: apt-get install faketime)");
  }

  private static void requireTool(String tool, String debianPackage) {
    List<String> dirs = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(":")));
    dirs.addAll(List.of("/usr/sbin", "/sbin", "/usr/bin", "/bin"));
    for (String d : dirs) {
      if (!d.isEmpty() && Files.isExecutable(Path.of(d, tool))) {
        return;
      }
    }
    throw new IllegalStateException("chaos needs the '" + tool + "' command (Debian: apt-get install " + debianPackage
        + ")");
  }
}
