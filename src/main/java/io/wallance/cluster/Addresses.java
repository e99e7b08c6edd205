package io.wallance.cluster;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Every event-bus address of one network, built from the network id and member ids. Nothing
 * else builds address strings: the node, the web bridge's permissions and the tests all use
 * this class, so an address cannot drift between sender and receiver.
 *
 * <p>Cluster-wide addresses ({@code wallance.<net>.*}) are documented in
 * {@code docs/ARCHITECTURE.md}. The {@code local} ones are registered with
 * {@code localConsumer} and sent with {@code localOnly}: they never leave the JVM, so a rogue
 * cluster member can neither reach them (for example to trigger a contract run) nor listen.
 *
 * @param net the network id (the registry's {@code net})
 */
public record Addresses(String net) {

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,32}");
  private static final Pattern ID = Pattern.compile("[0-9a-f]{64}");

  /** Checks the network id has the protocol's name grammar (it becomes part of every address). */
  public Addresses {
    Objects.requireNonNull(net, "net");
    if (!NAME.matcher(net).matches()) {
      throw new IllegalArgumentException("network id must be 1-32 characters [A-Za-z0-9_.-]: " + net);
    }
  }

  /** Broadcast of signed protocol messages to every node (publish). */
  public String gossip() {
    return prefix() + "gossip";
  }

  /** Signed protocol messages for one member only: pulls and pull answers (publish). */
  public String to(String id) {
    return prefix() + "to." + checkId(id);
  }

  /** Signed operator commands for one member (request-reply). */
  public String command(String id) {
    return prefix() + "command." + checkId(id);
  }

  /** The node view of one member (request-reply). */
  public String query(String id) {
    return prefix() + "query." + checkId(id);
  }

  /** Observer events of every node (publish). */
  public String events() {
    return prefix() + "events";
  }

  /**
   * Web-side only: the dashboard page asks the web verticle to buy (over the SockJS bridge,
   * request-reply). The web verticle registers it with {@code localConsumer}; it signs the
   * operator command itself, so the browser never signs and never reaches a node address.
   */
  public String dashboardBuy() {
    return prefix() + "dashboard.buy";
  }

  /** Web-side only: the dashboard page asks the web verticle to cancel a waiting purchase (request-reply). */
  public String dashboardCancel() {
    return prefix() + "dashboard.cancel";
  }

  /** In-JVM only: the sensor asks its node to sign and share a reading (request-reply). */
  public String localShare(String id) {
    return prefix() + "local.share." + checkId(id);
  }

  /** In-JVM only: the node tells its contract verticle that one of its own purchases is final. */
  public String localPurchased(String id) {
    return prefix() + "local.purchased." + checkId(id);
  }

  /** In-JVM only: the contract verticle tells its node which catalogue it loaded. */
  public String localCatalogue(String id) {
    return prefix() + "local.catalogue." + checkId(id);
  }

  private String prefix() {
    return "wallance." + net + ".";
  }

  private static String checkId(String id) {
    if (id == null || !ID.matcher(id).matches()) {
      throw new IllegalArgumentException("a member id is 64 lowercase hex digits: " + id);
    }
    return id;
  }
}
