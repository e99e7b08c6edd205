package io.wallance.sensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.wallance.sensor.SensorException.Reason;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ThermalZoneSensorTest {

  @TempDir
  Path dir;

  private ThermalZoneSensor sensorWith(String content) throws Exception {
    Path file = dir.resolve("temp");
    Files.writeString(file, content);
    return new ThermalZoneSensor(file);
  }

  @Test
  void readsMilliDegreesAsTheKernelWritesThem() throws Exception {
    assertThat(sensorWith("48312\n").read()).isEqualTo(48_312);
    assertThat(sensorWith("-5000\n").read()).isEqualTo(-5_000);
    assertThat(sensorWith("0").read()).isZero();
  }

  @Test
  void readsTheFileAgainOnEachReading() throws Exception {
    ThermalZoneSensor sensor = sensorWith("40000\n");
    assertThat(sensor.read()).isEqualTo(40_000);
    Files.writeString(sensor.path(), "41500\n");
    assertThat(sensor.read()).isEqualTo(41_500);
    assertThat(sensor.kind()).isEqualTo("thermal");
  }

  @Test
  void aMissingFileIsAClearError() {
    Path missing = dir.resolve("thermal_zone9/temp");
    SensorException e = catchThrowableOfType(SensorException.class, () -> new ThermalZoneSensor(missing).read());

    assertThat(e.reason()).isEqualTo(Reason.MISSING);
    assertThat(e.getMessage()).contains(missing.toString()).contains("virtual");
  }

  @Test
  void malformedContentIsAClearError() throws Exception {
    for (String content : new String[] {"", "\n", "abc\n", "48.3\n", "48312 C\n", "2000000\n",
        "99999999999999999999999\n", "1".repeat(40), "\u001b[2J"}) {
      SensorException e = catchThrowableOfType(SensorException.class, () -> sensorWith(content).read());
      assertThat(e).as("content '%s'", content).isNotNull();
      assertThat(e.reason()).isEqualTo(Reason.MALFORMED);
      assertThat(e.getMessage()).contains(dir.resolve("temp").toString()).doesNotContain("\u001b");
    }
  }

  @Test
  void anUnreadablePathIsAClearError() {
    SensorException e = catchThrowableOfType(SensorException.class, () -> new ThermalZoneSensor(dir).read());
    assertThat(e.reason()).isEqualTo(Reason.UNREADABLE);
    assertThat(e.getMessage()).contains(dir.toString());
  }
}
