package io.wallance.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.wallance.ledger.LedgerChange;
import io.wallance.ledger.LedgerState;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real process crash: a child JVM appends batches in a loop and is killed (SIGKILL) at a
 * random moment; every batch is then whole or absent, and every batch the child reported as
 * committed is there. Three kills on one data directory, each child resuming where the last
 * one's durable journal ends.
 */
class KillNineTest {
  @TempDir
  Path dir;

  @Test
  void killedAtARandomMomentEveryBatchIsWholeOrAbsentAndNothingReportedIsLost() throws Exception {
    Random rnd = new Random();
    long reportedBefore = 0;
    for (int round = 0; round < 3; round++) {
      long reported = runAndKill(100 + rnd.nextInt(600));
      assertThat(reported).as("round " + round + ": the child committed something").isGreaterThan(reportedBefore);
      reportedBefore = check(reported);
    }
  }

  /** Starts the child, kills it {@code afterMillis} after its first commit; returns the last batch it reported. */
  private long runAndKill(long afterMillis) throws Exception {
    String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
    Process child = new ProcessBuilder(java, "-Xmx64m", "-XX:TieredStopAtLevel=1", "-cp",
        System.getProperty("java.class.path"), KillFixture.class.getName(), dir.toString())
        .redirectErrorStream(true).start();
    AtomicLong last = new AtomicLong();
    CountDownLatch firstCommit = new CountDownLatch(1);
    StringBuilder output = new StringBuilder();
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(),
          StandardCharsets.UTF_8))) {
        for (String line; (line = r.readLine()) != null; ) {
          if (line.startsWith("committed ")) {
            last.set(Long.parseLong(line.substring(10)));
            firstCommit.countDown();
          } else if (output.length() < 4000) {
            output.append(line).append('\n');
          }
        }
      } catch (java.io.IOException ignored) {
        // the child died
      }
    });
    reader.start();
    try {
      assertThat(firstCommit.await(60, TimeUnit.SECONDS)).as("child output: " + output).isTrue();
      Thread.sleep(afterMillis);
    } finally {
      child.destroyForcibly(); // SIGKILL: no shutdown hook, no close, no final commit
      assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }
    // Read everything the child printed before it died (under load this can take a while):
    // a line still unread would make the report look older than the journal.
    reader.join(120_000);
    assertThat(reader.isAlive()).as("the child's output was read to its end").isFalse();
    return last.get();
  }

  /** Opens the killed child's store and checks it; returns the number of batches found. */
  private long check(long reported) throws Exception {
    try (LedgerStore store = LedgerStore.open(StoreOptions.in(dir))) {
      TreeMap<Long, List<LedgerChange>> batches = store.loadBatches();
      long found = batches.isEmpty() ? 0 : batches.lastKey();
      assertThat(found).as("every batch reported committed is there").isGreaterThanOrEqualTo(reported);
      assertThat(found).as("at most the batch being committed when killed").isLessThanOrEqualTo(reported + 1);
      assertThat(batches.keySet()).as("no batch missing in between").hasSize((int) found);
      for (var e : batches.entrySet()) {
        assertThat(e.getValue()).as("batch " + e.getKey() + " whole").isEqualTo(KillFixture.batch(e.getKey()));
      }
      LedgerState state = store.loadState().orElseThrow();
      assertThat(state).isNotNull();
      return found;
    }
  }
}
