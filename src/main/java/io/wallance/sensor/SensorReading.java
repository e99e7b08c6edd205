package io.wallance.sensor;

import java.util.Objects;

/**
 * One reading as the dashboard charts it.
 *
 * @param kind the source's kind (tells the chart the unit)
 * @param value the reading in milli-units
 * @param timestampMillis when it was taken, epoch milliseconds; for display only, never for
 *     ordering or expiring anything in the protocol
 */
public record SensorReading(String kind, long value, long timestampMillis) {

  /** Checks the kind is present. */
  public SensorReading {
    Objects.requireNonNull(kind, "kind");
  }
}
