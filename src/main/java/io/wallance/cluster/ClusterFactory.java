package io.wallance.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.Objects;

/**
 * Builds the Hazelcast cluster manager and the clustered {@link Vertx} of a node, entirely
 * in code from {@link ClusterOptions}, so no {@code cluster.xml} has to be found anywhere.
 *
 * <p>The Hazelcast configuration starts from {@link ConfigUtil#loadConfig()}, which carries
 * the {@code __vertx.*} maps Vert.x needs, and then:
 * <ul>
 *   <li>multicast and auto-detection are off, and tcp-ip join lists each member as
 *       {@code host:port} one by one (Hazelcast 5.3.8 fails to join with a port range);</li>
 *   <li>the node binds and advertises only {@link ClusterOptions#bindHost()} on exactly
 *       {@link ClusterOptions#hazelcastPort()} (no port auto-increment, no wildcard bind);</li>
 *   <li>{@code hazelcast.wait.seconds.before.join=0}, so a member joins in about a second
 *       instead of five, and phone-home is off (a Pi fleet must not call out);</li>
 *   <li>failure detection follows {@link ClusterOptions#failureDetectionSeconds()}:
 *       {@code hazelcast.max.no.heartbeat.seconds} is that value and
 *       {@code hazelcast.heartbeat.interval.seconds} a fifth of it (1 s at the least), so a
 *       few heartbeats are missed before a member is declared dead; split-brain merge
 *       checks run at that period too, but not more often than every 5 s (Hazelcast waits
 *       5 minutes by default), so a paused member that resumes rejoins in seconds;</li>
 *   <li>a graceful leave waits at most {@value #GRACEFUL_SHUTDOWN_SECONDS} s for partition
 *       migration (default 600 s), which fits a service manager's stop timeout.</li>
 * </ul>
 * Vert.x high availability is never enabled: its HA manager would take the cluster
 * manager's single {@link io.vertx.core.spi.cluster.NodeListener} slot, which observers use
 * to see members come and go.
 */
public final class ClusterFactory {

  /** System property: Vert.x event-loop threads (default: 2 x cores); the Pi profile sets it. */
  public static final String EVENT_LOOPS_PROPERTY = "wallance.vertx.eventLoopPoolSize";
  /** System property: Vert.x worker threads (default 20); the Pi profile sets it. */
  public static final String WORKERS_PROPERTY = "wallance.vertx.workerPoolSize";
  /** System property: Vert.x internal blocking threads (default 20); the Pi profile sets it. */
  public static final String INTERNAL_BLOCKING_PROPERTY = "wallance.vertx.internalBlockingPoolSize";

  /** Upper bound of a graceful Hazelcast leave, in seconds. */
  public static final int GRACEFUL_SHUTDOWN_SECONDS = 20;
  private static final int MIN_MERGE_DELAY_SECONDS = 5;

  private ClusterFactory() {
  }

  /**
   * @param options how to join
   * @return a Hazelcast configuration as described in the class documentation
   */
  public static Config hazelcastConfig(ClusterOptions options) {
    Objects.requireNonNull(options, "options");
    Config config = ConfigUtil.loadConfig();
    config.setClusterName(options.clusterName());
    config.setLiteMember(options.liteMember());

    int failure = options.failureDetectionSeconds();
    config.setProperty("hazelcast.wait.seconds.before.join", "0");
    config.setProperty("hazelcast.phone.home.enabled", "false");
    config.setProperty("hazelcast.local.localAddress", options.bindHost());
    config.setProperty("hazelcast.socket.bind.any", "false");
    config.setProperty("hazelcast.max.no.heartbeat.seconds", Integer.toString(failure));
    config.setProperty("hazelcast.heartbeat.interval.seconds", Integer.toString(Math.max(1, failure / 5)));
    String mergeDelay = Integer.toString(Math.max(MIN_MERGE_DELAY_SECONDS, failure));
    config.setProperty("hazelcast.merge.first.run.delay.seconds", mergeDelay);
    config.setProperty("hazelcast.merge.next.run.delay.seconds", mergeDelay);
    config.setProperty("hazelcast.graceful.shutdown.max.wait", Integer.toString(GRACEFUL_SHUTDOWN_SECONDS));
    // Hazelcast's own metrics (for Management Center and JMX, which a node never uses) were
    // ~10 % of a node's CPU samples under load (BENCHMARKS.md, profile); the node's metrics are
    // Micrometer's.
    config.getMetricsConfig().setEnabled(false);

    NetworkConfig network = config.getNetworkConfig();
    // Reuse the address: a node restarted right after a crash finds its port in TIME_WAIT.
    network.setPort(options.hazelcastPort()).setPortAutoIncrement(false).setReuseAddress(true);
    network.getInterfaces().clear().setEnabled(true).addInterface(options.bindHost());
    JoinConfig join = network.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig().clear().setEnabled(true);
    options.members().forEach(member -> join.getTcpIpConfig().addMember(member));
    return config;
  }

