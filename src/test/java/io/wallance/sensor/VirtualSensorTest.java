package io.wallance.sensor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class VirtualSensorTest {

  private static long[] readings(long seed, int count) {
    VirtualSensor sensor = new VirtualSensor(new Random(seed));
    return LongStream.range(0, count).map(i -> sensor.read()).toArray();
  }

  @Test
  void theSameSeedGivesTheSameReadings() {
    assertThat(readings(42, 500)).isEqualTo(readings(42, 500));
    assertThat(readings(42, 500)).isNotEqualTo(readings(43, 500));
  }

  @Test
  void walksPlausiblyAroundRoomTemperature() {
    long[] values = readings(7, 20_000);
    long sum = 0;
    long largestStep = 0;
    for (int i = 0; i < values.length; i++) {
      assertThat(values[i]).isBetween(VirtualSensor.MIN_MILLI, VirtualSensor.MAX_MILLI);
      sum += values[i];
      if (i > 0) {
        largestStep = Math.max(largestStep, Math.abs(values[i] - values[i - 1]));
      }
    }
    // A thermometer drifts by fractions of a degree per reading, not by jumps.
    assertThat(largestStep).isLessThan(1_000);
    assertThat(sum / values.length).isBetween(19_000L, 23_000L);
    assertThat(LongStream.of(values).distinct().count()).as("it actually moves").isGreaterThan(1_000);
  }

  @Test
  void reportsItsKind() {
    assertThat(new VirtualSensor(new Random(1)).kind()).isEqualTo("virtual");
  }
}
