package io.wallance.store;

import java.sql.SQLException;

/** A store failure the node must not ignore; {@link #kind()} says which, the message says what to do. */
public final class StoreException extends Exception {
  private static final long serialVersionUID = 1L;

  /** What went wrong. */
  public enum Kind {
    /** The disk (or the configured size limit) is full: nothing of the failed batch was stored. */
    DISK_FULL,
    /** The file is not a Wallance ledger database, or it is damaged. */
    CORRUPT,
    /** The file was written by a newer release (a higher schema version): refuse to start. */
    NEWER_SCHEMA,
    /** Another process holds the data directory. */
    LOCKED,
    /** Any other I/O or database error. */
    IO
  }

  private final Kind kind;

  /** A failure of the given kind. */
  public StoreException(Kind kind, String message, Throwable cause) {
    super(kind + ": " + message, cause);
    this.kind = kind;
  }

  /** The kind of failure. */
  public Kind kind() {
    return kind;
  }

  /** Classifies an SQLite error by its primary result code. */
  static StoreException of(String what, SQLException e) {
    int code = e.getErrorCode() & 0xff;
    Kind kind = switch (code) {
      case 13 -> Kind.DISK_FULL; // SQLITE_FULL
      case 11, 26 -> Kind.CORRUPT; // SQLITE_CORRUPT, SQLITE_NOTADB
      case 5, 6 -> Kind.LOCKED; // SQLITE_BUSY, SQLITE_LOCKED
      default -> Kind.IO;
    };
    String hint = switch (kind) {
      case DISK_FULL -> " (free space on the data directory's file system)";
      case CORRUPT -> " (restore the data directory from a backup or move it away to resync from peers)";
      case LOCKED -> " (another process uses this database)";
      default -> "";
    };
    return new StoreException(kind, what + ": " + e.getMessage() + hint, e);
  }
}
