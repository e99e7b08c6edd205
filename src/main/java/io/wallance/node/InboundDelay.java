package io.wallance.node;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryContext;
import io.wallance.cluster.Addresses;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Test only (the {@code chaos} harness's message delay; this kernel has no netem): an inbound
 * event-bus interceptor that holds every protocol message this JVM receives ({@code gossip}
 * and {@code to.<id>}) for the number of milliseconds written in a file, then delivers it.
 * Equal delays keep the order of arrival. The file is read every {@link #POLL_MILLIS}; a
 * missing, empty or unreadable file means no delay. Installed only when the system property
 * {@value #PROPERTY} names the file; a node's configuration cannot turn it on.
 */
public final class InboundDelay implements Handler<DeliveryContext<Object>> {
  /** The system property naming the delay file. */
  public static final String PROPERTY = "wallance.test.delayFile";
  static final long POLL_MILLIS = 500;
  /** The largest delay honoured. */
  static final long MAX_MILLIS = 60_000;
  private static final Logger LOG = LoggerFactory.getLogger(InboundDelay.class);

  private final Vertx vertx;
  private final String gossip;
  private final String toPrefix;
  private volatile long millis;

  private InboundDelay(Vertx vertx, Addresses addresses) {
    this.vertx = vertx;
    this.gossip = addresses.gossip();
    String to = addresses.to("0".repeat(64));
    this.toPrefix = to.substring(0, to.length() - 64);
  }

  /**
   * Installs the interceptor on {@code vertx} when {@value #PROPERTY} is set.
   *
   * @param vertx the node's Vert.x
   * @param addresses the network's addresses
   */
  public static void installIfRequested(Vertx vertx, Addresses addresses) {
    String file = System.getProperty(PROPERTY);
    if (file == null || file.isBlank()) {
      return;
    }
    InboundDelay delay = new InboundDelay(vertx, addresses);
    Path path = Path.of(file);
    vertx.setPeriodic(POLL_MILLIS, id -> vertx.fileSystem().readFile(path.toString()).onComplete(ar -> {
      long next = 0;
      if (ar.succeeded()) {
        try {
          next = Math.max(0, Math.min(MAX_MILLIS, Long.parseLong(ar.result().toString(StandardCharsets.US_ASCII)
              .strip())));
        } catch (NumberFormatException empty) {
          next = 0;
        }
      }
      if (next != delay.millis) {
        LOG.warn("test delay of inbound protocol messages: {} ms (from {})", next, path);
        delay.millis = next;
      }
    }));
    vertx.eventBus().addInboundInterceptor(delay);
  }

  @Override
  public void handle(DeliveryContext<Object> ctx) {
    long d = millis;
    String address = ctx.message().address();
    if (d > 0 && address != null && (address.equals(gossip) || address.startsWith(toPrefix))) {
      vertx.setTimer(d, id -> ctx.next());
    } else {
      ctx.next();
    }
  }
}
