package io.wallance.store;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * Where and how the ledger is stored.
 *
 * @param dataDir the node's data directory (created if missing); the database is
 *     {@code ledger.db} in it, with SQLite's {@code ledger.db-wal} and {@code ledger.db-shm}
 * @param sync the fsync policy (see {@link Sync})
 */
public record StoreOptions(Path dataDir, Sync sync) {
  /** The database file name inside the data directory. */
  public static final String FILE = "ledger.db";
  /** The lock file that keeps a second process out of the data directory. */
  public static final String LOCK = "ledger.lock";

  /**
   * When SQLite calls fsync. Both policies use the write-ahead log (WAL).
   *
   * <p>A committed transaction has been written to the WAL file with {@code write(2)} before
   * {@link LedgerStore#append} returns, under either policy. A <b>process crash</b> (kill -9,
   * an out-of-memory kill, a JVM crash) cannot lose it: the data is in the operating system's
   * page cache, which belongs to the kernel, and the next open replays the WAL. A transaction
   * not committed when the process dies is absent as a whole. That is all that "durable before
   * published" needs against a process crash, so under {@link #NORMAL} a commit costs no fsync;
   * SQLite syncs the WAL only when it checkpoints it into the database (about every 1000 pages),
   * which keeps an SD card from an fsync storm.
   *
   * <p>An <b>operating-system crash or power loss</b> is different: page-cache data not yet
   * synced is lost. Under {@link #NORMAL} the database stays consistent (whole transactions
   * only), but it may roll back to an earlier commit. Losing shares, certificates or rewards is
   * repaired by catch-up from peers. Losing this member's own signed vote or request would let
   * it sign a different one for the same slot after the restart, so under {@code NORMAL} a batch
   * that contains a new own signature ({@code MyVote}, {@code ExtraVote}, {@code MyRequest}) or
   * an operator command counter is committed with {@code synchronous=FULL}: one fsync per own
   * vote or request, a few per purchase, never per share.
   */
  public enum Sync {
    /** fsync at checkpoints, and at the commit of a batch holding an own signature or command counter. */
    NORMAL,
    /** fsync at every commit: nothing committed is lost even on power loss; more SD-card writes. */
    FULL
  }

  /** Checks the arguments. */
  public StoreOptions {
    Objects.requireNonNull(dataDir, "dataDir");
    Objects.requireNonNull(sync, "sync");
  }

  /** The default policy ({@link Sync#NORMAL}) in {@code dataDir}. */
  public static StoreOptions in(Path dataDir) {
    return new StoreOptions(dataDir, Sync.NORMAL);
  }

  /** The database file. */
  public Path file() {
    return dataDir.resolve(FILE);
  }

  /**
   * System property: the page cache of each of the store's two SQLite connections, in KiB
   * (SQLite's {@code cache_size}; default SQLite's 2000). Each connection's cache fills up to
   * this as the ledger grows, in native memory; the Pi profile sets it lower.
   */
  public static final String CACHE_PROPERTY = "wallance.store.cacheKiB";
  static final int MIN_CACHE_KIB = 64;
  static final int MAX_CACHE_KIB = 1 << 20;
  private static final String BUSY_TIMEOUT = "PRAGMA busy_timeout=5000";

  /**
   * The settings every connection to the store applies, the journal's and the archive's:
   * the busy timeout, and the page cache of {@link #CACHE_PROPERTY} when it is set.
   *
   * @throws StoreException IO when the property is not a whole number of KiB in 64–1048576
   */
  static List<String> connectionPragmas() throws StoreException {
    String value = System.getProperty(CACHE_PROPERTY);
    if (value == null) {
      return List.of(BUSY_TIMEOUT);
    }
    int kib;
    try {
      kib = Integer.parseInt(value.strip());
    } catch (NumberFormatException e) {
      kib = -1;
    }
    if (kib < MIN_CACHE_KIB || kib > MAX_CACHE_KIB) {
      throw new StoreException(StoreException.Kind.IO, "-D" + CACHE_PROPERTY + "=" + value
          + ": the SQLite page cache must be a whole number of KiB from " + MIN_CACHE_KIB + " to " + MAX_CACHE_KIB, null);
    }
    return List.of(BUSY_TIMEOUT, "PRAGMA cache_size=-" + kib); // negative: KiB, not pages
  }
}
