package io.wallance.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.wallance.store.LedgerStore;
import io.wallance.store.PurchaseRecord;
import io.wallance.store.StoreException;
import io.wallance.store.StoreOptions;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The journal against a real SQLite store whose writes fail: a trigger, created by a second
 * connection, aborts every insert into the purchase table (as a full disk aborts the store's
 * transaction); dropping it is "space was freed".
 */
class JournalTest {

  @TempDir
  Path dir;

  private Vertx vertx;
  private Context context;
  private LedgerStore store;
  private Journal journal;
  private final List<String> seen = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    context = vertx.getOrCreateContext();
    store = LedgerStore.open(StoreOptions.in(dir));
    journal = new Journal(context, store, null, (StoreException e) -> seen.add("failed " + e.kind()),
        () -> seen.add("recovered"));
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
    store.close();
  }

  private void sql(String statement) throws Exception {
    try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve(StoreOptions.FILE))) {
      db.createStatement().execute(statement);
    }
  }

  private static PurchaseRecord purchase(long id) {
    return new PurchaseRecord(id, id, "Receipt", 5, "QUEUED", null);
  }

  private void await(String what, BooleanSupplier condition) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as(what + "; seen " + seen).isLessThan(deadline);
      Thread.sleep(10);
    }
  }

  private void onContext(Runnable r) {
    context.runOnContext(v -> r.run());
  }

  @Test
  void aReaderBehindAWriteThatFailsIsAnsweredAtOnceAndTheWriteCommitsWhenTheStoreRecovers() throws Exception {
    sql("CREATE TRIGGER full BEFORE INSERT ON purchase BEGIN SELECT RAISE(ABORT, 'no space'); END");
    onContext(() -> {
      journal.submit(List.of(), List.of(purchase(1)), () -> seen.add("written 1"));
      journal.afterPending(() -> seen.add("read 1"), () -> seen.add("refused 1"));
      journal.submit(List.of(), List.of(purchase(2)), () -> seen.add("written 2"));
      journal.afterPending(() -> seen.add("read 2"), () -> seen.add("refused 2"));
    });
    await("both readers refused", () -> seen.contains("refused 2"));
    assertThat(seen).startsWith("failed IO", "refused 1", "refused 2");
    assertThat(journal.failure()).isNotNull();

    onContext(() -> journal.afterPending(() -> seen.add("read 3"), () -> seen.add("refused 3")));
    await("a reader while failed is refused", () -> seen.contains("refused 3"));
    Thread.sleep(Journal.RETRY_MILLIS + 500); // a retry fails too: nothing runs, nothing is reported twice
    assertThat(seen).containsExactly("failed IO", "refused 1", "refused 2", "refused 3");

    sql("DROP TRIGGER full");
    await("the writes commit after a retry", () -> seen.contains("written 2"));
    assertThat(seen).containsExactly("failed IO", "refused 1", "refused 2", "refused 3", "recovered", "written 1",
        "written 2");
    assertThat(store.loadPurchases()).extracting(PurchaseRecord::id).containsExactly(1L, 2L);

    onContext(() -> {
      journal.submit(List.of(), List.of(purchase(3)), () -> seen.add("written 3"));
      journal.afterPending(() -> seen.add("read 4"), () -> seen.add("refused 4"));
    });
    await("a reader behind a write that commits reads after it", () -> seen.contains("read 4"));
    assertThat(seen.subList(7, seen.size())).containsExactly("written 3", "read 4");
  }

  @Test
  void aReaderWithNothingPendingReadsAtOnce() throws Exception {
    onContext(() -> journal.afterPending(() -> seen.add("read"), () -> seen.add("refused")));
    await("read", () -> seen.contains("read"));
    assertThat(seen).containsExactly("read");
  }
}
