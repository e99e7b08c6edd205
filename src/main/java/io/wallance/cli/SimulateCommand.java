package io.wallance.cli;

import io.wallance.ledger.Rules;
import io.wallance.progress.Progress;
import io.wallance.sim.SimulationOptions;
import io.wallance.sim.SimulationReport;
import io.wallance.sim.Simulator;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code simulate}: runs the protocol core under the seeded, faulty, Byzantine scheduler. */
@Command(
    name = "simulate",
    mixinStandardHelpOptions = true,
    description = {
        "Run N ledger replicas under a seeded scheduler that reorders, delays, duplicates and drops",
        "messages, partitions the network, crashes and restarts replicas, changes the registry epoch",
        "and lets Byzantine members attack. Checks safety after every step, convergence at",
        "quiescence and liveness after healing. Exit code 1 when any invariant was violated."})
public final class SimulateCommand implements Callable<Integer> {
  @Spec
  private CommandSpec spec;

  @Option(names = "--nodes", defaultValue = "4", description = "Members in the fleet, 3..31 (default: ${DEFAULT-VALUE}).")
  private int nodes;

  @Option(names = "--seeds", defaultValue = "100", description = "Seeds to run (default: ${DEFAULT-VALUE}).")
  private int seeds;

  @Option(names = "--first-seed", defaultValue = "1", description = "First seed (default: ${DEFAULT-VALUE}).")
  private long firstSeed;

  @Option(names = "--steps", defaultValue = "300",
      description = "Steps of 10 logical ms in the faulty phase per seed, 50..100000 (default: ${DEFAULT-VALUE}).")
  private int steps;

  @Option(names = "--byzantine", defaultValue = "-1",
      description = "Byzantine members; -1 = as many as the fleet tolerates (default: ${DEFAULT-VALUE}).")
  private int byzantine;

  @Option(names = "--no-faults", description = "Do not inject network or crash faults (attacks still run).")
  private boolean noFaults;

  @Option(names = "--no-epoch-changes", description = "Keep the genesis registry for the whole run.")
  private boolean noEpochChanges;

  @Option(names = "--mass-crash", description = "Instead of epoch changes: more members die for good than the"
      + " fleet tolerates, then the operator publishes a continuing epoch without them (PROTOCOL.md 9.10).")
  private boolean massCrash;

  @Option(names = "--mutation", split = ",", paramLabel = "RULE",
      description = "Break a rule on purpose, to see the simulator catch it: ${COMPLETION-CANDIDATES}.")
  private Set<Rules.Mutation> mutations = EnumSet.noneOf(Rules.Mutation.class);

  @Option(names = "--stop-at-first", description = "Stop at the first seed that violates an invariant.")
  private boolean stopAtFirst;

  @Override
  public Integer call() {
    SimulationOptions options;
    try {
      options = new SimulationOptions(nodes, seeds, firstSeed, steps, byzantine, !noFaults, !noEpochChanges,
          mutations, stopAtFirst, massCrash);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    var out = spec.commandLine().getOut();
    SimulationReport report;
    try (Progress progress = Progress.forTerminal("simulate", seeds)) {
      report = Simulator.run(options, progress);
    }
    for (SimulationReport.Violation v : report.violations()) {
      out.printf("VIOLATION %s seed=%d steps=%d: %s%n", v.kind(), v.seed(), v.steps(), v.detail());
      out.printf("  reproduce: java -jar target/wallance.jar simulate --nodes %d --first-seed %d --seeds 1 --steps %d"
          + "%s%s%s%s%s%n", nodes, v.seed(), v.steps(), byzantine == -1 ? "" : " --byzantine " + byzantine,
          noFaults ? " --no-faults" : "", noEpochChanges ? " --no-epoch-changes" : "", massCrash ? " --mass-crash" : "",
          mutations.isEmpty() ? "" : " --mutation " + String.join(",", mutations.stream().map(Enum::name).toList()));
      v.trace().forEach(line -> out.println("  | " + line));
    }
    out.println(report.summary());
    out.flush();
    return report.violations().isEmpty() ? 0 : Main.EXIT_FAILURE;
  }
}
