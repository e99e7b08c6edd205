package io.wallance.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wallance.ledger.JournalFixture;
import io.wallance.ledger.LedgerChange;
import io.wallance.ledger.LedgerState;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ledger store against the real embedded SQLite: no mocks. */
class LedgerStoreTest {
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
  void everyChangeTypeRoundTripsAndRebuildsTheSameState() throws Exception {
    Set<String> types = new HashSet<>();
    for (int node = 0; node < 4; node++) {
      Path d = dir.resolve("pi" + node);
      List<List<LedgerChange>> batches = drains.get(node);
      try (LedgerStore store = LedgerStore.open(StoreOptions.in(d))) {
        assertThat(store.loadState()).isEmpty();
        for (List<LedgerChange> b : batches) {
          store.append(b);
        }
        store.append(List.of()); // nothing to store: no batch
        assertThat(store.batches()).isEqualTo(batches.size());
      }
      List<LedgerChange> journal = flat(batches);
      journal.forEach(c -> types.add(c.getClass().getSimpleName()));
      try (LedgerStore store = LedgerStore.open(StoreOptions.in(d))) {
        assertThat(store.load()).isEqualTo(journal);
        assertThat(store.loadBatches().values()).containsExactlyElementsOf(batches);
        assertThat(store.size()).isEqualTo(journal.size());
        LedgerState rebuilt = store.loadState().orElseThrow();
        assertThat(JournalFixture.dump(rebuilt)).isEqualTo(JournalFixture.dump(LedgerState.replay(journal)));
      }
    }
    Set<String> all = new HashSet<>();
    for (Class<?> c : LedgerChange.class.getPermittedSubclasses()) {
      all.add(c.getSimpleName());
    }
    assertThat(types).isEqualTo(all);
  }

  @Test
  void purchasesAreStoredWithTheirBatchAndALaterRecordReplacesAnEarlierOne() throws Exception {
    List<List<LedgerChange>> batches = drains.get(0);
    Path d = dir.resolve("purchases");
    try (LedgerStore store = LedgerStore.open(StoreOptions.in(d))) {
      store.append(batches.get(0), List.of(new PurchaseRecord(7, 1, "Tea", 2, "waiting", null),
          new PurchaseRecord(3, 2, "Receipt", 1, "waiting", null)));
      store.append(List.of(), List.of(new PurchaseRecord(7, 1, "Tea", 2, "published", "ab".repeat(32))));
      assertThat(store.batches()).isEqualTo(1); // a purchase-only write is no journal batch
      // A failing transaction stores neither its changes nor its purchases.
      store.beforeCommit = () -> {
        throw new IllegalStateException("disk gone");
      };
      assertThatThrownBy(() -> store.append(batches.get(1), List.of(new PurchaseRecord(3, 2, "Receipt", 1,
          "cancelled", null)))).isInstanceOf(IllegalStateException.class);
      store.beforeCommit = () -> { };
    }
    try (LedgerStore store = LedgerStore.open(StoreOptions.in(d))) {
      assertThat(store.loadPurchases()).containsExactly(
          new PurchaseRecord(7, 1, "Tea", 2, "published", "ab".repeat(32)),
          new PurchaseRecord(3, 2, "Receipt", 1, "waiting", null));
      assertThat(store.load()).isEqualTo(batches.get(0));
    }
  }

