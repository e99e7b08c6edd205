package io.wallance.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.wallance.ledger.LedgerChange;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Schema versions and ordered migrations, on real SQLite files. */
class MigrationTest {
  @TempDir
  Path dir;

  /** The version-1 schema as released, frozen here: a v1 file written by hand must still open. */
  private static final List<String> V1_AS_RELEASED = List.of(
      "CREATE TABLE schema_version (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL)",
      "INSERT INTO schema_version (id, version) VALUES (1, 1)",
      "CREATE TABLE ledger_change (seq INTEGER PRIMARY KEY, batch INTEGER NOT NULL, type TEXT NOT NULL, message TEXT,"
          + " party TEXT, hash TEXT, chain_index INTEGER, prev_epoch INTEGER, head_shares INTEGER,"
          + " head_balance INTEGER, counter INTEGER, evidence_kind TEXT)",
      "CREATE INDEX ledger_change_batch ON ledger_change (batch)",
      "CREATE TABLE certificate_vote (change_seq INTEGER NOT NULL REFERENCES ledger_change (seq),"
          + " voter TEXT NOT NULL, message TEXT NOT NULL, PRIMARY KEY (change_seq, voter))",
      "CREATE TABLE evidence_item (change_seq INTEGER NOT NULL REFERENCES ledger_change (seq), pos INTEGER NOT NULL,"
          + " text TEXT NOT NULL, PRIMARY KEY (change_seq, pos))",
      "CREATE TABLE contract_run (request TEXT PRIMARY KEY, purchase INTEGER NOT NULL, contract TEXT NOT NULL,"
          + " started INTEGER NOT NULL, status TEXT NOT NULL, finished INTEGER, outcome TEXT)");

  /** This release's schema version. */
  private static final int CURRENT = Migration.supported(Migration.ALL);
  /** A future release's extra step. */
  private static final Migration V2 = new Migration(CURRENT + 1, "test: a note per change",
      List.of("ALTER TABLE ledger_change ADD COLUMN note TEXT"));

  @Test
  void anEmptyDirectoryIsCreatedAtTheCurrentVersion() throws Exception {
    try (LedgerStore store = LedgerStore.open(StoreOptions.in(dir.resolve("new")))) {
      assertThat(store.schemaVersion()).isEqualTo(CURRENT).isEqualTo(4);
    }
  }

  @Test
  void aVersionOneFileWrittenByHandOpensAndLoads() throws Exception {
    Path d = dir.resolve("v1");
    Files.createDirectories(d);
    List<LedgerChange> batch = KillFixture.batch(1);
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + d.resolve(StoreOptions.FILE));
        Statement st = c.createStatement()) {
      for (String sql : V1_AS_RELEASED) {
        st.execute(sql);
      }
      try (PreparedStatement ps = c.prepareStatement(
          "INSERT INTO ledger_change (seq, batch, type, message) VALUES (?, 1, ?, ?)")) {
        ps.setLong(1, 1);
        ps.setString(2, "registry");
        ps.setString(3, ((LedgerChange.RegistryAdopted) batch.get(0)).registry().wireText());
        ps.executeUpdate();
        ps.setLong(1, 2);
        ps.setString(2, "share");
        ps.setString(3, ((LedgerChange.ShareStored) batch.get(1)).share().wireText());
        ps.executeUpdate();
      }
    }
    try (LedgerStore store = LedgerStore.open(StoreOptions.in(d))) {
      assertThat(store.schemaVersion()).isEqualTo(CURRENT); // migrated from 1
      assertThat(store.load()).isEqualTo(batch.subList(0, 2));
      assertThat(store.loadState()).isPresent();
      assertThat(store.loadPurchases()).isEmpty();
    }
  }

  @Test
  void theCurrentDatabaseIsMigratedInOrderAndANewerOneIsRefused() throws Exception {
    Path d = dir.resolve("db");
    List<LedgerChange> journal = new ArrayList<>();
    try (LedgerStore store = LedgerStore.open(StoreOptions.in(d))) {
      for (long k = 1; k <= 3; k++) {
        store.append(KillFixture.batch(k));
        journal.addAll(KillFixture.batch(k));
      }
      store.runs().begin(1, "aa", "Tea", 5);
    }
    List<Migration> withV2 = new ArrayList<>(Migration.ALL);
    withV2.add(V2);
    try (LedgerStore store = LedgerStore.open(StoreOptions.in(d), withV2)) {
      assertThat(store.schemaVersion()).isEqualTo(CURRENT + 1);
      assertThat(store.load()).isEqualTo(journal);
      assertThat(store.runs().interrupted()).hasSize(1);
      try (Statement st = store.connection().createStatement();
          ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM ledger_change WHERE note IS NULL")) {
        rs.next();
        assertThat(rs.getLong(1)).isEqualTo(journal.size());
      }
      store.append(KillFixture.batch(4)); // the v2 schema still takes v1 rows
    }
    try (LedgerStore store = LedgerStore.open(StoreOptions.in(d), withV2)) {
      assertThat(store.schemaVersion()).isEqualTo(CURRENT + 1); // nothing left to migrate
      assertThat(store.batches()).isEqualTo(4);
    }
    // This release (v1 only) must refuse a file a newer release (v2) wrote.
    StoreException e = org.junit.jupiter.api.Assertions.assertThrows(StoreException.class,
        () -> LedgerStore.open(StoreOptions.in(d)));
    assertThat(e.kind()).isEqualTo(StoreException.Kind.NEWER_SCHEMA);
    assertThat(e.getMessage()).contains("schema version " + (CURRENT + 1)).contains("supports up to " + CURRENT);
  }

  @Test
  void aFailedMigrationLeavesThePreviousVersion() throws Exception {
    Path d = dir.resolve("failing");
    try (LedgerStore store = LedgerStore.open(StoreOptions.in(d))) {
      store.append(KillFixture.batch(1));
    }
    List<Migration> broken = new ArrayList<>(Migration.ALL);
    broken.add(new Migration(CURRENT + 1, "adds a column, then fails", List.of("ALTER TABLE ledger_change ADD COLUMN x TEXT",
        "THIS IS NOT SQL")));
    org.junit.jupiter.api.Assertions.assertThrows(StoreException.class, () -> LedgerStore.open(StoreOptions.in(d),
        broken));
    try (LedgerStore store = LedgerStore.open(StoreOptions.in(d))) {
      assertThat(store.schemaVersion()).isEqualTo(CURRENT);
      assertThat(store.load()).isEqualTo(KillFixture.batch(1));
    }
  }
}
