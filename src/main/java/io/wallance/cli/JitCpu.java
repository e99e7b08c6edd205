package io.wallance.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time spent by a JVM's JIT compiler threads (and by its children), read from Linux's {@code /proc}. A node JVM
 * compiles for minutes after it starts (Vert.x, Netty, Hazelcast and BouncyCastle are large),
 * and on a small machine its compiler threads take cores away from the event loops: a
 * benchmark that measures before they have settled measures the compiler. {@code bench} warms
 * up until they have (docs/BENCHMARKS.md, "Warm-up").
 */
final class JitCpu {
  /** Linux reports thread times in clock ticks of USER_HZ, which is 100 on every architecture. */
  private static final double TICKS_PER_SECOND = 100.0;

  private JitCpu() {}

  /**
   * CPU seconds (user + system) of the process's compiler threads (HotSpot names them
   * {@code C1 CompilerThread<i>} and {@code C2 CompilerThread<i>}; the kernel keeps the
   * first 15 characters), 0 when the process is gone or {@code /proc} is not there.
   *
   * @param pid a process id
   * @return seconds of CPU spent by its JIT compiler threads so far
   */
  static double seconds(long pid) {
    long ticks = 0;
    Path tasks = Path.of("/proc", Long.toString(pid), "task");
    try (DirectoryStream<Path> threads = Files.newDirectoryStream(tasks)) {
      for (Path thread : threads) {
        try {
          if (isCompiler(Files.readString(thread.resolve("comm"), StandardCharsets.ISO_8859_1))) {
            ticks += cpuTicks(Files.readString(thread.resolve("stat"), StandardCharsets.ISO_8859_1));
          }
        } catch (IOException | RuntimeException gone) {
          // the thread ended between the listing and the read
        }
      }
    } catch (IOException | RuntimeException gone) {
      return 0;
    }
    return ticks / TICKS_PER_SECOND;
  }

  /**
   * CPU seconds (user + system) of the process's children that ended and were waited for, 0
   * when the process is gone: for a node, its contract runs (each a process; bench reports
   * them apart from the node's own CPU, which {@code /proc} does not include them in).
   *
   * @param pid a process id
   * @return seconds of CPU spent by its waited-for children so far
   */
  static double childrenSeconds(long pid) {
    try {
      return childrenTicks(Files.readString(Path.of("/proc", Long.toString(pid), "stat"),
          StandardCharsets.ISO_8859_1)) / TICKS_PER_SECOND;
    } catch (IOException | RuntimeException gone) {
      return 0;
    }
  }

  /** Whether a thread name (as in {@code /proc/.../comm}) is one of HotSpot's JIT compiler threads. */
  static boolean isCompiler(String comm) {
    String name = comm.strip();
    return name.startsWith("C1 CompilerThre") || name.startsWith("C2 CompilerThre");
  }

  /**
   * utime + stime of a {@code /proc/PID/task/TID/stat} line, in clock ticks. The thread name
   * (field 2, in parentheses) may hold spaces and parentheses, so fields are counted after its
   * last closing parenthesis: utime and stime are fields 14 and 15 of the line.
   *
   * @param stat the content of a stat file
   * @return user plus system ticks
   * @throws IllegalArgumentException when the line does not have that shape
   */
  static long cpuTicks(String stat) {
    String[] fields = fields(stat);
    // fields[0] is field 3 (state): utime (field 14) is fields[11], stime (field 15) fields[12].
    return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
  }

  /**
   * cutime + cstime of a {@code /proc/PID/stat} line (fields 16 and 17: the waited-for
   * children's user and system time), in clock ticks.
   *
   * @param stat the content of a stat file
   * @return the children's user plus system ticks
   * @throws IllegalArgumentException when the line does not have that shape
   */
  static long childrenTicks(String stat) {
    String[] fields = fields(stat);
    return Long.parseLong(fields[13]) + Long.parseLong(fields[14]);
  }

  /** The fields of a stat line after the name, from field 3 (state) on; at least 15 of them. */
  private static String[] fields(String stat) {
    int close = stat.lastIndexOf(')');
    if (close < 0) {
      throw new IllegalArgumentException("not a /proc stat line: " + stat);
    }
    String[] fields = stat.substring(close + 1).trim().split("\\s+");
    if (fields.length < 15) {
      throw new IllegalArgumentException("not a /proc stat line: " + stat);
    }
    return fields;
  }
}
