package io.wallance.util;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A map that never holds more than its capacity: putting one more entry drops the eldest
 * (the first inserted, or with access order the least recently used) and counts the drop.
 * Not thread-safe, like {@link LinkedHashMap}.
 *
 * @param <K> key type
 * @param <V> value type
 */
public final class BoundedMap<K, V> extends LinkedHashMap<K, V> {
  private static final long serialVersionUID = 1L;

  private final int capacity;
  private long dropped;

  private BoundedMap(int capacity, boolean accessOrder) {
    super(Math.min(capacity, 256), 0.75f, accessOrder);
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be positive, got " + capacity);
    }
    this.capacity = capacity;
  }

  /** @return an empty map of at most {@code capacity} entries that drops the first inserted */
  public static <K, V> BoundedMap<K, V> insertionOrder(int capacity) {
    return new BoundedMap<>(capacity, false);
  }

  /** @return an empty map of at most {@code capacity} entries that drops the least recently used */
  public static <K, V> BoundedMap<K, V> accessOrder(int capacity) {
    return new BoundedMap<>(capacity, true);
  }

  /** @return the most entries this map holds */
  public int capacity() {
    return capacity;
  }

  /** @return how many entries were dropped to stay within the capacity */
  public long dropped() {
    return dropped;
  }

  @Override
  protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
    if (size() > capacity) {
      dropped++;
      return true;
    }
    return false;
  }
}
