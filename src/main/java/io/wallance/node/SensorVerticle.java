package io.wallance.node;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import io.wallance.cluster.Addresses;
import io.wallance.sensor.RecentReadings;
import io.wallance.sensor.SensorReading;
import io.wallance.sensor.SensorSource;
import java.util.Objects;
import java.util.Random;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the sensor on the configured period (a fixed one, or the prototype's random 1–9 s)
 * and asks the node to sign and share each reading. The hand-over is a request on the
 * in-JVM address {@link Addresses#localShare}; the node replies with the share's sequence
 * number. Keeps the {@link RecentReadings} and publishes a {@code reading} event per share.
 *
 * <p>The source is read on a worker thread, since a device file can stall.
 */
public final class SensorVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(SensorVerticle.class);
  private static final long MIN_RANDOM_MILLIS = 1000;
  private static final long MAX_RANDOM_MILLIS = 9000;
  /** A broken sensor is logged once a minute, not once per period. */
  private static final long LOG_EVERY_MILLIS = 60_000;

  private final SensorSource source;
  private final NodeConfig.Sensor options;
  private final Addresses addresses;
  private final String me;
  private final String name;
  private final Random random;
  private final RecentReadings recent;
  private ObserverEvents events;
  private long timer = -1;
  private boolean stopped;
  private long lastLog = Long.MIN_VALUE / 2;

  /**
   * @param source the sensor
   * @param options the period
   * @param addresses the network's addresses
   * @param me the node's id
   * @param name the node's registry name
   * @param random for the random period
   * @param recent where readings are kept for charts
   */
  public SensorVerticle(SensorSource source, NodeConfig.Sensor options, Addresses addresses, String me, String name,
      Random random, RecentReadings recent) {
    this.source = Objects.requireNonNull(source, "source");
    this.options = Objects.requireNonNull(options, "options");
    this.addresses = Objects.requireNonNull(addresses, "addresses");
    this.me = Objects.requireNonNull(me, "me");
    this.name = Objects.requireNonNull(name, "name");
    this.random = Objects.requireNonNull(random, "random");
    this.recent = Objects.requireNonNull(recent, "recent");
  }

  @Override
  public Future<?> start() {
    events = new ObserverEvents(vertx.eventBus(), addresses, me, name);
    schedule();
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    stopped = true;
    vertx.cancelTimer(timer);
    return Future.succeededFuture();
  }

  private void schedule() {
    if (stopped) {
      return;
    }
    long delay = options.randomPeriod()
        ? MIN_RANDOM_MILLIS + (long) (random.nextDouble() * (MAX_RANDOM_MILLIS - MIN_RANDOM_MILLIS))
        : options.periodMillis();
    timer = vertx.setTimer(delay, id -> readAndShare());
  }

  private void readAndShare() {
    String kind = source.kind();
    vertx.executeBlocking(source::read)
        .compose(value -> vertx.eventBus()
            .<JsonObject>request(addresses.localShare(me), new JsonObject().put("kind", kind).put("value", value),
                new DeliveryOptions().setLocalOnly(true))
            .map(reply -> {
              long seq = reply.body().getLong("seq", 0L);
              recent.add(new SensorReading(kind, value, System.currentTimeMillis()));
              events.publish("reading", new JsonObject().put("kind", kind).put("value", value).put("seq", seq));
              return seq;
            }))
        .onFailure(this::logFailure)
        .onComplete(x -> schedule());
  }

  private void logFailure(Throwable e) {
    long now = System.nanoTime() / 1_000_000;
    if (now - lastLog >= LOG_EVERY_MILLIS) {
      lastLog = now;
      LOG.warn("sensor {}: no reading shared: {}", source.kind(), e.getMessage());
    }
  }

  /** @return the readings kept for charts */
  public RecentReadings recent() {
    return recent;
  }
}
