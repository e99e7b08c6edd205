package io.wallance.cluster;

import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * How a node joins the cluster.
 *
 * @param clusterName the Hazelcast cluster name; members with another name never join (it
 *     separates fleets and test runs, it is not a secret): 1-64 characters of
 *     {@code [A-Za-z0-9_.-]}
 * @param members the Hazelcast addresses of the members to contact, each {@code host:port}
 *     (IPv4, a host name, or {@code [IPv6]}); a port range such as {@code 5701-5703} is
 *     refused, because Hazelcast 5.3.8 fails to join with one
 * @param bindHost the IP address this node's Hazelcast binds to and advertises (the Pi's LAN
 *     address, or {@code 127.0.0.1}); a literal address, since Hazelcast matches interfaces
 *     by address
 * @param hazelcastPort this node's Hazelcast port, exactly (no auto-increment, so the port
 *     others list is the port it gets)
 * @param eventBusHost the address the event bus listens on and advertises to other members
 * @param eventBusPort the event bus port, or 0 for a random free port
 * @param liteMember whether this member holds no Hazelcast data (for observers such as the
 *     dashboard); a cluster of lite members only never forms
 * @param failureDetectionSeconds after this many seconds without a heartbeat a member is
 *     declared dead (Hazelcast's default is 60; a few seconds suits a LAN and tests)
 */
public record ClusterOptions(
    String clusterName,
    List<String> members,
    String bindHost,
    int hazelcastPort,
    String eventBusHost,
    int eventBusPort,
    boolean liteMember,
    int failureDetectionSeconds) {

  /** Hazelcast's customary first port. */
  public static final int DEFAULT_HAZELCAST_PORT = 5701;
  /** Failure detection default: a dead Pi is noticed within 10 seconds. */
  public static final int DEFAULT_FAILURE_DETECTION_SECONDS = 10;

  private static final Pattern CLUSTER_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
  private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");

  /** Validates everything up front, so a bad config fails with a clear message, not in Hazelcast. */
  public ClusterOptions {
    Objects.requireNonNull(clusterName, "clusterName");
    if (!CLUSTER_NAME.matcher(clusterName).matches()) {
      throw new IllegalArgumentException("clusterName must be 1-64 characters [A-Za-z0-9_.-]: " + clusterName);
    }
    members = List.copyOf(Objects.requireNonNull(members, "members"));
    if (members.isEmpty()) {
      throw new IllegalArgumentException("members must list at least one host:port");
    }
    members.forEach(ClusterOptions::checkMember);
    Objects.requireNonNull(bindHost, "bindHost");
    if (!isIpLiteral(bindHost)) {
      throw new IllegalArgumentException("bindHost must be an IP address, got '" + bindHost + "'");
    }
    checkPort("hazelcastPort", hazelcastPort, false);
    Objects.requireNonNull(eventBusHost, "eventBusHost");
    if (eventBusHost.isBlank()) {
      throw new IllegalArgumentException("eventBusHost must not be blank");
    }
    checkPort("eventBusPort", eventBusPort, true);
    if (failureDetectionSeconds < 2 || failureDetectionSeconds > 600) {
      // Below 2 s a garbage-collection pause on a Pi would evict a live member.
      throw new IllegalArgumentException("failureDetectionSeconds must be 2-600, got " + failureDetectionSeconds);
    }
  }

  /**
   * Options for a member on loopback, as used by the local network and tests.
   *
   * @param clusterName the cluster name, unique per run
   * @param hazelcastPorts the Hazelcast ports of all members; the first listed is not special
   * @param ownPort this member's Hazelcast port (one of {@code hazelcastPorts})
   * @param liteMember whether this member is a lite member
   * @param failureDetectionSeconds seconds without heartbeat before a member is declared dead
   * @return options binding everything to {@code 127.0.0.1}, with a random event-bus port
   */
  public static ClusterOptions loopback(String clusterName, List<Integer> hazelcastPorts, int ownPort,
      boolean liteMember, int failureDetectionSeconds) {
    if (!hazelcastPorts.contains(ownPort)) {
      throw new IllegalArgumentException("own port " + ownPort + " is not among " + hazelcastPorts);
    }
    List<String> members = hazelcastPorts.stream().map(p -> "127.0.0.1:" + p).toList();
    return new ClusterOptions(clusterName, members, "127.0.0.1", ownPort, "127.0.0.1", 0,
        liteMember, failureDetectionSeconds);
  }

  private static void checkMember(String member) {
    Objects.requireNonNull(member, "member");
    int colon = member.lastIndexOf(':');
    String host = colon < 0 ? "" : member.substring(0, colon);
    String port = colon < 0 ? "" : member.substring(colon + 1);
    boolean bracketed = host.startsWith("[") && host.endsWith("]");
    if (host.isEmpty() || (host.contains(":") && !bracketed) || host.contains(" ")) {
      throw new IllegalArgumentException("member must be host:port (IPv6 as [addr]:port), got '" + member + "'");
    }
    if (port.contains("-")) {
      throw new IllegalArgumentException("member '" + member + "': list each port separately;"
          + " Hazelcast 5.3.8 cannot join with a port range");
    }
    int value;
    try {
      value = Integer.parseInt(port);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("member '" + member + "': bad port '" + port + "'", e);
    }
    checkPort("member '" + member + "': port", value, false);
  }

  private static void checkPort(String what, int port, boolean zeroAllowed) {
    if (port < (zeroAllowed ? 0 : 1) || port > 65_535) {
      throw new IllegalArgumentException(what + " out of range: " + port);
    }
  }

  private static boolean isIpLiteral(String host) {
    var ipv4 = IPV4.matcher(host);
    if (ipv4.matches()) {
      for (int group = 1; group <= 4; group++) {
        if (Integer.parseInt(ipv4.group(group)) > 255) {
          return false;
        }
      }
      return true;
    }
    return host.contains(":") && host.matches("[0-9A-Fa-f:.]+");
  }
}
