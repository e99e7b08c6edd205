package io.wallance.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.wallance.ledger.Certificate;
import io.wallance.ledger.JournalArchive;
import io.wallance.ledger.JournalFixture;
import io.wallance.ledger.LedgerArchive;
import io.wallance.ledger.LedgerChange;
import io.wallance.ledger.LedgerState;
import io.wallance.ledger.MemoryCaps;
import io.wallance.protocol.Crypto;
import io.wallance.protocol.Sums;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The store as a replica's archive (schema version 3 and 4 look-ups), against real SQLite: it
 * answers exactly what the journal holds, also for a file written before version 3 or 4, and a
 * capped state streamed from it (spent rewards evicted to it) equals the capped replay of the
 * journal.
 */
class StoreArchiveTest {
  private static final MemoryCaps SMALL = new MemoryCaps(5, 2, 4);
  private static List<List<List<LedgerChange>>> drains;

  @TempDir
  Path dir;

  @BeforeAll
  static void journals() throws Exception {
    drains = JournalFixture.drains(1, 700);
  }

  private static List<LedgerChange> flat(List<List<LedgerChange>> batches) {
    List<LedgerChange> out = new ArrayList<>();
    batches.forEach(out::addAll);
    return out;
  }

  @Test
  void theStoreAnswersEveryLookUpAsTheJournalDoes() throws Exception {
    List<LedgerChange> journal = flat(drains.get(0));
    try (LedgerStore store = LedgerStore.open(StoreOptions.in(dir))) {
      for (List<LedgerChange> b : drains.get(0)) {
        store.append(b);
      }
      try (StoreArchive archive = store.archive()) {
        assertSameAnswers(archive, new JournalArchive(journal), journal);
        assertThat(archive.reads()).isPositive();
        LedgerState streamed = store.loadState(SMALL, archive).orElseThrow();
        String replayed = JournalFixture.dump(LedgerState.replay(journal, SMALL));
        assertThat(JournalFixture.dump(streamed)).isEqualTo(replayed);
        assertThat(JournalFixture.residentRewards(streamed)).as("spent rewards left memory")
            .isLessThan(JournalFixture.residentRewards(store.loadState(SMALL).orElseThrow()));
      }
    }
  }

  @Test
  void aVersionThreeFileGetsItsRewardKeysOnOpen() throws Exception {
    List<LedgerChange> journal = stored(2);
    // What version 3 wrote: reward rows with the voter as party, without a subject or position.
    execute("UPDATE ledger_change SET party = subject, subject = NULL, position = NULL WHERE type = 'reward'",
        "UPDATE schema_version SET version = 3");
    assertReopensWith(journal);
  }

