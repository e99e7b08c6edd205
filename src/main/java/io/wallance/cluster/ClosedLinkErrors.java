package io.wallance.cluster;

import io.vertx.core.Handler;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Vert.x-wide handler of exceptions no context handled. Vert.x 5.0.10's clustered event
 * bus completes the write promise of a message <em>published</em> to several members once per
 * member written to ({@code OutboundConnection.writeMessage} chains each connection's write
 * onto the one promise with {@code onComplete(promise)}); when a second write fails or
 * succeeds, or a closing connection fails its queued writes
 * ({@code ChannelOutboundBuffer.failFlushed}), the promise throws
 * {@code IllegalStateException: Promise already completed} into the event loop, where Vert.x
 * logs it with a stack trace (thousands of them in one node's log when a peer stops answering
 * pings after SIGSTOP or a partition). It is the problem of vert.x issue #4922 (fixed there for
 * {@code MessageProducer} with {@code tryComplete}) in the 5.x clustered write path: nothing
 * is lost by the exception itself (messages on a closed connection are lost with it either
 * way, and the protocol's re-sends and pulls repair that, PROTOCOL.md 9). The publish is ours
 * ({@code NodeVerticle}), the promise is not, so this handler, the hook we own, logs that one
 * known case as a single line, then one line per further {@value #EVERY} occurrences with the
 * count; any other exception is logged with its stack trace, as Vert.x would.
 */
public final class ClosedLinkErrors implements Handler<Throwable> {
  private static final Logger LOG = LoggerFactory.getLogger(ClosedLinkErrors.class);
  static final long EVERY = 1000;
  private final String owner;
  private final AtomicLong closedLinkWrites = new AtomicLong();

  /** A handler whose log lines name {@code owner}. */
  public ClosedLinkErrors(String owner) {
    this.owner = owner;
  }

  @Override
  public void handle(Throwable t) {
    if (isClosedLinkWrite(t)) {
      long n = closedLinkWrites.incrementAndGet();
      if (n == 1 || n % EVERY == 0) {
        LOG.warn("{}: Vert.x completed an event-bus write promise twice ('Promise already completed', a connection "
            + "to a member failed or closed; {} so far; catch-up repairs messages lost with it)", owner, n);
      }
      return;
    }
    LOG.error("{}: unhandled exception", owner, t);
  }

  /** How many double-failed writes of closed connections were seen. */
  public long closedLinkWrites() {
    return closedLinkWrites.get();
  }

  /**
   * The known Vert.x case: "Promise already completed" thrown by a Vert.x promise while the
   * clustered event bus writes a message or a connection fails its queued writes.
   */
  static boolean isClosedLinkWrite(Throwable t) {
    if (!(t instanceof IllegalStateException) || !"Promise already completed".equals(t.getMessage())) {
      return false;
    }
    StackTraceElement[] stack = t.getStackTrace();
    if (stack.length == 0 || !stack[0].getClassName().equals("io.vertx.core.Promise")) {
      return false;
    }
    for (StackTraceElement e : stack) {
      String c = e.getClassName();
      if (c.startsWith("io.wallance.")) {
        return false; // reached our code without passing an event-bus write: not the known case
      }
      if (c.equals("io.vertx.core.eventbus.impl.clustered.OutboundConnection")
          || c.equals("io.netty.channel.ChannelOutboundBuffer") && e.getMethodName().equals("failFlushed")) {
        return true;
      }
    }
    return false;
  }
}
