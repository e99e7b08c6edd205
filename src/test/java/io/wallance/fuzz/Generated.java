package io.wallance.fuzz;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.Function;

/**
 * The bounded share of generated inputs in {@code mvn test}: a fixed number of mutated corpus
 * inputs through a fuzz target, stopped early at a time cap so a loaded machine cannot
 * stretch CI. A failing input is printed as a Java string literal and as hex, with where to
 * commit it as a regression input.
 *
 * <p>{@code -Dfuzz.seed=N} draws other inputs (default: a fixed seed, so CI is repeatable);
 * {@code -Dfuzz.scale=K} runs K times as many within K times the cap.
 */
public final class Generated {
  /** The default seed of the generated inputs. */
  public static final long DEFAULT_SEED = 20_261_125L;

  /** A fuzz target: returns normally or with an expected typed rejection handled inside. */
  @FunctionalInterface
  public interface Target {
    /** Runs one input; any exception escaping is a finding. */
    void accept(byte[] input) throws Exception;
  }

  private Generated() {}

  /** @return the seed of this run ({@code -Dfuzz.seed}, or {@link #DEFAULT_SEED}) */
  public static long seed() {
    return Long.getLong("fuzz.seed", DEFAULT_SEED);
  }

  /**
   * Runs up to {@code count} inputs from {@code source} through {@code target} within {@code cap}.
   *
   * @param name the target, for messages
   * @param corpusDir where the target's regression inputs are committed, for messages
   * @return how many inputs ran
   */
  public static int run(String name, String corpusDir, int count, Duration cap, Function<Mutator, byte[]> source,
      Mutator mutator, Target target) {
    double scale = Double.parseDouble(System.getProperty("fuzz.scale", "1"));
    long total = Math.round(count * scale);
    long deadline = System.nanoTime() + (long) (cap.toNanos() * scale);
    int ran = 0;
    while (ran < total && System.nanoTime() < deadline) {
      byte[] input = source.apply(mutator);
      try {
        target.accept(input);
      } catch (Throwable t) {
        throw new AssertionError(name + ": generated input #" + ran + " (seed " + seed() + ") fails: " + t
            + "\n  input as a Java string: \"" + escape(input) + "\"\n  input as hex: " + hex(input)
            + "\n  commit it as a regression input under src/test/resources/" + corpusDir + "/", t);
      }
      ran++;
    }
    System.out.printf("fuzz %s: %d generated inputs (seed %d) in %s%n", name, ran, seed(),
        ran < total ? "the time cap" : "budget");
    return ran;
  }

  private static String escape(byte[] b) {
    StringBuilder sb = new StringBuilder();
    for (byte x : b) {
      int c = x & 0xff;
      if (c == '"' || c == '\\') {
        sb.append('\\').append((char) c);
      } else if (c >= 0x20 && c < 0x7f) {
        sb.append((char) c);
      } else if (c == '\n') {
        sb.append("\\n");
      } else {
        sb.append(String.format("\\u%04x", c));
      }
    }
    return sb.toString();
  }

  private static String hex(byte[] b) {
    StringBuilder sb = new StringBuilder();
    for (byte x : b) {
      sb.append(String.format("%02x", x & 0xff));
    }
    return b.length == 0 ? "(empty)" : sb.toString();
  }

  /** @return {@code s} as UTF-8 bytes */
  public static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
