package io.wallance.sensor;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The most recent readings, oldest first, for the dashboard's charts. Bounded: adding to a
 * full buffer drops the oldest reading, so memory stays constant however long a node runs.
 * Thread-safe, so an HTTP handler may take a snapshot while the sensor adds.
 */
public final class RecentReadings {

  /** A default capacity: two minutes of one reading per second. */
  public static final int DEFAULT_CAPACITY = 120;

  private final SensorReading[] ring;
  private int next;
  private int size;

  /**
   * @param capacity how many readings to keep, at least 1
   */
  public RecentReadings(int capacity) {
    if (capacity < 1 || capacity > 1_000_000) {
      throw new IllegalArgumentException("capacity out of range: " + capacity);
    }
    this.ring = new SensorReading[capacity];
  }

  /**
   * Adds a reading, dropping the oldest one when full.
   *
   * @param reading the newest reading
   */
  public synchronized void add(SensorReading reading) {
    ring[next] = Objects.requireNonNull(reading, "reading");
    next = (next + 1) % ring.length;
    size = Math.min(size + 1, ring.length);
  }

  /** @return a copy of the kept readings, oldest first */
  public synchronized List<SensorReading> snapshot() {
    List<SensorReading> copy = new ArrayList<>(size);
    int first = (next - size + ring.length) % ring.length;
    for (int i = 0; i < size; i++) {
      copy.add(ring[(first + i) % ring.length]);
    }
    return List.copyOf(copy);
  }

  /** @return the newest reading, if any */
  public synchronized Optional<SensorReading> latest() {
    return size == 0 ? Optional.empty() : Optional.of(ring[(next - 1 + ring.length) % ring.length]);
  }

  /** @return how many readings are kept now */
  public synchronized int size() {
    return size;
  }

  /** @return the most readings this buffer keeps */
  public int capacity() {
    return ring.length;
  }
}
