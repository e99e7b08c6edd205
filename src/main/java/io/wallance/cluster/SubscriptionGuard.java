package io.wallance.cluster;

import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.LifecycleEvent;
import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.core.spi.cluster.RegistrationInfo;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a verticle's clustered event-bus consumers registered in the cluster. When Hazelcast
 * declares a member dead (a paused JVM, a partition), every other member removes that member's
 * subscriptions; a member that comes back may find its own consumers gone from the cluster's
 * subscription map even though they still exist locally, and then no longer receives anything
 * sent or published to them. Vert.x republishes its own subscriptions after a merge, but a
 * member that was only removed by the others (and never saw a merge itself) can miss out.
 *
 * <p>The guard checks, on every membership change and lifecycle change of the local
 * Hazelcast member (a few seconds later, and again after {@link #SETTLE_AGAIN_MILLIS}) and
 * every {@link #PERIOD_MILLIS}, that the cluster lists this member for each guarded address;
 * where it does not, it unregisters the consumer and registers it again on the verticle's
 * context. On a non-clustered Vert.x it does nothing. Create it on the verticle's context.
 */
public final class SubscriptionGuard {
  private static final Logger LOG = LoggerFactory.getLogger(SubscriptionGuard.class);
  /** How long after a membership change the first check runs (Vert.x's own clean-up first). */
  public static final long SETTLE_MILLIS = 2_000;
  /** A second check after a membership change: merges finish later. */
  public static final long SETTLE_AGAIN_MILLIS = 10_000;
  /** The periodic check. */
  public static final long PERIOD_MILLIS = 15_000;

  private final Vertx vertx;
  private final Context context;
  private final String owner;
  private final ClusterManager cluster;
  private final Map<String, Supplier<MessageConsumer<?>>> registrations = new LinkedHashMap<>();
  private final Map<String, MessageConsumer<?>> consumers = new LinkedHashMap<>();
  private final AtomicLong restored = new AtomicLong();
  private final List<Runnable> removals = new ArrayList<>();
  private long timer = -1;

  /**
   * @param vertx the verticle's Vert.x
   * @param owner who owns the consumers, for the log (e.g. the node's name)
   */
  public SubscriptionGuard(Vertx vertx, String owner) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.owner = owner;
    this.cluster = vertx instanceof VertxInternal internal ? internal.clusterManager() : null;
  }

  /**
   * Registers a clustered consumer through {@code register} and guards it.
   *
   * @param address the consumer's address (one consumer per address)
   * @param register registers the consumer (again); called on the verticle's context
   * @return the first consumer
   */
  public MessageConsumer<?> register(String address, Supplier<MessageConsumer<?>> register) {
    MessageConsumer<?> consumer = register.get();
    registrations.put(address, register);
    consumers.put(address, consumer);
    return consumer;
  }

  /** Starts watching membership changes and the period. */
  public void start() {
    if (cluster == null) {
      return;
    }
    timer = vertx.setPeriodic(PERIOD_MILLIS, id -> check());
    if (cluster instanceof HazelcastClusterManager hz && hz.getHazelcastInstance() != null) {
      HazelcastInstance instance = hz.getHazelcastInstance();
      UUID membership = instance.getCluster().addMembershipListener(new MembershipListener() {
        @Override
        public void memberAdded(MembershipEvent e) {
          soon();
        }

        @Override
        public void memberRemoved(MembershipEvent e) {
          soon();
        }
      });
      UUID lifecycle = instance.getLifecycleService().addLifecycleListener(e -> {
        if (e.getState() == LifecycleEvent.LifecycleState.MERGED) {
          soon();
        }
      });
      removals.add(() -> instance.getCluster().removeMembershipListener(membership));
      removals.add(() -> instance.getLifecycleService().removeLifecycleListener(lifecycle));
    }
  }

  /** Stops watching (the consumers themselves go with their verticle). */
  public void stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
    for (Runnable r : removals) {
      try {
        r.run();
      } catch (RuntimeException shuttingDown) {
        // Hazelcast is already gone
      }
    }
    removals.clear();
  }

  /** @return how many consumers were registered again since the start */
  public long restored() {
    return restored.get();
  }

  private void soon() {
    context.runOnContext(v -> {
      vertx.setTimer(SETTLE_MILLIS, id -> check());
      vertx.setTimer(SETTLE_AGAIN_MILLIS, id -> check());
    });
  }

  /** Checks every guarded address now; restores the missing ones. Runs on the verticle's context. */
  public void check() {
    if (cluster == null) {
      return;
    }
    String self = cluster.getNodeId();
    for (String address : List.copyOf(registrations.keySet())) {
      MessageConsumer<?> checked = consumers.get(address);
      Promise<List<RegistrationInfo>> listed = Promise.promise();
      try {
        cluster.getRegistrations(address, listed);
      } catch (RuntimeException notActive) {
        return; // leaving the cluster
      }
      listed.future().onComplete(ar -> context.runOnContext(v -> {
        if (ar.failed() || !cluster.isActive()) {
          return;
        }
        boolean listedHere = ar.result().stream().anyMatch(r -> self.equals(r.nodeId()) && !r.localOnly());
        // A check that overlapped a restore saw the old state: the consumer is already new.
        if (!listedHere && consumers.get(address) == checked) {
          restore(address);
        }
      }));
    }
  }

  private void restore(String address) {
    MessageConsumer<?> old = consumers.get(address);
    LOG.warn("{}: the cluster lost this member's subscription to {}; registering it again", owner, address);
    if (old != null) {
      old.unregister();
    }
    consumers.put(address, registrations.get(address).get());
    restored.incrementAndGet();
  }
}
