package io.wallance.node;

import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * <b>Test only.</b> Named instants at which a node process halts itself
 * ({@link Runtime#halt}: no shutdown hook, no flush, like {@code kill -9}) so integration
 * tests can crash the real binary exactly there and check what a restart finds. Chosen with
 * the system property {@value #PROPERTY} (e.g. {@code -Dwallance.crashAt=vote-persisted}),
 * read once when the config is loaded ({@link NodeConfig#load}); a node without it never
 * halts. Never set it on a real node.
 */
public enum CrashPoint {
  /** An own vote is durable (journal committed) but not published yet. */
  VOTE_PERSISTED,
  /** A batch holding a finalized purchase is about to be committed: the finality is not durable. */
  BEFORE_FINAL_COMMIT,
  /** The node's own request is durable and is being sent: it halts before anything of it is published. */
  REQUEST_SENDING,
  /** A contract run is recorded as started and the contract is running. */
  CONTRACT_RUN;

  /** The system property that names the crash point. */
  public static final String PROPERTY = "wallance.crashAt";
  /** The exit status of a halt at a crash point. */
  public static final int EXIT_STATUS = 137;

  private static final Logger LOG = LoggerFactory.getLogger(CrashPoint.class);

  /** @return the property's name form, e.g. {@code vote-persisted} */
  public String wire() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /**
   * @param text the property value, or null
   * @return the crash point, or null when {@code text} is null or blank
   * @throws IllegalArgumentException for an unknown name
   */
  public static CrashPoint parse(String text) {
    if (text == null || text.isBlank()) {
      return null;
    }
    for (CrashPoint p : values()) {
      if (p.wire().equals(text.trim())) {
        return p;
      }
    }
    throw new IllegalArgumentException("unknown crash point '" + text + "'; one of vote-persisted,"
        + " before-final-commit, request-sending, contract-run");
  }

  /** Halts the process now if {@code configured} is this point. */
  public void haltIf(CrashPoint configured) {
    if (configured == this) {
      System.out.println("CRASH POINT " + wire() + ": halting"); // a test reads this line in the log
      System.out.flush();
      LOG.warn("crash point {} reached: halting (test-only switch -D{})", wire(), PROPERTY);
      Runtime.getRuntime().halt(EXIT_STATUS);
    }
  }
}