  @Test
  void aBatchCutShortByACrashIsAbsentAndEarlierBatchesAreWhole() throws Exception {
    List<List<LedgerChange>> batches = drains.get(0);
    Path crashed = dir.resolve("crashed");
    Path d = dir.resolve("live");
    try (LedgerStore store = LedgerStore.open(StoreOptions.in(d))) {
      for (List<LedgerChange> b : batches.subList(0, 10)) {
        store.append(b);
      }
      // The process "dies" with the next batch written but not committed: copy the files as
      // the disk holds them at that instant (database and write-ahead log) and open the copy.
      List<LedgerChange> big = flat(batches.subList(10, batches.size()));
      store.beforeCommit = () -> {
        try {
          Files.createDirectories(crashed);
          for (String f : List.of(StoreOptions.FILE, StoreOptions.FILE + "-wal")) {
            if (Files.exists(d.resolve(f))) {
              Files.copy(d.resolve(f), crashed.resolve(f), StandardCopyOption.REPLACE_EXISTING);
            }
          }
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      };
      store.append(big);
      store.beforeCommit = () -> { };
    }
    try (LedgerStore store = LedgerStore.open(StoreOptions.in(crashed))) {
      assertThat(store.batches()).isEqualTo(10);
      assertThat(store.loadBatches().values()).containsExactlyElementsOf(batches.subList(0, 10));
      store.append(batches.get(10)); // and it goes on from there
      assertThat(store.batches()).isEqualTo(11);
    }
    try (LedgerStore store = LedgerStore.open(StoreOptions.in(d))) {
      assertThat(store.batches()).isEqualTo(11); // the committed original holds the big batch
    }
  }

  @Test
  void aFailedBatchIsRolledBackWhole() throws Exception {
    List<List<LedgerChange>> batches = drains.get(1);
    try (LedgerStore store = LedgerStore.open(StoreOptions.in(dir))) {
      store.append(batches.get(0));
      store.beforeCommit = () -> {
        throw new IllegalStateException("boom");
      };
      assertThatThrownBy(() -> store.append(batches.get(1))).hasMessage("boom");
      store.beforeCommit = () -> { };
      store.append(batches.get(1));
      assertThat(store.loadBatches()).isEqualTo(new TreeMap<>(java.util.Map.of(1L, batches.get(0), 2L,
          batches.get(1))));
    }
  }

  @Test
  void aFullDiskIsATypedErrorAndLosesNothingCommitted() throws Exception {
    List<List<LedgerChange>> batches = drains.get(2);
    try (LedgerStore store = LedgerStore.open(StoreOptions.in(dir))) {
      store.append(batches.get(0));
      try (Statement st = store.connection().createStatement()) {
        st.execute("PRAGMA max_page_count = " + pageCount(store)); // the "disk" is now full
      }
      StoreException e = org.junit.jupiter.api.Assertions.assertThrows(StoreException.class,
          () -> store.append(flat(batches.subList(1, batches.size()))));
      assertThat(e.kind()).isEqualTo(StoreException.Kind.DISK_FULL);
      assertThat(e.getMessage()).contains("free space");
      assertThat(store.load()).isEqualTo(batches.get(0));
      try (Statement st = store.connection().createStatement()) {
        st.execute("PRAGMA max_page_count = 1073741823");
      }
      store.append(batches.get(1));
      assertThat(store.batches()).isEqualTo(2);
      // Exactly these two: nothing of the failed batch is left in the store's reused statements.
      assertThat(store.loadBatches()).isEqualTo(new TreeMap<>(java.util.Map.of(1L, batches.get(0), 2L,
          batches.get(1))));
    }
  }

  private static long pageCount(LedgerStore store) throws Exception {
    try (Statement st = store.connection().createStatement();
        var rs = st.executeQuery("PRAGMA page_count")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  @Test
  void aDamagedOrForeignFileIsRefusedAsCorrupt() throws Exception {
    Path garbage = dir.resolve("garbage");
    Files.createDirectories(garbage);
    Files.write(garbage.resolve(StoreOptions.FILE), "this is not a database at all, just some bytes".repeat(100)
        .getBytes(StandardCharsets.US_ASCII));
    assertThat(kind(garbage)).isEqualTo(StoreException.Kind.CORRUPT);

    Path foreign = dir.resolve("foreign");
    Files.createDirectories(foreign);
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + foreign.resolve(StoreOptions.FILE));
        Statement st = c.createStatement()) {
      st.execute("CREATE TABLE readings (v INTEGER)");
    }
    assertThat(kind(foreign)).isEqualTo(StoreException.Kind.CORRUPT);

    Path damaged = dir.resolve("damaged");
    try (LedgerStore store = LedgerStore.open(StoreOptions.in(damaged))) {
      store.append(drains.get(0).get(0));
      try (Statement st = store.connection().createStatement()) {
        st.execute("UPDATE ledger_change SET message = 'wallance=1' WHERE seq = 1");
      }
      StoreException e = org.junit.jupiter.api.Assertions.assertThrows(StoreException.class, store::load);
      assertThat(e.kind()).isEqualTo(StoreException.Kind.CORRUPT);
      assertThat(e.getMessage()).contains("change 1");
    }
  }

  @Test
  void aSecondProcessOnTheSameDataDirectoryIsRefused() throws Exception {
    try (LedgerStore store = LedgerStore.open(StoreOptions.in(dir))) {
      assertThat(kind(dir)).isEqualTo(StoreException.Kind.LOCKED);
    }
    LedgerStore.open(StoreOptions.in(dir)).close(); // released on close
  }

  private static StoreException.Kind kind(Path d) {
    try (LedgerStore ignored = LedgerStore.open(StoreOptions.in(d))) {
      return null;
    } catch (StoreException e) {
      return e.kind();
    }
  }

  @Test
  void fullSyncIsAConfigSwitch() throws Exception {
    try (LedgerStore store = LedgerStore.open(new StoreOptions(dir, StoreOptions.Sync.FULL))) {
      store.append(drains.get(3).get(0));
      try (Statement st = store.connection().createStatement(); var rs = st.executeQuery("PRAGMA synchronous")) {
        rs.next();
        assertThat(rs.getInt(1)).isEqualTo(2); // FULL
      }
      try (Statement st = store.connection().createStatement(); var rs = st.executeQuery("PRAGMA journal_mode")) {
        rs.next();
        assertThat(rs.getString(1)).isEqualTo("wal");
      }
    }
  }

  @Test
  void thePageCacheIsASystemPropertyAndABadValueIsRefusedClearly() throws Exception {
    try {
      System.setProperty(StoreOptions.CACHE_PROPERTY, "512");
      try (LedgerStore store = LedgerStore.open(new StoreOptions(dir, StoreOptions.Sync.NORMAL))) {
        store.append(drains.get(3).get(0));
        try (Statement st = store.connection().createStatement(); var rs = st.executeQuery("PRAGMA cache_size")) {
          rs.next();
          assertThat(rs.getInt(1)).isEqualTo(-512); // negative: KiB
        }
        try (StoreArchive archive = store.archive();
            Statement st = archive.connection().createStatement(); var rs = st.executeQuery("PRAGMA cache_size")) {
          rs.next();
          assertThat(rs.getInt(1)).isEqualTo(-512);
        }
        for (String bad : List.of("12", "lots", "2000000", "")) {
          System.setProperty(StoreOptions.CACHE_PROPERTY, bad);
          assertThatThrownBy(store::archive).isInstanceOf(StoreException.class)
              .hasMessageContaining(StoreOptions.CACHE_PROPERTY).hasMessageContaining("64 to 1048576");
        }
      }
      assertThatThrownBy(() -> LedgerStore.open(new StoreOptions(dir.resolve("other"), StoreOptions.Sync.NORMAL)))
          .isInstanceOf(StoreException.class).hasMessageContaining("64 to 1048576");
    } finally {
      System.clearProperty(StoreOptions.CACHE_PROPERTY);
    }
    try (LedgerStore store = LedgerStore.open(new StoreOptions(dir, StoreOptions.Sync.NORMAL));
        Statement st = store.connection().createStatement(); var rs = st.executeQuery("PRAGMA cache_size")) {
      rs.next();
      assertThat(rs.getInt(1)).isEqualTo(-2000); // SQLite's default when the property is not set
    }
  }
}
