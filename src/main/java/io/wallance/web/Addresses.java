package io.wallance.web;

/**
 * Event-bus addresses the web verticle uses, as in docs/ARCHITECTURE.md.
 *
 * <p>Temporary: {@code io.wallance.cluster.Addresses} (the one place that builds addresses)
 * arrives with the node runtime; this delegating helper goes away once it is merged.
 */
final class Addresses {
  private Addresses() {
  }

  static String events(String net) {
    return "wallance." + net + ".events";
  }

  static String query(String net, String node) {
    return "wallance." + net + ".query." + node;
  }

  static String command(String net, String node) {
    return "wallance." + net + ".command." + node;
  }
}
