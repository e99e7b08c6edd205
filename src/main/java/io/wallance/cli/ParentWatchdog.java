package io.wallance.cli;

import java.time.Instant;
import java.util.Optional;

/**
 * Ends a child process of {@code demo} when its parent is gone, so killing the parent (even
 * with {@code kill -9}) leaves no orphan node behind.
 *
 * <p>The parent starts each child with {@code -D}{@value #PROPERTY}{@code =<its pid>}. A
 * daemon thread checks every {@value #PERIOD_MS} ms that this process (same pid and start
 * time, so a reused pid does not count) is still alive; when it is not, the child exits
 * through {@link System#exit(int)}, which runs the shutdown hooks (a graceful cluster leave),
 * and halts if those take longer than {@value #HALT_AFTER_MS} ms.
 */
final class ParentWatchdog {
  /** The system property naming the parent's pid. */
  static final String PROPERTY = "wallance.parent.pid";
  static final long PERIOD_MS = 500;
  static final long HALT_AFTER_MS = 20_000;

  private ParentWatchdog() {
  }

  /** Starts the watchdog when {@value #PROPERTY} is set; a bad value is reported and ignored. */
  static void startIfRequested() {
    String value = System.getProperty(PROPERTY);
    if (value == null || value.isBlank()) {
      return;
    }
    long pid;
    try {
      pid = Long.parseLong(value.strip());
    } catch (NumberFormatException e) {
      System.err.println("warning: ignoring -D" + PROPERTY + "=" + value + " (not a pid)");
      return;
    }
    Optional<ProcessHandle> parent = ProcessHandle.of(pid);
    if (parent.isEmpty() || !parent.get().isAlive()) {
      System.err.println("error: parent process " + pid + " is already gone");
      System.exit(Main.EXIT_FAILURE);
    }
    Optional<Instant> started = parent.get().info().startInstant();
    Thread watchdog = new Thread(() -> watch(pid, started), "parent-watchdog");
    watchdog.setDaemon(true);
    watchdog.start();
  }

  private static void watch(long pid, Optional<Instant> started) {
    while (alive(pid, started)) {
      try {
        Thread.sleep(PERIOD_MS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    System.err.println("parent process " + pid + " is gone; shutting down");
    Thread halt = new Thread(() -> {
      try {
        Thread.sleep(HALT_AFTER_MS);
      } catch (InterruptedException ignored) {
        // fall through: halt anyway
      }
      Runtime.getRuntime().halt(Main.EXIT_FAILURE);
    }, "parent-watchdog-halt");
    halt.setDaemon(true);
    halt.start();
    System.exit(0);
  }

  private static boolean alive(long pid, Optional<Instant> started) {
    Optional<ProcessHandle> handle = ProcessHandle.of(pid);
    if (handle.isEmpty() || !handle.get().isAlive()) {
      return false;
    }
    Optional<Instant> now = handle.get().info().startInstant();
    return started.isEmpty() || now.isEmpty() || started.equals(now);
  }
}
