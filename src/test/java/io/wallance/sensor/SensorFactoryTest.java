package io.wallance.sensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SensorFactoryTest {

  @TempDir
  Path dir;

  @Test
  void virtualIsTheSeededRandomWalk() throws Exception {
    SensorSource sensor = SensorFactory.create(SensorOptions.parse("virtual", null), new Random(5));
    VirtualSensor reference = new VirtualSensor(new Random(5));

    assertThat(sensor).isInstanceOf(VirtualSensor.class);
    assertThat(sensor.kind()).isEqualTo("virtual");
    for (int i = 0; i < 10; i++) {
      assertThat(sensor.read()).isEqualTo(reference.read());
    }
  }

  @Test
  void thermalReadsTheConfiguredFile() throws Exception {
    Path file = Files.writeString(dir.resolve("temp"), "51234\n");

    SensorSource sensor = SensorFactory.create(SensorOptions.parse(" Thermal ", file.toString()), new Random(1));

    assertThat(sensor.kind()).isEqualTo("thermal");
    assertThat(sensor.read()).isEqualTo(51_234);
  }

  @Test
  void thermalDefaultsToThePiCpuTemperature() {
    assertThat(SensorOptions.parse("thermal", null).thermalPath())
        .isEqualTo(Path.of("/sys/class/thermal/thermal_zone0/temp"));
    assertThat(SensorOptions.virtual().kind()).isEqualTo(SensorKind.VIRTUAL);
  }

  @Test
  void anUnknownKindNamesTheAcceptedOnes() {
    assertThatThrownBy(() -> SensorOptions.parse("humidity", null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("humidity").hasMessageContaining("virtual, thermal");
    assertThatThrownBy(() -> SensorOptions.parse(null, null)).isInstanceOf(IllegalArgumentException.class);
  }
}
