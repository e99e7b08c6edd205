package io.wallance.util;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class BoundedMapTest {

  @Test
  void insertionOrderDropsTheFirstInsertedPastTheCapacityAndCountsIt() {
    BoundedMap<Integer, String> map = BoundedMap.insertionOrder(3);
    for (int i = 1; i <= 10; i++) {
      map.put(i, "v" + i);
      map.get(1); // reading does not keep an entry in insertion order
    }
    assertThat(map).hasSize(3).containsOnlyKeys(8, 9, 10);
    assertThat(map.dropped()).isEqualTo(7);
    map.put(9, "again"); // replacing is not growing
    assertThat(map).hasSize(3);
    assertThat(map.dropped()).isEqualTo(7);
  }

  @Test
  void accessOrderDropsTheLeastRecentlyUsed() {
    BoundedMap<Integer, String> map = BoundedMap.accessOrder(3);
    map.put(1, "a");
    map.put(2, "b");
    map.put(3, "c");
    map.get(1);
    map.put(4, "d");
    assertThat(map).containsOnlyKeys(1, 3, 4);
    assertThat(map.dropped()).isEqualTo(1);
    assertThat(map.capacity()).isEqualTo(3);
  }

  @Test
  void aCapacityMustBePositive() {
    assertThatThrownBy(() -> BoundedMap.insertionOrder(0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("capacity must be positive, got 0");
  }
}
