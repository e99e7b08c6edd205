package io.wallance.contract;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A contract catalogue could not be loaded. Names the offending file and, where there is
 * one, the offending descriptor field (dotted for nested fields, e.g. {@code action.command}),
 * so an operator can fix the catalogue without reading a stack trace.
 */
public final class CatalogueException extends Exception {

  private static final long serialVersionUID = 1L;

  /** Why loading failed; stable, so callers and tests can branch on it. */
  public enum Reason {
    /** The catalogue directory (or the bundled resource) does not exist or is not a directory. */
    NO_CATALOGUE,
    /** The catalogue holds no contract at all, which almost always means a wrong path. */
    EMPTY_CATALOGUE,
    /** A contract folder has no {@code contract.json}. */
    MISSING_DESCRIPTOR,
    /** The descriptor is not a single well-formed JSON object (or has a duplicate key). */
    MALFORMED_JSON,
    /** The descriptor has a field the format does not define. */
    UNKNOWN_FIELD,
    /** A required field is absent. */
    MISSING_FIELD,
    /** A field has the wrong JSON type or an invalid value. */
    BAD_VALUE,
    /** The contract name does not match {@code [A-Za-z0-9_.-]{1,32}}. */
    BAD_NAME,
    /** Two contracts have the same name (compared ignoring case). */
    DUPLICATE_NAME,
    /** The price is not an integer between 1 and 1 000 000 DCoin. */
    BAD_PRICE,
    /** The action's working directory is absolute, escapes the contract folder or is missing. */
    BAD_WORKING_DIR,
    /** Reading or extracting the catalogue failed. */
    IO
  }

  private final Reason reason;
  private final Path file;
  private final String field;

  /**
   * @param reason why loading failed
   * @param file the file or directory at fault
   * @param field the descriptor field at fault, or {@code null} when the fault is not a field
   * @param detail a human-readable explanation
   */
  public CatalogueException(Reason reason, Path file, String field, String detail) {
    super(format(file, field, detail));
    this.reason = Objects.requireNonNull(reason, "reason");
    this.file = Objects.requireNonNull(file, "file");
    this.field = field;
  }

  CatalogueException(Reason reason, Path file, String field, String detail, Throwable cause) {
    this(reason, file, field, detail);
    initCause(cause);
  }

  private static String format(Path file, String field, String detail) {
    return field == null ? file + ": " + detail : file + ": field '" + field + "': " + detail;
  }

  /** @return why loading failed */
  public Reason reason() {
    return reason;
  }

  /** @return the file or directory at fault */
  public Path file() {
    return file;
  }

  /** @return the dotted descriptor field at fault, or {@code null} when not about a field */
  public String field() {
    return field;
  }
}