  @Test
  void rewardRowsAreKeyedByTheirSubjectOnlyAndEarlierVersionFourRowsStillRead() throws Exception {
    List<LedgerChange> journal = stored(2);
    try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("ledger.db"));
        Statement st = db.createStatement();
        var rs = st.executeQuery("SELECT COUNT(*), COUNT(party), COUNT(subject), COUNT(position)"
            + " FROM ledger_change WHERE type = 'reward'")) {
      rs.next();
      assertThat(rs.getLong(1)).as("the fixture grants rewards").isPositive();
      assertThat(rs.getLong(2)).as("no reward row in the party index").isZero();
      assertThat(rs.getLong(3)).isEqualTo(rs.getLong(1));
      assertThat(rs.getLong(4)).isEqualTo(rs.getLong(1));
    }
    // What version 4 wrote before: the voter as party too.
    execute("UPDATE ledger_change SET party = subject WHERE type = 'reward'");
    assertReopensWith(journal);
  }

  @Test
  void aVersionTwoFileGetsItsLookUpKeysOnOpen() throws Exception {
    List<LedgerChange> journal = stored(1);
    // Take the file back to what version 2 wrote: no key columns, no indexes, no reward epochs.
    execute("UPDATE ledger_change SET party = subject WHERE type = 'reward'",
        "DROP INDEX ledger_change_subject",
        "DROP INDEX ledger_change_party",
        "DROP INDEX ledger_change_chain",
        "ALTER TABLE ledger_change DROP COLUMN subject",
        "ALTER TABLE ledger_change DROP COLUMN position",
        "UPDATE ledger_change SET party = NULL WHERE type = 'finalized'",
        "UPDATE ledger_change SET counter = NULL WHERE type = 'reward'",
        "UPDATE schema_version SET version = 2");
    assertReopensWith(journal);
  }

  /** Runs {@code sql} on the store file in {@link #dir}, in order, outside the store. */
  private void execute(String... sql) throws Exception {
    try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("ledger.db"));
        Statement st = db.createStatement()) {
      for (String statement : sql) {
        st.execute(statement);
      }
    }
  }

  /** Appends drain {@code n} of the fixture to a new store in {@link #dir}; returns it flat. */
  private List<LedgerChange> stored(int n) throws Exception {
    try (LedgerStore store = LedgerStore.open(StoreOptions.in(dir))) {
      for (List<LedgerChange> b : drains.get(n)) {
        store.append(b);
      }
    }
    return flat(drains.get(n));
  }

  /** Opens the store in {@link #dir} again: the current schema, the same journal, the same archive answers. */
  private void assertReopensWith(List<LedgerChange> journal) throws Exception {
    try (LedgerStore store = LedgerStore.open(StoreOptions.in(dir))) {
      assertThat(store.schemaVersion()).isEqualTo(4);
      assertThat(store.load()).isEqualTo(journal);
      try (StoreArchive archive = store.archive()) {
        assertSameAnswers(archive, new JournalArchive(journal), journal);
      }
    }
  }

  private static void assertSameAnswers(StoreArchive store, JournalArchive expected, List<LedgerChange> journal) {
    Map<String, Long> lastSeq = new TreeMap<>();
    Map<String, Integer> chains = new TreeMap<>();
    List<String> finals = new ArrayList<>();
    List<String> states = new ArrayList<>();
    List<LedgerChange.RewardGranted> rewards = new ArrayList<>();
    for (LedgerChange c : journal) {
      if (c instanceof LedgerChange.RewardGranted g) {
        rewards.add(g);
      }
      if (c instanceof LedgerChange.ShareStored s) {
        lastSeq.merge(s.share().body().author(), s.share().body().seq(), Math::max);
      } else if (c instanceof LedgerChange.Finalized f) {
        finals.add(f.request().hash());
        chains.merge(f.request().body().buyer(), 1, Integer::sum);
        states.add(f.request().body().buyer() + " " + f.newState());
      }
    }
    assertThat(finals).as("the fixture finalizes purchases").isNotEmpty();
    lastSeq.forEach((author, last) -> {
      assertThat(store.shares(author, 1, last + 3)).isEqualTo(expected.shares(author, 1, last + 3)).isNotEmpty();
      assertThat(store.shares(author, 2, 4)).isEqualTo(expected.shares(author, 2, 4));
    });
    for (String h : finals) {
      Certificate c = store.certificate(h);
      assertThat(c).isEqualTo(expected.certificate(h)).isNotNull();
    }
    assertThat(store.certificate(Crypto.sha256Hex(new byte[] {9}))).isNull();
    chains.forEach((buyer, n) -> {
      for (long i = 0; i <= n; i++) {
        assertThat(store.chainEntry(buyer, i)).isEqualTo(expected.chainEntry(buyer, i));
      }
      assertThat(store.chainEntry(buyer, n)).isNull();
      assertThat(store.isState(buyer, Crypto.GENESIS)).isFalse();
    });
    assertThat(rewards).as("the fixture grants rewards").isNotEmpty();
    long previous = -1;
    for (LedgerChange.RewardGranted g : rewards) {
      long at = store.rewardPosition(g.voter(), g.purchase());
      assertThat(at).as("positions ascend in journal order").isGreaterThan(previous);
      assertThat(expected.rewardPosition(g.voter(), g.purchase())).isNotNegative();
      previous = at;
      long key = Sums.key(g.purchase());
      assertThat(store.rewards(g.voter(), key, key)).isEqualTo(expected.rewards(g.voter(), key, key))
          .contains(g.purchase());
      long coarse = key - key % 4096;
      assertThat(store.rewards(g.voter(), coarse, coarse + 4095)).isEqualTo(expected.rewards(g.voter(), coarse,
          coarse + 4095));
      assertThat(store.rewardPosition(g.voter(), Crypto.sha256Hex(g.purchase().getBytes(
          java.nio.charset.StandardCharsets.US_ASCII)))).isEqualTo(LedgerArchive.ABSENT);
    }
    for (String voter : new java.util.TreeSet<>(rewards.stream().map(LedgerChange.RewardGranted::voter).toList())) {
      assertThat(store.rewards(voter, 0, Sums.SPACE - 1)).isEqualTo(expected.rewards(voter, 0, Sums.SPACE - 1))
          .isSorted().isNotEmpty();
    }
    for (String s : states) {
      String[] p = s.split(" ");
      assertThat(store.isState(p[0], p[1])).isTrue();
      assertThat(store.isState(p[0], Crypto.sha256Hex(p[1].getBytes(java.nio.charset.StandardCharsets.US_ASCII))))
          .isFalse();
    }
  }
}
