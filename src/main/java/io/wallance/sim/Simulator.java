package io.wallance.sim;

import io.wallance.protocol.ProtocolException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import io.wallance.progress.Progress;

/**
 * Runs the protocol core under a seeded, faulty scheduler over many seeds and reports what
 * it found. Seeds are independent, so they run on every core; results are taken in seed
 * order, so the report does not depend on the thread count. A violation is reported with its
 * seed, the smallest step count found that still shows it (the run is shrunk by halving),
 * and the trace of that shortest run.
 */
public final class Simulator {
  private Simulator() {}

  /** Runs every seed, reporting each finished seed to {@code progress}. */
  public static SimulationReport run(SimulationOptions o, Progress progress) {
    long started = System.nanoTime();
    long steps = 0;
    long purchases = 0;
    long minPerSeed = Long.MAX_VALUE;
    long delivered = 0;
    EnumMap<Fault, Long> faults = new EnumMap<>(Fault.class);
    List<SimulationReport.Violation> violations = new ArrayList<>();
    int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
    ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "simulate");
      t.setDaemon(true);
      return t;
    });
    int done = 0;
    try {
      List<Future<World>> window = new ArrayList<>();
      long next = o.firstSeed();
      long end = o.firstSeed() + o.seeds();
      while (done < o.seeds()) {
        while (next < end && window.size() < 2 * threads) {
          long seed = next++;
          window.add(pool.submit(() -> runOne(seed, o, o.steps(), false)));
        }
        World w = window.remove(0).get();
        done++;
        steps += w.step;
        purchases += w.finalized.size();
        minPerSeed = Math.min(minPerSeed, w.finalized.size());
        delivered += w.delivered;
        w.faults.forEach((k, v) -> faults.merge(k, v, Long::sum));
        if (w.violation != null) {
          violations.add(shrink(w.seed, o, w));
          if (o.stopAtFirstViolation()) {
            window.forEach(f -> f.cancel(true));
            break;
          }
        }
        progress.update(done, "purchases=" + purchases + " violations=" + violations.size());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("simulation interrupted", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("simulation failed: " + e.getCause(), e.getCause());
    } finally {
      pool.shutdownNow();
    }
    return new SimulationReport(done, steps, purchases, minPerSeed == Long.MAX_VALUE ? 0 : minPerSeed, delivered,
        faults, violations, (System.nanoTime() - started) / 1_000_000);
  }

  static World runOne(long seed, SimulationOptions o, int steps, boolean trace) {
    try {
      World w = new World(seed, o, steps, trace);
      w.run(steps);
      return w;
    } catch (ProtocolException e) {
      throw new IllegalStateException("the simulator built an invalid registry: " + e.getMessage(), e);
    }
  }

  /** Halves the faulty phase while the seed still violates an invariant, then traces the shortest run. */
  private static SimulationReport.Violation shrink(long seed, SimulationOptions o, World failed) {
    int best = o.steps();
    int steps = o.steps() / 2;
    while (steps >= 50) {
      World w = runOne(seed, o, steps, false);
      if (w.violation == null) {
        break;
      }
      best = steps;
      steps /= 2;
    }
    World traced = runOne(seed, o, best, true);
    World shown = traced.violation != null ? traced : failed;
    List<String> trace = traced.trace();
    return new SimulationReport.Violation(seed, best, shown.violationKind, shown.violation,
        trace.subList(Math.max(0, trace.size() - 80), trace.size()));
  }
}
