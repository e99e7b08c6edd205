package io.wallance.progress;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ProgressTest {
  private final AtomicLong now = new AtomicLong();
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

  private String printed() {
    return bytes.toString(StandardCharsets.UTF_8);
  }

  @Test
  void inLogsALineIsPrintedAtMostEveryTwoSeconds() {
    Progress p = new Progress("simulate", 100, out, false, now::get);
    now.set(1_000_000_000L);
    p.update(10, "violations=0");
    assertThat(printed()).isEmpty();
    now.set(2_000_000_000L);
    p.update(20, "violations=0");
    assertThat(printed()).isEqualTo("[simulate] 20/100 (20%) 2s eta 8s violations=0\n");
    now.set(3_000_000_000L);
    p.update(30, "violations=0");
    assertThat(printed().lines()).hasSize(1);
    now.set(5_000_000_000L);
    p.update(100, "violations=1");
    p.close();
    assertThat(printed().lines()).containsExactly("[simulate] 20/100 (20%) 2s eta 8s violations=0",
        "[simulate] 100/100 (100%) 5s violations=1", "[simulate] 100/100 (100%) 5s violations=1");
  }

  @Test
  void onATerminalOneLineIsRedrawnAndEndedOnClose() {
    Progress p = new Progress("bench", 0, out, true, now::get);
    now.set(300_000_000L);
    p.update(7, "p50=3ms");
    now.set(400_000_000L);
    p.update(8, "p50=3ms");
    now.set(75_000_000_000L);
    p.close();
    assertThat(printed()).isEqualTo("\r\u001b[2K[bench] 7 0s p50=3ms\r\u001b[2K[bench] 8 1m15s p50=3ms\n");
  }

  @Test
  void aShortTaskPrintsNothingInLogs() {
    Progress p = new Progress("sync", 3, out, false, now::get);
    p.update(3, "");
    p.close();
    assertThat(printed()).isEmpty();
    assertThat(p.line()).isEqualTo("[sync] 3/3 (100%) 0s");
  }

  @Test
  void silentProgressNeverWrites() {
    Progress p = Progress.silent();
    p.update(1, "x");
    p.close();
    assertThat(p.line()).startsWith("[] 1");
  }
}
