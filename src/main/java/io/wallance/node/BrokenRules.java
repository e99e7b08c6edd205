package io.wallance.node;

import io.wallance.ledger.Rules;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * <b>Test only.</b> Runs a node's replica with deliberately broken ledger rules (the core's
 * {@link Rules.Mutation}s that the simulator's mutant tests use), so an integration test can
 * make one real node of a real network diverge from the others (e.g. its ledger digest
 * differs from the majority's, which the dashboard must flag). Chosen with the system
 * property {@value #PROPERTY}, a comma-separated list of mutation names in lower case with
 * dashes (e.g. {@code -Dwallance.brokenRules=rewards-by-arrival}), read once when the node is
 * deployed; a node without it runs {@link Rules#none()}. Never set it on a real node: the
 * node says so loudly in its log.
 */
public final class BrokenRules {
  /** The system property that names the mutations. */
  public static final String PROPERTY = "wallance.brokenRules";

  private static final Logger LOG = LoggerFactory.getLogger(BrokenRules.class);

  private BrokenRules() {
  }

  /** @return a mutation's property form, e.g. {@code rewards-by-arrival} */
  public static String wire(Rules.Mutation m) {
    return m.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /**
   * @param text the property value, or null
   * @return the rules: {@link Rules#none()} when {@code text} is null or blank
   * @throws IllegalArgumentException for an unknown name
   */
  public static Rules parse(String text) {
    if (text == null || text.isBlank()) {
      return Rules.none();
    }
    Set<Rules.Mutation> mutations = EnumSet.noneOf(Rules.Mutation.class);
    for (String part : text.split(",")) {
      String name = part.trim();
      Rules.Mutation found = null;
      for (Rules.Mutation m : Rules.Mutation.values()) {
        if (wire(m).equals(name)) {
          found = m;
        }
      }
      if (found == null) {
        List<String> known = new ArrayList<>();
        for (Rules.Mutation m : Rules.Mutation.values()) {
          known.add(wire(m));
        }
        throw new IllegalArgumentException("unknown rule mutation '" + name + "'; one of " + String.join(", ", known));
      }
      mutations.add(found);
    }
    return Rules.broken(mutations);
  }

  /**
   * Reads {@value #PROPERTY} and warns in the log when it breaks any rule.
   *
   * @param node the node's name, for the warning
   * @return the rules the node's replica must run with
   * @throws IllegalArgumentException for an unknown name
   */
  static Rules fromSystemProperty(String node) {
    Rules rules = parse(System.getProperty(PROPERTY));
    if (!rules.mutations().isEmpty()) {
      LOG.warn("node {} runs with BROKEN ledger rules {} (test-only switch -D{}): its ledger will not agree with"
          + " correct nodes", node, rules.mutations(), PROPERTY);
    }
    return rules;
  }
}
