package io.wallance.web;

import io.wallance.config.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CommandCountersTest {
  private static final String A = "a".repeat(64);
  private static final String B = "b".repeat(64);

  @TempDir
  Path dir;

  @Test
  void countersIncreasePerNodeAndSurviveARestart() throws Exception {
    CommandCounters c = CommandCounters.open(dir.resolve("web"));
    assertThat(c.next(A)).isEqualTo(1);
    assertThat(c.next(A)).isEqualTo(2);
    assertThat(c.next(B)).isEqualTo(1);

    CommandCounters reopened = CommandCounters.open(dir.resolve("web"));

    assertThat(reopened.next(A)).isEqualTo(3);
    assertThat(reopened.next(B)).isEqualTo(2);
  }

  @Test
  void purchaseIdsIncreaseAcrossRestarts() throws Exception {
    CommandCounters c = CommandCounters.open(dir);
    assertThat(c.nextPurchase()).isEqualTo(1);
    assertThat(c.nextPurchase()).isEqualTo(2);

    assertThat(CommandCounters.open(dir).nextPurchase()).isEqualTo(3);
  }

  @Test
  void eachValueIsOnDiskBeforeItIsReturned() throws Exception {
    CommandCounters c = CommandCounters.open(dir);
    long value = c.next(A);

    // A process killed right after `next` returned restarts above the value it handed out.
    assertThat(Files.readString(dir.resolve(CommandCounters.FILE))).contains("\"" + A + "\" : " + value);
    assertThat(Files.exists(dir.resolve(CommandCounters.FILE + ".tmp"))).isFalse();
  }

  @Test
  void raiseOnlyMovesForward() throws Exception {
    CommandCounters c = CommandCounters.open(dir);
    c.raise(A, 41);
    assertThat(c.next(A)).isEqualTo(42);
    c.raise(A, 5);
    assertThat(c.next(A)).isEqualTo(43);
    assertThat(CommandCounters.open(dir).last(A)).isEqualTo(43);
  }

  @Test
  void aCorruptFileIsAClearError() throws Exception {
    Files.writeString(dir.resolve(CommandCounters.FILE), "{not json");

    assertThatThrownBy(() -> CommandCounters.open(dir)).isInstanceOf(ConfigException.class)
        .hasMessageContaining(CommandCounters.FILE);
  }

  @Test
  void aFileWithAForeignKeyIsRefused() throws Exception {
    Files.writeString(dir.resolve(CommandCounters.FILE), "{\"lastPurchase\": 1, \"counters\": {\"x\": 1}}");

    assertThatThrownBy(() -> CommandCounters.open(dir)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("counters.x");
  }
}
