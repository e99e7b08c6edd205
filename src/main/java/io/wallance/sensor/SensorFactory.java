package io.wallance.sensor;

import java.util.Objects;
import java.util.Random;

/** Builds the {@link SensorSource} that a node's configuration asks for. */
public final class SensorFactory {

  private SensorFactory() {
  }

  /**
   * @param options which sensor to build
   * @param random randomness for the virtual sensor (seed it for reproducible runs)
   * @return a virtual sensor or a thermal zone sensor; the latter reports a missing file on
   *     its first {@link SensorSource#read()}, not here, so building never does I/O
   */
  public static SensorSource create(SensorOptions options, Random random) {
    Objects.requireNonNull(options, "options");
    Objects.requireNonNull(random, "random");
    return switch (options.kind()) {
      case VIRTUAL -> new VirtualSensor(random);
      case THERMAL -> new ThermalZoneSensor(options.thermalPath());
    };
  }
}