  /**
   * Applies the thread-pool sizes given as system properties ({@value #EVENT_LOOPS_PROPERTY},
   * {@value #WORKERS_PROPERTY}, {@value #INTERNAL_BLOCKING_PROPERTY}; e.g. by
   * {@code conf/jvm/pi.options}: fewer threads, less native memory for stacks and malloc
   * arenas on a Pi). Unset properties leave Vert.x's defaults.
   *
   * @param options modified in place
   * @return {@code options}
   * @throws IllegalArgumentException when a property is not a positive integer
   */
  public static VertxOptions poolSizes(VertxOptions options) {
    Integer loops = positive(EVENT_LOOPS_PROPERTY);
    if (loops != null) {
      options.setEventLoopPoolSize(loops);
    }
    Integer workers = positive(WORKERS_PROPERTY);
    if (workers != null) {
      options.setWorkerPoolSize(workers);
    }
    Integer internal = positive(INTERNAL_BLOCKING_PROPERTY);
    if (internal != null) {
      options.setInternalBlockingPoolSize(internal);
    }
    return options;
  }

  private static Integer positive(String property) {
    String value = System.getProperty(property);
    if (value == null || value.isBlank()) {
      return null;
    }
    try {
      int n = Integer.parseInt(value.strip());
      if (n > 0) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException("-D" + property + " must be a positive integer, got '" + value + "'");
  }

  /**
   * @param options how to join
   * @return a cluster manager for {@link #start(ClusterOptions, HazelcastClusterManager)};
   *     keep it to register a node listener or to read the member list
   */
  public static HazelcastClusterManager clusterManager(ClusterOptions options) {
    return new HazelcastClusterManager(hazelcastConfig(options));
  }

  /**
   * Starts a clustered Vert.x with its own cluster manager.
   *
   * @param options how to join
   * @return completes once this node has joined the cluster and its event bus listens
   */
  public static Future<Vertx> start(ClusterOptions options) {
    return start(options, clusterManager(options));
  }

  /**
   * Starts a clustered Vert.x on a cluster manager the caller keeps.
   *
   * @param options how to join; sets the event-bus host and public host
   * @param clusterManager usually from {@link #clusterManager(ClusterOptions)}
   * @return completes once this node has joined the cluster and its event bus listens
   */
  public static Future<Vertx> start(ClusterOptions options, HazelcastClusterManager clusterManager) {
    return start(options, clusterManager, new VertxOptions());
  }

  /**
   * Starts a clustered Vert.x on a cluster manager the caller keeps, with further Vert.x
   * options (such as metrics).
   *
   * @param options how to join; overrides the event-bus options and disables HA
   * @param clusterManager usually from {@link #clusterManager(ClusterOptions)}
   * @param vertxOptions other Vert.x options; copied, not modified
   * @return completes once this node has joined the cluster and its event bus listens
   */
  public static Future<Vertx> start(ClusterOptions options, HazelcastClusterManager clusterManager,
      VertxOptions vertxOptions) {
    Objects.requireNonNull(options, "options");
    Objects.requireNonNull(clusterManager, "clusterManager");
    EventBusOptions eventBus = new EventBusOptions(vertxOptions.getEventBusOptions())
        .setHost(options.eventBusHost())
        .setPort(options.eventBusPort())
        // Other members connect to what we advertise; never let it default to another interface.
        .setClusterPublicHost(options.eventBusHost());
    VertxOptions copy = new VertxOptions(vertxOptions)
        .setHAEnabled(false)
        .setEventBusOptions(eventBus)
        // The copy constructor turns e.g. MicrometerMetricsOptions into plain MetricsOptions.
        .setMetricsOptions(vertxOptions.getMetricsOptions());
    poolSizes(copy);
    return Vertx.builder()
        .with(copy)
        .withClusterManager(clusterManager)
        .buildClustered()
        .map(vertx -> vertx.exceptionHandler(new ClosedLinkErrors("event bus on " + options.eventBusHost())));
  }
}
