package io.wallance.progress;

import java.io.PrintStream;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * Reports how far a long task has come. On an interactive terminal it redraws one line
 * (at most five times a second); otherwise, e.g. in CI logs, it prints a full line at most
 * every {@link #LOG_INTERVAL_NANOS}. Thread-safe; cheap to call on every item.
 *
 * <pre>{@code
 * try (Progress p = Progress.forTerminal("simulate", seeds)) {
 *   for (int i = 1; i <= seeds; i++) {
 *     runSeed(i);
 *     p.update(i, "violations=0");
 *   }
 * }
 * }</pre>
 */
public final class Progress implements AutoCloseable {
  /** Least time between two lines when not on a terminal. */
  public static final long LOG_INTERVAL_NANOS = 2_000_000_000L;
  private static final long REDRAW_NANOS = 200_000_000L;

  private final String task;
  private final long total;
  private final PrintStream out;
  private final boolean interactive;
  private final LongSupplier clock;
  private final long started;
  private long lastShown;
  private long done;
  private String detail = "";
  private boolean drawn;
  private boolean closed;

  Progress(String task, long total, PrintStream out, boolean interactive, LongSupplier clock) {
    this.task = task;
    this.total = total;
    this.out = out;
    this.interactive = interactive;
    this.clock = clock;
    this.started = clock.getAsLong();
    this.lastShown = started;
  }

  /**
   * Progress on standard error, redrawn in place when standard error is a terminal.
   *
   * @param task short name shown in brackets
   * @param total number of items, or 0 when unknown
   */
  public static Progress forTerminal(String task, long total) {
    return new Progress(task, total, System.err, System.console() != null, System::nanoTime);
  }

  /** Progress written to {@code out}, as log lines or as one redrawn line. */
  public static Progress to(PrintStream out, String task, long total, boolean interactive) {
    return new Progress(task, total, out, interactive, System::nanoTime);
  }

  /** Progress that shows nothing (tests, library use). */
  public static Progress silent() {
    return new Progress("", 0, null, false, System::nanoTime);
  }

  /** Records that {@code done} items are complete; shows it if it is time to. */
  public synchronized void update(long done, String detail) {
    this.done = done;
    this.detail = detail == null ? "" : detail;
    if (out == null || closed) {
      return;
    }
    long now = clock.getAsLong();
    if (now - lastShown >= (interactive ? REDRAW_NANOS : LOG_INTERVAL_NANOS)) {
      lastShown = now;
      show(now);
    }
  }

  /** The current line, e.g. {@code [simulate] 120/1000 (12%) 14s eta 1m43s violations=0}. */
  public synchronized String line() {
    return render(clock.getAsLong());
  }

  private String render(long now) {
    double seconds = (now - started) / 1e9;
    StringBuilder sb = new StringBuilder("[").append(task).append("] ").append(done);
    if (total > 0) {
      sb.append('/').append(total).append(String.format(Locale.ROOT, " (%d%%)", done * 100 / total));
    }
    sb.append(' ').append(duration(seconds));
    if (total > 0 && done > 0 && done < total) {
      sb.append(" eta ").append(duration(seconds * (total - done) / done));
    }
    if (!detail.isEmpty()) {
      sb.append(' ').append(detail);
    }
    return sb.toString();
  }

  private void show(long now) {
    String line = render(now);
    if (interactive) {
      out.print("\r\u001b[2K" + line);
      drawn = true;
    } else {
      out.println(line);
    }
    out.flush();
  }

  static String duration(double seconds) {
    long s = Math.round(seconds);
    return s >= 60 ? (s / 60) + "m" + String.format(Locale.ROOT, "%02d", s % 60) + "s" : s + "s";
  }

  /** Shows the final state and ends the redrawn line. */
  @Override
  public synchronized void close() {
    if (out == null || closed) {
      return;
    }
    closed = true;
    if (interactive || clock.getAsLong() - started >= LOG_INTERVAL_NANOS) {
      show(clock.getAsLong());
    }
    if (interactive && drawn) {
      out.println();
    }
    out.flush();
  }
}
