package io.wallance.store;

import io.wallance.ledger.LedgerChange;
import io.wallance.ledger.LedgerEvent;
import io.wallance.ledger.LedgerState;
import io.wallance.ledger.MemoryCaps;
import io.wallance.protocol.Body;
import io.wallance.protocol.Codec;
import io.wallance.protocol.ProtocolException;
import io.wallance.protocol.Registry;
import io.wallance.protocol.Request;
import io.wallance.protocol.Share;
import io.wallance.protocol.Signed;
import io.wallance.protocol.Vote;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The node's durable ledger: the replica's change journal in one SQLite file
 * ({@code <dataDir>/ledger.db}, WAL mode), and the {@link ContractRunLog} beside it.
 *
 * <p>The runtime's rule ({@code docs/PROTOCOL.md} section 9.6): after every call into the
 * replica it passes {@code replica.drainChanges()} to {@link #append}, which stores the whole
 * list in one transaction, and only then publishes the call's effects or shows anything as
 * final. At start it rebuilds the replica's state with {@link #loadState()} and resumes with
 * {@code Replica.restart}. A batch is stored whole or not at all, whatever instant the
 * process dies at; what an OS crash or a power loss means is described in
 * {@link StoreOptions.Sync}.
 *
 * <p>Storage: one row per change in {@code ledger_change}, in order ({@code seq}), tagged with
 * its batch. Changes that carry a signed message store its wire text ({@code message}), so
 * the stored journal verifies itself; the other fields are plain columns. A certificate's
 * votes go to {@code certificate_vote}, evidence texts to {@code evidence_item}. Every
 * statement is parameterised; no Java serialization. The schema carries a version
 * ({@code schema_version}) and is upgraded by ordered {@link Migration}s at open; a file from
 * a newer release is refused ({@link StoreException.Kind#NEWER_SCHEMA}).
 *
 * <p>One process per data directory (a lock file enforces it). Not thread-safe beyond its own
 * synchronization: every method locks the store, so the runtime calls it from one worker.
 */
public final class LedgerStore implements AutoCloseable {
  /** The party column as the loader reads it: a reward row names its voter as subject. */
  private static final String PARTY = "CASE WHEN type = 'reward' THEN COALESCE(party, subject) ELSE party END";
  private static final String INSERT_CHANGE = "INSERT INTO ledger_change (seq, batch, type, message, party, hash,"
      + " chain_index, prev_epoch, head_shares, head_balance, counter, evidence_kind, subject, position)"
      + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
  private static final String INSERT_VOTE = "INSERT INTO certificate_vote (change_seq, voter, message) VALUES (?, ?, ?)";
  private static final String UPSERT_PURCHASE = "INSERT OR REPLACE INTO purchase (id, position, contract, price,"
      + " state, request) VALUES (?, ?, ?, ?, ?, ?)";
  private static final String INSERT_ITEM = "INSERT INTO evidence_item (change_seq, pos, text) VALUES (?, ?, ?)";

  private final StoreOptions options;
  private final FileChannel lockChannel;
  private final FileLock lock;
  private final Connection db;
  private final int schemaVersion;
  private final ContractRunLog runs;
  private boolean fullSync;
  /** The journal's four statements, prepared once and reused by every {@link #append} (under this lock). */
  private final Map<String, PreparedStatement> appendStatements = new HashMap<>();
  private long lastSeq;
  private long lastBatch;
  /** Test hook: runs after a batch's rows are written, before the commit. */
  Runnable beforeCommit = () -> { };

  private LedgerStore(StoreOptions options, FileChannel lockChannel, FileLock lock, Connection db,
      List<String> pragmas, List<Migration> migrations) throws StoreException {
    this.options = options;
    this.lockChannel = lockChannel;
    this.lock = lock;
    this.db = db;
    try {
      try (Statement st = db.createStatement()) {
        try (ResultSet rs = st.executeQuery("PRAGMA journal_mode=WAL")) {
          if (!rs.next() || !"wal".equalsIgnoreCase(rs.getString(1))) {
            throw new StoreException(StoreException.Kind.IO, "the file system of " + options.dataDir()
                + " does not support SQLite's write-ahead log", null);
          }
        }
        st.execute("PRAGMA foreign_keys=ON");
        for (String pragma : pragmas) {
          st.execute(pragma);
        }
      }
      sync(options.sync() == StoreOptions.Sync.FULL, true);
      int before = currentVersion();
      this.schemaVersion = migrate(migrations);
      if (before > 0 && before < 3 && schemaVersion >= 3) {
        backfillKeys();
      }
      if (before > 0 && before < 4 && schemaVersion >= 4) {
        backfillRewardKeys();
      }
      try (Statement st = db.createStatement();
          ResultSet rs = st.executeQuery("SELECT COALESCE(MAX(seq), 0), COALESCE(MAX(batch), 0) FROM ledger_change")) {
        rs.next();
        lastSeq = rs.getLong(1);
        lastBatch = rs.getLong(2);
      }
    } catch (SQLException e) {
      throw StoreException.of("opening " + options.file(), e);
    }
    this.runs = new ContractRunLog(this);
  }

  /**
   * Opens (creating if needed) the ledger in {@code options.dataDir()}, migrating its schema to
   * this release's version.
   *
   * @throws StoreException LOCKED when another process holds the directory; CORRUPT when the
   *     file is not a Wallance ledger or is damaged; NEWER_SCHEMA when a newer release wrote it;
   *     IO otherwise
   */
  public static LedgerStore open(StoreOptions options) throws StoreException {
    return open(options, Migration.ALL);
  }

  static LedgerStore open(StoreOptions options, List<Migration> migrations) throws StoreException {
    FileChannel channel = null;
    FileLock lock = null;
    Connection db = null;
    try {
      List<String> pragmas = StoreOptions.connectionPragmas();
      Files.createDirectories(options.dataDir());
      channel = FileChannel.open(options.dataDir().resolve(StoreOptions.LOCK), StandardOpenOption.CREATE,
          StandardOpenOption.WRITE);
      try {
        lock = channel.tryLock();
      } catch (OverlappingFileLockException e) {
        lock = null;
      }
      if (lock == null) {
        throw new StoreException(StoreException.Kind.LOCKED, "data directory " + options.dataDir()
            + " is in use by another node process", null);
      }
      db = DriverManager.getConnection("jdbc:sqlite:" + options.file().toAbsolutePath());
      return new LedgerStore(options, channel, lock, db, pragmas, migrations);
    } catch (IOException e) {
      closeQuietly(db, lock, channel);
      throw new StoreException(StoreException.Kind.IO, "cannot open data directory " + options.dataDir() + ": " + e,
          e);
    } catch (SQLException e) {
      closeQuietly(db, lock, channel);
      throw StoreException.of("opening " + options.file(), e);
    } catch (StoreException | RuntimeException e) {
      closeQuietly(db, lock, channel);
      throw e;
    }
  }

  private static void closeQuietly(Connection db, FileLock lock, FileChannel channel) {
    try {
      if (db != null) {
        db.close();
      }
    } catch (SQLException ignored) {
      // already failing
    }
    try {
      if (lock != null) {
        lock.release();
      }
      if (channel != null) {
        channel.close();
      }
    } catch (IOException ignored) {
      // already failing
    }
  }

  // ------------------------------------------------------------------ schema

  private int migrate(List<Migration> migrations) throws SQLException, StoreException {
    int supported = Migration.supported(migrations);
    int version = currentVersion();
    if (version > supported) {
      throw new StoreException(StoreException.Kind.NEWER_SCHEMA, options.file() + " has schema version " + version
          + " but this release supports up to " + supported + ": run the release that wrote it or a newer one", null);
    }
    for (Migration m : migrations) {
      if (m.version() <= version) {
        continue;
      }
      if (m.version() != version + 1) {
        throw new IllegalStateException("migrations must be numbered 1, 2, ... without gaps");
      }
      db.setAutoCommit(false);
      try (Statement st = db.createStatement()) {
        if (version == 0) {
          st.execute("CREATE TABLE schema_version (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL)");
          st.execute("INSERT INTO schema_version (id, version) VALUES (1, 0)");
        }
        for (String sql : m.statements()) {
          st.execute(sql);
        }
        try (PreparedStatement ps = db.prepareStatement("UPDATE schema_version SET version = ? WHERE id = 1")) {
          ps.setInt(1, m.version());
          ps.executeUpdate();
        }
        db.commit();
      } catch (SQLException e) {
        db.rollback();
        throw e;
      } finally {
        db.setAutoCommit(true);
      }
      version = m.version();
    }
    return version;
  }

  private int currentVersion() throws SQLException, StoreException {
    boolean hasVersion = false;
    int tables = 0;
    try (Statement st = db.createStatement();
        ResultSet rs = st.executeQuery("SELECT name FROM sqlite_master WHERE type = 'table'")) {
      while (rs.next()) {
        tables++;
        hasVersion |= "schema_version".equals(rs.getString(1));
      }
    }
    if (!hasVersion) {
      if (tables > 0) {
        throw new StoreException(StoreException.Kind.CORRUPT, options.file()
            + " is an SQLite database but not a Wallance ledger (no schema_version table)", null);
      }
      return 0;
    }
    try (Statement st = db.createStatement();
        ResultSet rs = st.executeQuery("SELECT version FROM schema_version WHERE id = 1")) {
      if (!rs.next()) {
        throw new StoreException(StoreException.Kind.CORRUPT, options.file() + " has no schema version row", null);
      }
      return rs.getInt(1);
    }
  }

  /** The schema version of the open database (after migration: this release's version). */
  public int schemaVersion() {
    return schemaVersion;
  }

  /** The options this store was opened with. */
  public StoreOptions options() {
    return options;
  }

  // ------------------------------------------------------------------ the journal

  /**
   * Stores {@code changes} (one drain of a replica) as one batch, in one transaction: when this
   * returns they are durable (see {@link StoreOptions.Sync}); when it throws, nothing of the
   * batch is stored and the runtime must not publish the call's effects. An empty list stores
   * nothing and costs nothing.
   *
   * @throws StoreException DISK_FULL, IO, ... (the batch is absent)
   */
  public synchronized void append(List<? extends LedgerChange> changes) throws StoreException {
    append(changes, List.of());
  }

  /**
   * As {@link #append(List)}, and stores {@code purchases} (each replacing the record with its
   * id) in the same transaction, so the purchase queue never disagrees with the journal.
   *
   * @throws StoreException DISK_FULL, IO, ... (nothing of the call is stored)
   */
  public synchronized void append(List<? extends LedgerChange> changes, List<PurchaseRecord> purchases)
      throws StoreException {
    if (changes.isEmpty() && purchases.isEmpty()) {
      return;
    }
    long batch = lastBatch + 1;
    long seq = lastSeq;
    boolean full = options.sync() == StoreOptions.Sync.FULL || changes.stream().anyMatch(LedgerStore::ownSignature);
    boolean committed = false;
    try {
      sync(full, false);
      db.setAutoCommit(false);
      PreparedStatement change = appendStatement(INSERT_CHANGE);
      PreparedStatement vote = appendStatement(INSERT_VOTE);
      PreparedStatement item = appendStatement(INSERT_ITEM);
      PreparedStatement purchase = appendStatement(UPSERT_PURCHASE);
      boolean votes = false;
      boolean items = false;
      for (LedgerChange c : changes) {
        seq++;
        bind(change, seq, batch, c);
        change.addBatch();
        if (c instanceof LedgerChange.Finalized f) {
          for (Map.Entry<String, Signed<Vote>> v : f.votes().entrySet()) {
            vote.setLong(1, seq);
            vote.setString(2, v.getKey());
            vote.setString(3, v.getValue().wireText());
            vote.addBatch();
            votes = true;
          }
        } else if (c instanceof LedgerChange.Evidence e) {
          List<String> texts = e.misbehaviour().evidence();
          for (int i = 0; i < texts.size(); i++) {
            item.setLong(1, seq);
            item.setInt(2, i);
            item.setString(3, texts.get(i));
            item.addBatch();
            items = true;
          }
        }
      }
      for (PurchaseRecord p : purchases) {
        purchase.setLong(1, p.id());
        purchase.setLong(2, p.position());
        purchase.setString(3, p.contract());
        purchase.setLong(4, p.price());
        purchase.setString(5, p.state());
        setText(purchase, 6, p.request());
        purchase.addBatch();
      }
      if (!changes.isEmpty()) {
        change.executeBatch();
      }
      if (!purchases.isEmpty()) {
        purchase.executeBatch();
      }
      if (votes) {
        vote.executeBatch();
      }
      if (items) {
        item.executeBatch();
      }
      beforeCommit.run();
      db.commit();
      committed = true;
      lastSeq = seq;
      if (!changes.isEmpty()) {
        lastBatch = batch;
      }
    } catch (SQLException e) {
      throw StoreException.of("storing " + changes.size() + " ledger changes", e);
    } finally {
      // Roll back on every failure, checked or not: switching auto-commit back on with a
      // transaction open would commit the partial batch.
      try {
        if (!committed) {
          db.rollback();
          for (PreparedStatement st : appendStatements.values()) {
            st.clearBatch(); // a failed batch must not be written with the next one
          }
        }
      } catch (SQLException ignored) {
        // the batch is absent either way
      }
      try {
        db.setAutoCommit(true);
      } catch (SQLException ignored) {
        // the next call reports the connection's state
      }
    }
  }

  /** The statement for {@code sql}, prepared on first use and kept until the store closes. */
  private PreparedStatement appendStatement(String sql) throws SQLException {
    PreparedStatement st = appendStatements.get(sql);
    if (st == null) {
      st = db.prepareStatement(sql);
      appendStatements.put(sql, st);
    }
    return st;
  }

  /** Changes whose loss on power failure could make this member sign twice or accept a replayed command. */
  private static boolean ownSignature(LedgerChange c) {
    return c instanceof LedgerChange.MyVote || c instanceof LedgerChange.ExtraVote
        || c instanceof LedgerChange.MyRequest || c instanceof LedgerChange.CommandCounter;
  }

  /** Sets SQLite's synchronous level for the next commits (outside any transaction). */
  void sync(boolean full, boolean force) throws SQLException {
    if (force || full != fullSync) {
      try (Statement st = db.createStatement()) {
        st.execute(full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL");
      }
      fullSync = full;
    }
  }

  private static void bind(PreparedStatement ps, long seq, long batch, LedgerChange c) throws SQLException {
    String type;
    String message = null;
    String party = null;
    String hash = null;
    Long index = null;
    Long prevEpoch = null;
    Long headShares = null;
    Long headBalance = null;
    Long counter = null;
    String kind = null;
    String subject = null;
    Long position = null;
    if (c instanceof LedgerChange.RegistryAdopted r) {
      type = "registry";
      message = r.registry().wireText();
    } else if (c instanceof LedgerChange.ShareStored s) {
      type = "share";
      message = s.share().wireText();
      subject = s.share().body().author();
      position = s.share().body().seq();
    } else if (c instanceof LedgerChange.Finalized f) {
      type = "finalized";
      message = f.request().wireText();
      subject = f.request().hash();
      party = f.request().body().buyer();
      hash = f.newState();
      index = (long) f.index();
      prevEpoch = f.prevEpoch();
      headShares = f.headShares();
      headBalance = f.headBalance();
    } else if (c instanceof LedgerChange.VoteStored v) {
      type = "vote";
      message = v.vote().wireText();
      subject = v.request();
    } else if (c instanceof LedgerChange.RewardGranted r) {
      type = "reward";
      // The voter is the subject only: the subject index answers both reward look-ups, so a
      // reward row costs one index entry (rows of schema 4 before this also carry it as party).
      hash = r.purchase();
      counter = r.epoch();
      subject = r.voter();
      position = rewardBucket(r.purchase());
    } else if (c instanceof LedgerChange.MyVote v) {
      type = "my_vote";
      message = v.vote().wireText();
    } else if (c instanceof LedgerChange.ExtraVote v) {
      type = "extra_vote";
      message = v.vote().wireText();
    } else if (c instanceof LedgerChange.MyRequest r) {
      type = "my_request";
      message = r.request().wireText();
    } else if (c instanceof LedgerChange.CommandCounter k) {
      type = "command_counter";
      party = k.operator();
      counter = k.counter();
    } else if (c instanceof LedgerChange.Evidence e) {
      type = "evidence";
      party = e.misbehaviour().offender();
      kind = e.misbehaviour().kind().name();
    } else {
      throw new IllegalArgumentException("unknown change " + c);
    }
    ps.setLong(1, seq);
    ps.setLong(2, batch);
    ps.setString(3, type);
    setText(ps, 4, message);
    setText(ps, 5, party);
    setText(ps, 6, hash);
    setLong(ps, 7, index);
    setLong(ps, 8, prevEpoch);
    setLong(ps, 9, headShares);
    setLong(ps, 10, headBalance);
    setLong(ps, 11, counter);
    setText(ps, 12, kind);
    setText(ps, 13, subject);
    setLong(ps, 14, position);
  }

  /**
   * Fills the look-up keys of rows written before schema version 3 (share author and seq,
   * certificate and late-vote request hash, buyer of a finalized request, epoch of a reward),
   * in one transaction. Runs once, when a version 1 or 2 file is opened.
   */
  private void backfillKeys() throws SQLException, StoreException {
    record Keys(long seq, String subject, Long position, String party, Long counter) {}
    List<Keys> keys = new ArrayList<>();
    Map<String, Long> epochs = new HashMap<>();
    try (Statement st = db.createStatement();
        ResultSet rs = st.executeQuery("SELECT seq, type, message FROM ledger_change"
            + " WHERE type IN ('share', 'finalized', 'vote') ORDER BY seq")) {
      while (rs.next()) {
        long seq = rs.getLong(1);
        switch (rs.getString(2)) {
          case "share" -> {
            Share sh = decode(rs.getString(3), Share.class, seq).body();
            keys.add(new Keys(seq, sh.author(), sh.seq(), null, null));
          }
          case "finalized" -> {
            Signed<Request> r = decode(rs.getString(3), Request.class, seq);
            epochs.put(r.hash(), r.body().epoch());
            keys.add(new Keys(seq, r.hash(), null, r.body().buyer(), null));
          }
          default -> keys.add(new Keys(seq, decode(rs.getString(3), Vote.class, seq).body().request(), null, null,
              null));
        }
      }
    }
    try (Statement st = db.createStatement();
        ResultSet rs = st.executeQuery("SELECT seq, hash FROM ledger_change WHERE type = 'reward'")) {
      while (rs.next()) {
        Long epoch = epochs.get(rs.getString(2));
        if (epoch == null) {
          throw new StoreException(StoreException.Kind.CORRUPT, options.file() + ": change " + rs.getLong(1)
              + " grants a reward on a purchase the journal never finalized", null);
        }
        keys.add(new Keys(rs.getLong(1), null, null, null, epoch));
      }
    }
    updateAll("UPDATE ledger_change SET subject = COALESCE(?, subject), position = COALESCE(?, position),"
        + " party = COALESCE(?, party), counter = COALESCE(?, counter) WHERE seq = ?", keys, (ps, k) -> {
          setText(ps, 1, k.subject());
          setLong(ps, 2, k.position());
          setText(ps, 3, k.party());
          setLong(ps, 4, k.counter());
          ps.setLong(5, k.seq());
        });
  }

  /** Binds one row's parameters. */
  private interface RowBinder<T> {
    void bind(PreparedStatement ps, T row) throws SQLException;
  }

  /** Runs {@code sql} once per row, all in one transaction (rolled back whole on a failure). */
  private <T> void updateAll(String sql, Iterable<T> rows, RowBinder<T> binder) throws SQLException {
    db.setAutoCommit(false);
    try (PreparedStatement ps = db.prepareStatement(sql)) {
      for (T row : rows) {
        binder.bind(ps, row);
        ps.addBatch();
      }
      ps.executeBatch();
      db.commit();
    } catch (SQLException e) {
      db.rollback();
      throw e;
    } finally {
      db.setAutoCommit(true);
    }
  }

  /** A reward row's position: its purchase's bucket key, or null for a hash that has none (hand-made tests). */
  private static Long rewardBucket(String purchase) {
    long key = io.wallance.protocol.Sums.key(purchase);
    return key < 0 ? null : key;
  }

  /**
   * Fills the look-up keys of reward rows written before schema version 4 (voter as subject,
   * bucket key as position), in one transaction. Runs once, when an older file is opened.
   */
  private void backfillRewardKeys() throws SQLException {
    Map<Long, Long> buckets = new HashMap<>();
    try (Statement st = db.createStatement();
        ResultSet rs = st.executeQuery("SELECT seq, hash FROM ledger_change WHERE type = 'reward'")) {
      while (rs.next()) {
        buckets.put(rs.getLong(1), rewardBucket(rs.getString(2)));
      }
    }
    updateAll("UPDATE ledger_change SET subject = party, position = ? WHERE seq = ?", buckets.entrySet(), (ps, e) -> {
      setLong(ps, 1, e.getValue());
      ps.setLong(2, e.getKey());
    });
  }

  private static void setText(PreparedStatement ps, int i, String v) throws SQLException {
    if (v == null) {
      ps.setNull(i, Types.VARCHAR);
    } else {
      ps.setString(i, v);
    }
  }

  private static void setLong(PreparedStatement ps, int i, Long v) throws SQLException {
    if (v == null) {
      ps.setNull(i, Types.BIGINT);
    } else {
      ps.setLong(i, v);
    }
  }

  /**
   * Every stored change, in the order appended.
   *
   * @throws StoreException CORRUPT when a row does not decode
   */
  public synchronized List<LedgerChange> load() throws StoreException {
    List<LedgerChange> out = new ArrayList<>();
    loadBatches().values().forEach(out::addAll);
    return out;
  }

  /**
   * The durable state rebuilt from the journal, or empty when nothing was ever stored (a new
   * node: start it with {@code Replica.create}).
   *
   * @throws StoreException CORRUPT when the journal does not decode or does not replay
   */
  public synchronized Optional<LedgerState> loadState() throws StoreException {
    return loadState(MemoryCaps.UNBOUNDED);
  }

  /**
   * As {@link #loadState()}, keeping in memory only what {@code caps} allow (the rest is read
   * back through {@link #archive()}). The journal is streamed: memory stays within the caps
   * however long the journal is.
   *
   * @throws StoreException CORRUPT when the journal does not decode or does not replay
   */
  public synchronized Optional<LedgerState> loadState(MemoryCaps caps) throws StoreException {
    return loadState(caps, null);
  }

  /**
   * As {@link #loadState(MemoryCaps)}, evicting spent rewards to {@code archive} (this store's
   * {@link #archive()}) as the replay goes, so a long ledger's rewards never all sit in memory.
   *
   * @throws StoreException CORRUPT when the journal does not decode or does not replay
   */
  public synchronized Optional<LedgerState> loadState(MemoryCaps caps, StoreArchive archive) throws StoreException {
    LedgerState.Replay replay = archive == null ? new LedgerState.Replay(caps) : new LedgerState.Replay(caps, archive);
    boolean any = false;
    try (Statement vs = db.createStatement();
        ResultSet votes = vs.executeQuery("SELECT change_seq, voter, message FROM certificate_vote"
            + " ORDER BY change_seq, voter");
        Statement is = db.createStatement();
        ResultSet items = is.executeQuery("SELECT change_seq, text FROM evidence_item ORDER BY change_seq, pos");
        Statement cs = db.createStatement();
        ResultSet rs = cs.executeQuery("SELECT seq, batch, type, message, " + PARTY + ", hash, chain_index, prev_epoch,"
            + " head_shares, head_balance, counter, evidence_kind FROM ledger_change ORDER BY seq")) {
      boolean moreVotes = votes.next();
      boolean moreItems = items.next();
      while (rs.next()) {
        long seq = rs.getLong(1);
        Map<Long, Map<String, Signed<Vote>>> v = new HashMap<>();
        Map<Long, List<String>> it = new HashMap<>();
        while (moreVotes && votes.getLong(1) <= seq) {
          if (votes.getLong(1) == seq) {
            v.computeIfAbsent(seq, k -> new TreeMap<>()).put(votes.getString(2), decode(votes.getString(3),
                Vote.class, seq));
          }
          moreVotes = votes.next();
        }
        while (moreItems && items.getLong(1) <= seq) {
          if (items.getLong(1) == seq) {
            it.computeIfAbsent(seq, k -> new ArrayList<>()).add(items.getString(2));
          }
          moreItems = items.next();
        }
        replay.apply(change(rs, seq, v, it), archive == null ? Long.MAX_VALUE : seq);
        any = true;
      }
    } catch (SQLException e) {
      throw StoreException.of("reading the ledger journal", e);
    } catch (IllegalArgumentException e) {
      throw new StoreException(StoreException.Kind.CORRUPT, options.file() + ": " + e.getMessage(), e);
    }
    return any ? Optional.of(replay.state()) : Optional.empty();
  }

  /**
   * A read-only view of this ledger for a replica's evicted items, on its own connection (WAL
   * readers do not wait for the writer). Close it before this store.
   *
   * @throws StoreException IO when the connection cannot be opened
   */
  public StoreArchive archive() throws StoreException {
    return StoreArchive.open(options.file());
  }

  /** The stored changes by batch number (batches are numbered 1, 2, ... in append order). */
  synchronized TreeMap<Long, List<LedgerChange>> loadBatches() throws StoreException {
    try {
      Map<Long, Map<String, Signed<Vote>>> votes = new HashMap<>();
      try (Statement st = db.createStatement();
          ResultSet rs = st.executeQuery("SELECT change_seq, voter, message FROM certificate_vote ORDER BY change_seq")) {
        while (rs.next()) {
          long seq = rs.getLong(1);
          votes.computeIfAbsent(seq, k -> new TreeMap<>()).put(rs.getString(2), decode(rs.getString(3), Vote.class,
              seq));
        }
      }
      Map<Long, List<String>> items = new HashMap<>();
      try (Statement st = db.createStatement();
          ResultSet rs = st.executeQuery("SELECT change_seq, text FROM evidence_item ORDER BY change_seq, pos")) {
        while (rs.next()) {
          items.computeIfAbsent(rs.getLong(1), k -> new ArrayList<>()).add(rs.getString(2));
        }
      }
      TreeMap<Long, List<LedgerChange>> out = new TreeMap<>();
      try (Statement st = db.createStatement();
          ResultSet rs = st.executeQuery("SELECT seq, batch, type, message, " + PARTY + ", hash, chain_index, prev_epoch,"
              + " head_shares, head_balance, counter, evidence_kind FROM ledger_change ORDER BY seq")) {
        while (rs.next()) {
          long seq = rs.getLong(1);
          out.computeIfAbsent(rs.getLong(2), k -> new ArrayList<>()).add(change(rs, seq, votes, items));
        }
      }
      return out;
    } catch (SQLException e) {
      throw StoreException.of("reading the ledger journal", e);
    }
  }

  private LedgerChange change(ResultSet rs, long seq, Map<Long, Map<String, Signed<Vote>>> votes,
      Map<Long, List<String>> items) throws SQLException, StoreException {
    String type = rs.getString(3);
    String message = rs.getString(4);
    String party = rs.getString(5);
    String hash = rs.getString(6);
    try {
      switch (type) {
        case "registry":
          return new LedgerChange.RegistryAdopted(decode(message, Registry.class, seq));
        case "share":
          return new LedgerChange.ShareStored(decode(message, Share.class, seq));
        case "finalized":
          return new LedgerChange.Finalized(decode(message, Request.class, seq), votes.getOrDefault(seq, Map.of()),
              Math.toIntExact(number(rs, 7)), number(rs, 8), required(hash), number(rs, 9), number(rs, 10));
        case "vote":
          return new LedgerChange.VoteStored(decode(message, Vote.class, seq));
        case "reward":
          return new LedgerChange.RewardGranted(required(party), required(hash), number(rs, 11));
        case "my_vote":
          return new LedgerChange.MyVote(decode(message, Vote.class, seq));
        case "extra_vote":
          return new LedgerChange.ExtraVote(decode(message, Vote.class, seq));
        case "my_request":
          return new LedgerChange.MyRequest(decode(message, Request.class, seq));
        case "command_counter":
          return new LedgerChange.CommandCounter(required(party), number(rs, 11));
        case "evidence":
          return new LedgerChange.Evidence(new LedgerEvent.Misbehaviour(
              LedgerEvent.Misbehaviour.Kind.valueOf(rs.getString(12)), required(party),
              items.getOrDefault(seq, List.of())));
        default:
          throw new IllegalArgumentException("unknown change type " + type);
      }
    } catch (IllegalArgumentException | NullPointerException | ArithmeticException e) {
      throw new StoreException(StoreException.Kind.CORRUPT, options.file() + ": change " + seq + " (" + type
          + ") is damaged: " + e.getMessage(), e);
    }
  }

  private static String required(String s) {
    if (s == null) {
      throw new IllegalArgumentException("a required column is empty");
    }
    return s;
  }

  private static long number(ResultSet rs, int column) throws SQLException {
    long v = rs.getLong(column);
    if (rs.wasNull()) {
      throw new IllegalArgumentException("a required number is empty");
    }
    return v;
  }

  private <B extends Body> Signed<B> decode(String wire, Class<B> type, long seq) throws StoreException {
    if (wire == null) {
      throw new StoreException(StoreException.Kind.CORRUPT, options.file() + ": change " + seq
          + " has no message", null);
    }
    try {
      return Codec.decode(wire.getBytes(StandardCharsets.US_ASCII), type);
    } catch (ProtocolException e) {
      throw new StoreException(StoreException.Kind.CORRUPT, options.file() + ": change " + seq
          + " holds a message that does not decode: " + e.getMessage(), e);
    }
  }

  /**
   * The node's purchases, in queue order.
   *
   * @throws StoreException IO when the table cannot be read
   */
  public synchronized List<PurchaseRecord> loadPurchases() throws StoreException {
    try (Statement st = db.createStatement();
        ResultSet rs = st.executeQuery("SELECT id, position, contract, price, state, request FROM purchase"
            + " ORDER BY position, id")) {
      List<PurchaseRecord> out = new ArrayList<>();
      while (rs.next()) {
        out.add(new PurchaseRecord(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getLong(4), rs.getString(5),
            rs.getString(6)));
      }
      return out;
    } catch (SQLException e) {
      throw StoreException.of("reading the purchase queue", e);
    }
  }

  /** The number of batches stored. */
  public synchronized long batches() {
    return lastBatch;
  }

  /** The number of changes stored. */
  public synchronized long size() {
    return lastSeq;
  }

  // ------------------------------------------------------------------ contract runs

  /** The contract-run log in the same database. */
  public ContractRunLog runs() {
    return runs;
  }

  Connection connection() {
    return db;
  }

  /** Tests only: drops the data-directory lock as the OS does for a killed process, closing nothing. */
  void abandon() throws IOException {
    lock.release();
  }

  /** Closes the database (checkpointing the WAL) and releases the data directory. */
  @Override
  public synchronized void close() throws StoreException {
    try {
      db.close();
    } catch (SQLException e) {
      throw StoreException.of("closing " + options.file(), e);
    } finally {
      try {
        lock.release();
        lockChannel.close();
      } catch (IOException ignored) {
        // the process is releasing it anyway
      }
    }
  }
}
