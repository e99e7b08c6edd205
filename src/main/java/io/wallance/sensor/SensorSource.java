package io.wallance.sensor;

/**
 * A source of integer sensor readings.
 *
 * <p>{@link #read()} may do file I/O (sysfs reads take microseconds, but a broken device
 * file can stall): call it from a worker ({@code vertx.executeBlocking}), never directly on
 * an event loop. Implementations are safe to call from one thread at a time.
 */
public interface SensorSource {

  /** @return the kind of source, e.g. {@code "virtual"} or {@code "thermal"}, for display */
  String kind();

  /**
   * Takes one reading.
   *
   * @return the reading in milli-units (milli-degrees Celsius for temperatures)
   * @throws SensorException if the sensor is missing or returned something unusable
   */
  long read() throws SensorException;
}
