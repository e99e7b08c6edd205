package io.wallance.cli;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** The faults {@code chaos} injects, by the name used on its command line and in its report. */
enum ChaosFault {
  /** SIGKILL a node, restart it from its data directory after the hold. */
  KILL("kill"),
  /** SIGSTOP a node for the hold (longer than failure detection), then SIGCONT. */
  PAUSE("pause"),
  /** Cut nodes off from the others with nftables drop rules in their namespaces. */
  PARTITION("partition"),
  /** Drop a share of a node's TCP packets at random (nftables {@code numgen random}). */
  LOSS("loss"),
  /** Delay every protocol message a node receives (the node's test-only event-bus interceptor). */
  DELAY("delay"),
  /** Restart a node with its wall clock shifted by minutes (libfaketime), then without. */
  SKEW("skew"),
  /** Fill a node's data directory (a small tmpfs) until writes fail; free it and restart the node. */
  DISK("disk");

  final String label;

  ChaosFault(String label) {
    this.label = label;
  }

  /** @return the fault named {@code label}, or an error listing the names */
  static ChaosFault parse(String label) {
    for (ChaosFault f : values()) {
      if (f.label.equals(label.strip().toLowerCase(Locale.ROOT))) {
        return f;
      }
    }
    throw new IllegalArgumentException("unknown fault '" + label + "'; known: " + names());
  }

  static List<String> names() {
    return Arrays.stream(values()).map(f -> f.label).toList();
  }
}
