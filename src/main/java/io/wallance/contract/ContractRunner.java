package io.wallance.contract;

import io.wallance.contract.ContractResult.Status;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * Runs contract actions as external processes, never on the caller's thread.
 *
 * <p>Each run: the action's argument vector is executed directly (no shell, so nothing in a
 * message field is ever interpreted), in the action's working directory inside the
 * contract folder, with an environment made of {@link RunnerOptions#environment()} plus
 * <ul>
 *   <li>{@value #ENV_BUYER}: the buyer's id,</li>
 *   <li>{@value #ENV_PURCHASE_ID}: the purchase id,</li>
 *   <li>{@value #ENV_CONTRACT}: the contract's name,</li>
 *   <li>{@value #ENV_RECEIPT_DIR}: the absolute receipt directory (created if missing).</li>
 * </ul>
 * Standard input is closed; standard output and error are merged and only a bounded tail
 * is kept. When the action's timeout elapses, the process and every descendant it has at
 * that moment are killed ({@code SIGKILL}). A descendant that detached itself earlier (a
 * double fork) is beyond reach: actions should not daemonize.
 *
 * <p>From a verticle: {@code Future.fromCompletionStage(runner.run(...), context)} brings
 * the result back onto the verticle's event loop.
 *
 * <p>Uses two threads of its own per running action (one waits, one drains output);
 * {@link #close()} kills running actions and stops the threads.
 */
public final class ContractRunner implements AutoCloseable {

  /** Environment variable holding the buyer's id. */
  public static final String ENV_BUYER = "WALLANCE_BUYER";
  /** Environment variable holding the purchase id. */
  public static final String ENV_PURCHASE_ID = "WALLANCE_PURCHASE_ID";
  /** Environment variable holding the contract's name. */
  public static final String ENV_CONTRACT = "WALLANCE_CONTRACT";
  /** Environment variable holding the absolute receipt directory. */
  public static final String ENV_RECEIPT_DIR = "WALLANCE_RECEIPT_DIR";

  /** Purchase ids may name files (the Receipt contract does), so no dots, slashes or spaces. */
  public static final Pattern PURCHASE_ID_PATTERN = Pattern.compile("[A-Za-z0-9_-]{1,128}");
  /** Longest buyer id accepted. */
  public static final int MAX_BUYER_CHARS = 256;

  /** How long to wait for the last output after the process has gone. */
  private static final long DRAIN_GRACE_MILLIS = 2_000;
  /** How long a killed process may take to be reaped. */
  private static final long REAP_GRACE_MILLIS = 5_000;

  private final RunnerOptions options;
  private final ExecutorService threads;

  /**
   * @param options the receipt directory, base environment and output tail size
   */
  public ContractRunner(RunnerOptions options) {
    this.options = Objects.requireNonNull(options, "options");
    AtomicInteger count = new AtomicInteger();
    this.threads = Executors.newCachedThreadPool(task -> {
      Thread thread = new Thread(task, "wallance-contract-" + count.incrementAndGet());
      thread.setDaemon(true); // A stuck action must not keep the JVM alive on shutdown.
      return thread;
    });
  }

  /**
   * Runs a contract's action for a purchase.
   *
   * @param contract the contract to run
   * @param buyer the buyer's id: 1 to {@value #MAX_BUYER_CHARS} characters, no control characters
   * @param purchaseId the purchase id, matching {@link #PURCHASE_ID_PATTERN}
   * @return completes with the result once the process has exited or been killed; fails
   *     with {@link IllegalArgumentException} for an invalid buyer or purchase id, or with
   *     {@link RejectedExecutionException} after {@link #close()}
   */
  public CompletableFuture<ContractResult> run(Contract contract, String buyer, String purchaseId) {
    Objects.requireNonNull(contract, "contract");
    try {
      validate(buyer, purchaseId);
      return CompletableFuture.supplyAsync(() -> execute(contract, buyer, purchaseId), threads);
    } catch (IllegalArgumentException | RejectedExecutionException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private static void validate(String buyer, String purchaseId) {
    if (buyer == null || buyer.isEmpty() || buyer.length() > MAX_BUYER_CHARS
        || buyer.chars().anyMatch(Character::isISOControl)) {
      // Control characters (newlines above all) would let a buyer forge lines in a log.
      throw new IllegalArgumentException(
          "buyer must be 1-" + MAX_BUYER_CHARS + " characters without control characters");
    }
    if (purchaseId == null || !PURCHASE_ID_PATTERN.matcher(purchaseId).matches()) {
      throw new IllegalArgumentException("purchase id must match " + PURCHASE_ID_PATTERN);
    }
  }

  private ContractResult execute(Contract contract, String buyer, String purchaseId) {
    ContractAction action = contract.action();
    Path workingDir = contract.directory().resolve(action.workingDir()).normalize();
    long start = System.nanoTime();
    Process process;
    try {
      Files.createDirectories(options.receiptDirectory());
      ProcessBuilder builder = new ProcessBuilder(argv(action, workingDir))
          .directory(workingDir.toFile())
          .redirectErrorStream(true);
      Map<String, String> environment = builder.environment();
      environment.clear();
      environment.putAll(options.environment());
      environment.put(ENV_BUYER, buyer);
      environment.put(ENV_PURCHASE_ID, purchaseId);
      environment.put(ENV_CONTRACT, contract.name());
      environment.put(ENV_RECEIPT_DIR, options.receiptDirectory().toString());
      process = builder.start();
    } catch (IOException | RuntimeException e) {
      return new ContractResult(contract.name(), purchaseId, Status.NOT_STARTED,
          ContractResult.NO_EXIT_CODE, millisSince(start), "cannot start "
              + action.command().get(0) + ": " + e.getMessage(), false);
    }
    closeQuietly(process);
    OutputTail tail = new OutputTail(options.outputTailBytes());
    Future<?> drain = threads.submit(() -> tail.drain(process.getInputStream()));

    Status status;
    try {
      if (process.waitFor(action.timeoutSeconds(), TimeUnit.SECONDS)) {
        status = process.exitValue() == 0 ? Status.SUCCEEDED : Status.FAILED;
      } else {
        killTree(process);
        status = Status.TIMED_OUT;
      }
    } catch (InterruptedException e) {
      killTree(process); // close() was called: leave no contract process behind.
      Thread.currentThread().interrupt();
      status = Status.CANCELLED;
    }
    long duration = millisSince(start);
    awaitDrain(drain);
    int exitCode = status == Status.SUCCEEDED || status == Status.FAILED
        ? process.exitValue() : ContractResult.NO_EXIT_CODE;
    return new ContractResult(contract.name(), purchaseId, status, exitCode, duration,
        tail.text(), tail.truncated());
  }

  /**
   * A relative program with a slash ({@code ./serve.sh}) means a file of the contract; make
   * it absolute, since how a relative program is resolved against the child's working
   * directory is not specified by {@link ProcessBuilder}.
   */
  private static List<String> argv(ContractAction action, Path workingDir) {
    List<String> argv = new ArrayList<>(action.command());
    String program = argv.get(0);
    if (program.contains("/") && !program.startsWith("/")) {
      argv.set(0, workingDir.resolve(program).normalize().toString());
    }
    return argv;
  }

  private static void closeQuietly(Process process) {
    try {
      process.getOutputStream().close(); // No input: a script waiting on stdin sees EOF at once.
    } catch (IOException e) {
      // Already closed by a fast process; nothing to do.
    }
  }

  private static void killTree(Process process) {
    // Snapshot first: once the parent dies its children are re-parented and out of reach.
    List<ProcessHandle> descendants = process.descendants().toList();
    process.destroyForcibly();
    descendants.forEach(ProcessHandle::destroyForcibly);
    try {
      process.waitFor(REAP_GRACE_MILLIS, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void awaitDrain(Future<?> drain) {
    try {
      drain.get(DRAIN_GRACE_MILLIS, TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      // A detached grandchild still holds the pipe; report what we have. The drain thread
      // ends when that process closes its output.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException e) {
      // drain() swallows I/O errors; anything else is a bug worth seeing in the logs.
      throw new IllegalStateException("output drain failed", e.getCause());
    }
  }

  private static long millisSince(long startNanos) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
  }

  /** Kills running actions and stops the runner's threads; later runs fail. */
  @Override
  public void close() {
    threads.shutdownNow();
  }
}
