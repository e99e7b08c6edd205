package io.wallance.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The durable log of contract runs, in the ledger database. A run is recorded
 * ({@link #begin}) before the contract starts and marked completed ({@link #complete}) after
 * it ends. When the store opens, every run still marked running was cut short by a crash of
 * the previous process: it becomes {@link Status#INTERRUPTED}, is reported by
 * {@link #interrupted()}, and is never run again by itself, because {@link #begin} refuses any
 * request already in the log. Running it again is an operator's decision.
 *
 * <p>Each write is its own transaction committed with {@code synchronous=FULL}: runs are rare,
 * and a run whose start was lost in a power cut could otherwise be started a second time.
 */
public final class ContractRunLog {
  /** Where a run stands. */
  public enum Status {
    /** Begun by this process and not completed yet. */
    RUNNING,
    /** Completed (whatever the contract's outcome). */
    COMPLETED,
    /** Begun by an earlier process that died before completing it. */
    INTERRUPTED
  }

  /**
   * One recorded run.
   *
   * @param purchase the operator-side purchase id
   * @param request the finalized request hash (the run's key)
   * @param contract the contract name
   * @param started when the run began (caller's clock, epoch milliseconds)
   * @param status where it stands
   * @param finished when it completed, or null
   * @param outcome the outcome the runtime recorded (e.g. {@code succeeded exit=0}), or null
   */
  public record Run(long purchase, String request, String contract, long started, Status status, Long finished,
      String outcome) {}

  private final LedgerStore store;
  private final int interruptedAtOpen;

  ContractRunLog(LedgerStore store) throws StoreException {
    this.store = store;
    synchronized (store) {
      try (PreparedStatement ps = db().prepareStatement("UPDATE contract_run SET status = ? WHERE status = ?")) {
        ps.setString(1, Status.INTERRUPTED.name());
        ps.setString(2, Status.RUNNING.name());
        this.interruptedAtOpen = write(ps);
      } catch (SQLException e) {
        throw StoreException.of("marking interrupted contract runs", e);
      }
    }
  }

  private Connection db() {
    return store.connection();
  }

  private int write(PreparedStatement ps) throws SQLException {
    store.sync(true, false);
    try {
      return ps.executeUpdate();
    } finally {
      store.sync(store.options().sync() == StoreOptions.Sync.FULL, false);
    }
  }

  /**
   * Records that the run of {@code request} starts now; the caller starts the contract only
   * when this returns true. Returns false, recording nothing, when the log already holds a run
   * for {@code request} (running, completed or interrupted): a contract is never run twice by
   * itself.
   */
  public boolean begin(long purchase, String request, String contract, long started) throws StoreException {
    synchronized (store) {
      try (PreparedStatement ps = db().prepareStatement("INSERT OR IGNORE INTO contract_run"
          + " (request, purchase, contract, started, status) VALUES (?, ?, ?, ?, ?)")) {
        ps.setString(1, request);
        ps.setLong(2, purchase);
        ps.setString(3, contract);
        ps.setLong(4, started);
        ps.setString(5, Status.RUNNING.name());
        return write(ps) == 1;
      } catch (SQLException e) {
        throw StoreException.of("recording the start of a contract run", e);
      }
    }
  }

  /**
   * Records that the run of {@code request} ended with {@code outcome}. Returns false when no
   * run of {@code request} is running in this process (unknown, already completed, or
   * interrupted by an earlier crash).
   */
  public boolean complete(String request, String outcome, long finished) throws StoreException {
    synchronized (store) {
      try (PreparedStatement ps = db().prepareStatement("UPDATE contract_run SET status = ?, finished = ?, outcome = ?"
          + " WHERE request = ? AND status = ?")) {
        ps.setString(1, Status.COMPLETED.name());
        ps.setLong(2, finished);
        ps.setString(3, outcome);
        ps.setString(4, request);
        ps.setString(5, Status.RUNNING.name());
        return write(ps) == 1;
      } catch (SQLException e) {
        throw StoreException.of("recording the end of a contract run", e);
      }
    }
  }

  /** Every run a crash cut short (found at this or an earlier open), oldest first. */
  public List<Run> interrupted() throws StoreException {
    return select("WHERE status = ? ORDER BY started, request", Status.INTERRUPTED.name());
  }

  /** How many runs this open found cut short by the previous process. */
  public int interruptedAtOpen() {
    return interruptedAtOpen;
  }

  /** The run of {@code request}, if one was ever begun. */
  public Optional<Run> find(String request) throws StoreException {
    List<Run> runs = select("WHERE request = ?", request);
    return runs.isEmpty() ? Optional.empty() : Optional.of(runs.get(0));
  }

  private List<Run> select(String where, String arg) throws StoreException {
    synchronized (store) {
      try (PreparedStatement ps = db().prepareStatement("SELECT purchase, request, contract, started, status,"
          + " finished, outcome FROM contract_run " + where)) {
        ps.setString(1, arg);
        List<Run> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            long finished = rs.getLong(6);
            Long fin = rs.wasNull() ? null : finished;
            out.add(new Run(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getLong(4),
                Status.valueOf(rs.getString(5)), fin, rs.getString(7)));
          }
        }
        return out;
      } catch (SQLException | IllegalArgumentException e) {
        throw new StoreException(StoreException.Kind.IO, "reading contract runs: " + e.getMessage(), e);
      }
    }
  }
}
