package io.wallance.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Contract runs: recorded before they start, reported as interrupted after a crash, never re-run by themselves. */
class ContractRunLogTest {
  @TempDir
  Path dir;

  @Test
  void aRunCutShortByACrashIsReportedInterruptedAndNeverBegunAgain() throws Exception {
    LedgerStore first = LedgerStore.open(StoreOptions.in(dir));
    ContractRunLog runs = first.runs();
    assertThat(runs.interrupted()).isEmpty();
    assertThat(runs.begin(1, "r1", "Tea", 1000)).isTrue();
    assertThat(runs.begin(2, "r2", "Nespresso", 2000)).isTrue();
    assertThat(runs.begin(1, "r1", "Tea", 3000)).as("the same run again").isFalse();
    assertThat(runs.complete("r1", "succeeded exit=0", 1500)).isTrue();
    assertThat(runs.complete("r1", "again", 1600)).as("completed once").isFalse();
    assertThat(runs.find("r2").orElseThrow().status()).isEqualTo(ContractRunLog.Status.RUNNING);
    assertThat(runs.interrupted()).as("running in this process is not interrupted").isEmpty();
    // The process dies here, with r2 running: nothing is closed or completed.
    abandon(first);

    try (LedgerStore store = LedgerStore.open(StoreOptions.in(dir))) {
      ContractRunLog after = store.runs();
      assertThat(after.interruptedAtOpen()).isEqualTo(1);
      assertThat(after.interrupted()).containsExactly(new ContractRunLog.Run(2, "r2", "Nespresso", 2000,
          ContractRunLog.Status.INTERRUPTED, null, null));
      assertThat(after.find("r1").orElseThrow()).isEqualTo(new ContractRunLog.Run(1, "r1", "Tea", 1000,
          ContractRunLog.Status.COMPLETED, 1500L, "succeeded exit=0"));
      assertThat(after.begin(2, "r2", "Nespresso", 9000)).as("never re-run by itself").isFalse();
      assertThat(after.complete("r2", "late", 9000)).as("the dead process's run cannot complete").isFalse();
      assertThat(after.find("unknown")).isEmpty();
    }
    try (LedgerStore store = LedgerStore.open(StoreOptions.in(dir))) {
      assertThat(store.runs().interruptedAtOpen()).isZero();
      assertThat(store.runs().interrupted()).hasSize(1); // still reported: history, not a one-shot flag
    }
  }

  /** Drops a store as a killed process would: the lock goes, the connection is never closed cleanly. */
  private static void abandon(LedgerStore store) throws Exception {
    store.abandon();
  }
}
