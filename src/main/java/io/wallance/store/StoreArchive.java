package io.wallance.store;

import io.wallance.ledger.Certificate;
import io.wallance.ledger.LedgerArchive;
import io.wallance.protocol.Body;
import io.wallance.protocol.Codec;
import io.wallance.protocol.ProtocolException;
import io.wallance.protocol.Request;
import io.wallance.protocol.Share;
import io.wallance.protocol.Signed;
import io.wallance.protocol.Sums;
import io.wallance.protocol.Vote;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The replica's {@link LedgerArchive} over the node's {@code ledger.db}: a second, read-only
 * SQLite connection (WAL: it reads the last committed state without waiting for the journal's
 * writer) answering with the indexed look-ups of schema versions 3 and 4. It sees a change once the
 * journal committed it; a replica only asks for items it evicted long before, so the lag is
 * never visible in practice and costs only a retry when it is. A failed read is logged and
 * answered as absent, as the interface asks.
 */
public final class StoreArchive implements LedgerArchive, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(StoreArchive.class);

  private final Connection db;
  private final PreparedStatement shares;
  private final PreparedStatement finalized;
  private final PreparedStatement certificateVotes;
  private final PreparedStatement lateVotes;
  private final PreparedStatement chainEntry;
  private final PreparedStatement state;
  private final PreparedStatement reward;
  private final PreparedStatement rewards;
  private long reads;

  private StoreArchive(Connection db, List<String> pragmas) throws SQLException {
    this.db = db;
    try (Statement st = db.createStatement()) {
      st.execute("PRAGMA query_only=1");
      for (String pragma : pragmas) {
        st.execute(pragma);
      }
    }
    shares = db.prepareStatement("SELECT message FROM ledger_change WHERE type = 'share' AND subject = ?"
        + " AND position BETWEEN ? AND ? ORDER BY position");
    finalized = db.prepareStatement("SELECT seq, message, chain_index, prev_epoch, hash FROM ledger_change"
        + " WHERE type = 'finalized' AND subject = ?");
    certificateVotes = db.prepareStatement("SELECT message FROM certificate_vote WHERE change_seq = ?");
    lateVotes = db.prepareStatement("SELECT message FROM ledger_change WHERE type = 'vote' AND subject = ?");
    chainEntry = db.prepareStatement("SELECT subject FROM ledger_change WHERE type = 'finalized' AND party = ?"
        + " AND chain_index = ?");
    state = db.prepareStatement("SELECT 1 FROM ledger_change WHERE type = 'finalized' AND party = ? AND hash = ?");
    reward = db.prepareStatement("SELECT seq FROM ledger_change WHERE type = 'reward' AND subject = ? AND position IS ?"
        + " AND hash = ?");
    rewards = db.prepareStatement("SELECT hash FROM ledger_change WHERE type = 'reward' AND subject = ?"
        + " AND position BETWEEN ? AND ? ORDER BY hash");
  }

  Connection connection() {
    return db;
  }

  static StoreArchive open(Path file) throws StoreException {
    Connection db = null;
    try {
      List<String> pragmas = StoreOptions.connectionPragmas();
      db = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
      return new StoreArchive(db, pragmas);
    } catch (SQLException e) {
      try {
        if (db != null) {
          db.close();
        }
      } catch (SQLException ignored) {
        // already failing
      }
      throw StoreException.of("opening the archive view of " + file, e);
    }
  }

  @Override
  public synchronized List<Signed<Share>> shares(String author, long from, long to) {
    return query(shares, rs -> {
      List<Signed<Share>> out = new ArrayList<>();
      while (rs.next()) {
        Signed<Share> s = decode(rs.getString(1), Share.class);
        if (s != null) {
          out.add(s);
        }
      }
      return out;
    }, List.of(), "reading shares of", author, from, to);
  }

  @Override
  public synchronized Certificate certificate(String request) {
    try {
      finalized.setString(1, request);
      reads++;
      long seq;
      Signed<Request> r;
      int index;
      long prevEpoch;
      String newState;
      try (ResultSet rs = finalized.executeQuery()) {
        if (!rs.next()) {
          return null;
        }
        seq = rs.getLong(1);
        r = decode(rs.getString(2), Request.class);
        index = rs.getInt(3);
        prevEpoch = rs.getLong(4);
        newState = rs.getString(5);
      }
      if (r == null || newState == null) {
        return null;
      }
      TreeMap<String, Signed<Vote>> votes = new TreeMap<>();
      certificateVotes.setLong(1, seq);
      collect(certificateVotes, votes);
      lateVotes.setString(1, request);
      collect(lateVotes, votes);
      return new Certificate(r, votes, index, prevEpoch, newState);
    } catch (SQLException e) {
      LOG.warn("archive: reading the certificate of {} failed: {}", request, e.getMessage());
      return null;
    }
  }

  private void collect(PreparedStatement ps, TreeMap<String, Signed<Vote>> votes) throws SQLException {
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        Signed<Vote> v = decode(rs.getString(1), Vote.class);
        if (v != null) {
          votes.putIfAbsent(v.body().voter(), v);
        }
      }
    }
  }

  @Override
  public synchronized String chainEntry(String buyer, long index) {
    return query(chainEntry, rs -> rs.next() ? rs.getString(1) : null, null, "reading a chain entry of", buyer, index);
  }

  @Override
  public synchronized boolean isState(String wallet, String stateHash) {
    return query(state, ResultSet::next, false, "looking up a state of", wallet, stateHash);
  }

  /** The seq of the reward row: a journal position, as {@link io.wallance.ledger.LedgerState.Replay} is fed. */
  @Override
  public synchronized long rewardPosition(String voter, String purchase) {
    long bucket = Sums.key(purchase);
    return query(reward, rs -> rs.next() ? rs.getLong(1) : ABSENT, UNKNOWN, "looking up a reward of", voter,
        bucket < 0 ? null : bucket, purchase);
  }

  @Override
  public synchronized List<String> rewards(String voter, long from, long to) {
    return query(rewards, rs -> {
      List<String> out = new ArrayList<>();
      while (rs.next()) {
        out.add(rs.getString(1));
      }
      return out;
    }, List.of(), "reading rewards of", voter, from, to);
  }

  /** Maps the rows of one query. */
  @FunctionalInterface
  private interface Rows<T> {
    T read(ResultSet rs) throws SQLException;
  }

  /**
   * Binds {@code params} (a String, a Long or null each) in order, counts the read, runs the query and
   * maps its rows; a failure is logged as "{@code what} {@code params[0]} failed" and answered
   * with {@code failed}.
   */
  private <T> T query(PreparedStatement ps, Rows<T> rows, T failed, String what, Object... params) {
    try {
      for (int i = 0; i < params.length; i++) {
        if (params[i] instanceof Long l) {
          ps.setLong(i + 1, l);
        } else if (params[i] == null) {
          ps.setNull(i + 1, java.sql.Types.NULL);
        } else {
          ps.setString(i + 1, (String) params[i]);
        }
      }
      reads++;
      try (ResultSet rs = ps.executeQuery()) {
        return rows.read(rs);
      }
    } catch (SQLException e) {
      LOG.warn("archive: {} {} failed: {}", what, params[0], e.getMessage());
      return failed;
    }
  }

  /** Look-ups answered so far (for the node's performance counters). */
  public synchronized long reads() {
    return reads;
  }

  private static <B extends Body> Signed<B> decode(String wire, Class<B> type) {
    if (wire == null) {
      return null;
    }
    try {
      return Codec.decode(wire.getBytes(StandardCharsets.US_ASCII), type);
    } catch (ProtocolException e) {
      LOG.warn("archive: a stored {} does not decode: {}", type.getSimpleName(), e.getMessage());
      return null;
    }
  }

  @Override
  public synchronized void close() {
    try {
      db.close();
    } catch (SQLException e) {
      LOG.warn("archive: closing failed: {}", e.getMessage());
    }
  }
}
