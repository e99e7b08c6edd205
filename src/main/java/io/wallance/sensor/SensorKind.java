package io.wallance.sensor;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The sensor sources a node can be configured with, by their configuration value. */
public enum SensorKind {
  /** {@link VirtualSensor}, the default: works on any machine. */
  VIRTUAL(VirtualSensor.KIND),
  /** {@link ThermalZoneSensor}: a Linux thermal zone such as the Pi's CPU temperature. */
  THERMAL(ThermalZoneSensor.KIND);

  private final String configValue;

  SensorKind(String configValue) {
    this.configValue = configValue;
  }

  /** @return the value used in configuration files */
  public String configValue() {
    return configValue;
  }

  /**
   * @param value a configuration value, {@code virtual} or {@code thermal} (case-insensitive)
   * @return the matching kind
   * @throws IllegalArgumentException naming the accepted values if there is none
   */
  public static SensorKind parse(String value) {
    for (SensorKind kind : values()) {
      if (kind.configValue.equals(value == null ? null : value.strip().toLowerCase(Locale.ROOT))) {
        return kind;
      }
    }
    throw new IllegalArgumentException("unknown sensor kind '" + value + "'; expected one of "
        + Arrays.stream(values()).map(SensorKind::configValue).collect(Collectors.joining(", ")));
  }
}
