package io.wallance.sensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.stream.LongStream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class RecentReadingsTest {

  private static SensorReading reading(long value) {
    return new SensorReading("virtual", value, 1_000 * value);
  }

  @Test
  void startsEmpty() {
    RecentReadings readings = new RecentReadings(3);
    assertThat(readings.snapshot()).isEmpty();
    assertThat(readings.latest()).isEmpty();
    assertThat(readings.size()).isZero();
    assertThat(readings.capacity()).isEqualTo(3);
  }

  @Test
  void keepsTheNewestInOrderAndDropsTheOldest() {
    RecentReadings readings = new RecentReadings(3);
    for (long v = 1; v <= 5; v++) {
      readings.add(reading(v));
    }
    assertThat(readings.snapshot()).extracting(SensorReading::value).containsExactly(3L, 4L, 5L);
    assertThat(readings.latest()).contains(reading(5));
    assertThat(readings.size()).isEqualTo(3);
  }

  @Test
  void snapshotsAreImmutableCopies() {
    RecentReadings readings = new RecentReadings(2);
    readings.add(reading(1));
    List<SensorReading> before = readings.snapshot();
    readings.add(reading(2));

    assertThat(before).containsExactly(reading(1));
    assertThatThrownBy(() -> before.add(reading(9))).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void refusesAnUnusableCapacity() {
    assertThatThrownBy(() -> new RecentReadings(0)).isInstanceOf(IllegalArgumentException.class);
  }

  @Property
  void alwaysHoldsTheLastReadingsUpToCapacity(
      @ForAll @IntRange(min = 1, max = 130) int capacity, @ForAll @IntRange(max = 400) int added) {
    RecentReadings readings = new RecentReadings(capacity);
    for (long v = 0; v < added; v++) {
      readings.add(reading(v));
    }
    long[] expected = LongStream.range(Math.max(0, added - capacity), added).toArray();
    assertThat(readings.snapshot()).extracting(SensorReading::value).containsExactly(
        LongStream.of(expected).boxed().toArray(Long[]::new));
    assertThat(readings.latest().map(SensorReading::value)).isEqualTo(
        added == 0 ? java.util.Optional.empty() : java.util.Optional.of((long) added - 1));
  }
}
