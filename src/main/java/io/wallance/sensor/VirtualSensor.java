package io.wallance.sensor;

import java.util.Objects;
import java.util.Random;

/**
 * A simulated room thermometer: a random walk in milli-degrees Celsius that drifts back
 * towards {@value #BASELINE_MILLI} (21 °C) and stays within
 * [{@value #MIN_MILLI}, {@value #MAX_MILLI}]. Deterministic for a given {@link Random}
 * seed, so tests and the simulator can replay it.
 */
public final class VirtualSensor implements SensorSource {

  /** The kind reported by {@link #kind()}. */
  public static final String KIND = "virtual";
  /** The temperature the walk is pulled towards. */
  public static final long BASELINE_MILLI = 21_000;
  /** Lowest reading. */
  public static final long MIN_MILLI = 5_000;
  /** Highest reading. */
  public static final long MAX_MILLI = 40_000;
  /** Typical size of one step (standard deviation), 0.15 °C. */
  private static final double STEP_MILLI = 150;
  /** Fraction of the distance to the baseline recovered per step; keeps the walk bounded and lifelike. */
  private static final double PULL = 0.05;

  private final Random random;
  private long current;

  /**
   * @param random the source of randomness; pass a seeded one for reproducible readings
   */
  public VirtualSensor(Random random) {
    this.random = Objects.requireNonNull(random, "random");
    this.current = BASELINE_MILLI + random.nextInt(4_001) - 2_000;
  }

  @Override
  public String kind() {
    return KIND;
  }

  @Override
  public synchronized long read() {
    double step = random.nextGaussian() * STEP_MILLI + (BASELINE_MILLI - current) * PULL;
    current = Math.max(MIN_MILLI, Math.min(MAX_MILLI, current + Math.round(step)));
    return current;
  }
}
