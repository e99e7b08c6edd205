package io.wallance.sensor;

import io.wallance.sensor.SensorException.Reason;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Reads a Linux thermal zone, such as the Raspberry Pi's CPU temperature at
 * {@value #DEFAULT_PATH}: the file holds one integer in milli-degrees Celsius and a newline.
 */
public final class ThermalZoneSensor implements SensorSource {

  /** The kind reported by {@link #kind()}. */
  public static final String KIND = "thermal";
  /** The Pi's CPU temperature. */
  public static final String DEFAULT_PATH = "/sys/class/thermal/thermal_zone0/temp";
  /** A sysfs value is a few bytes; anything longer is the wrong file. */
  private static final int MAX_BYTES = 32;
  /** Readings outside ±1000 °C are not temperatures; reject rather than share nonsense. */
  private static final long LIMIT_MILLI = 1_000_000;

  private final Path path;

  /**
   * @param path the thermal zone file to read on each {@link #read()}
   */
  public ThermalZoneSensor(Path path) {
    this.path = Objects.requireNonNull(path, "path");
  }

  /** @return the file this sensor reads */
  public Path path() {
    return path;
  }

  @Override
  public String kind() {
    return KIND;
  }

  @Override
  public long read() throws SensorException {
    byte[] bytes;
    try (InputStream in = Files.newInputStream(path)) {
      bytes = in.readNBytes(MAX_BYTES + 1);
    } catch (NoSuchFileException e) {
      throw new SensorException(Reason.MISSING, "thermal sensor file " + path
          + " does not exist (no thermal zone on this machine? use the virtual sensor)", e);
    } catch (IOException e) {
      throw new SensorException(Reason.UNREADABLE, "cannot read thermal sensor file " + path
          + ": " + e, e);
    }
    if (bytes.length > MAX_BYTES) {
      throw new SensorException(Reason.MALFORMED, "thermal sensor file " + path
          + " holds more than " + MAX_BYTES + " bytes; expected one integer in milli-degrees", null);
    }
    String text = new String(bytes, StandardCharsets.US_ASCII).strip();
    try {
      long value = Long.parseLong(text);
      if (Math.abs(value) > LIMIT_MILLI) {
        throw new NumberFormatException("out of range");
      }
      return value;
    } catch (NumberFormatException e) {
      throw new SensorException(Reason.MALFORMED, "thermal sensor file " + path
          + " does not hold an integer in milli-degrees: '" + printable(text) + "'", e);
    }
  }

  private static String printable(String text) {
    // Escape what a terminal would interpret, since the text comes from a file we do not own.
    StringBuilder out = new StringBuilder();
    text.codePoints().forEach(c -> {
      if (c >= 0x20 && c < 0x7f) {
        out.appendCodePoint(c);
      } else {
        out.append(String.format("\\x%02x", c & 0xff));
      }
    });
    return out.toString();
  }
}
