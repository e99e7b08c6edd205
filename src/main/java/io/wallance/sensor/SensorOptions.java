package io.wallance.sensor;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Which sensor a node reads.
 *
 * @param kind the source
 * @param thermalPath the thermal zone file, used when {@code kind} is {@link SensorKind#THERMAL}
 */
public record SensorOptions(SensorKind kind, Path thermalPath) {

  /** Checks both are present. */
  public SensorOptions {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(thermalPath, "thermalPath");
  }

  /** @return the virtual sensor, with the Pi's thermal zone as the (unused) thermal path */
  public static SensorOptions virtual() {
    return new SensorOptions(SensorKind.VIRTUAL, Path.of(ThermalZoneSensor.DEFAULT_PATH));
  }

  /**
   * Parses configuration values.
   *
   * @param kind {@code virtual} or {@code thermal}
   * @param thermalPath the thermal zone file, or {@code null} for {@value ThermalZoneSensor#DEFAULT_PATH}
   * @return the options
   * @throws IllegalArgumentException for an unknown kind
   */
  public static SensorOptions parse(String kind, String thermalPath) {
    return new SensorOptions(SensorKind.parse(kind),
        Path.of(thermalPath == null ? ThermalZoneSensor.DEFAULT_PATH : thermalPath));
  }
}
