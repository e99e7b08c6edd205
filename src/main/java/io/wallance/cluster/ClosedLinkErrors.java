package io.wallance.cluster;

import io.vertx.core.Handler;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Vert.x-wide handler of exceptions no context handled. Vert.x 5.0.10's clustered event
 * bus, when it closes a connection that still has queued writes (a peer that stopped answering
 * pings, e.g. after SIGSTOP or a partition), fails each queued write's promise a second time:
 * {@code IllegalStateException: Promise already completed}, thrown inside Vert.x and Netty
 * ({@code VertxConnection.writeClose} → {@code ChannelOutboundBuffer.failFlushed}), with no
 * frame of ours, once per queued message (thousands of stack traces in one node's log). The
 * messages were lost with the connection either way; the protocol's re-sends and pulls repair
 * that (PROTOCOL.md 9). This handler logs that one known case as a single line, then one
 * line per further {@value #EVERY} occurrences with the count; any other exception is logged
 * with its stack trace, as Vert.x would.
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
        LOG.warn("{}: the event bus dropped queued messages of a closed connection (Vert.x fails their write "
            + "promises twice: 'Promise already completed'; {} so far; catch-up repairs what was lost)", owner, n);
      }
      return;
    }
    LOG.error("{}: unhandled exception", owner, t);
  }

  /** How many double-failed writes of closed connections were seen. */
  public long closedLinkWrites() {
    return closedLinkWrites.get();
  }

  /** The known Vert.x case: "Promise already completed" thrown from Vert.x and Netty code only. */
  static boolean isClosedLinkWrite(Throwable t) {
    if (!(t instanceof IllegalStateException) || !"Promise already completed".equals(t.getMessage())) {
      return false;
    }
    boolean closing = false;
    for (StackTraceElement e : t.getStackTrace()) {
      String c = e.getClassName();
      if (c.startsWith("io.wallance.")) {
        return false;
      }
      closing |= c.equals("io.netty.channel.ChannelOutboundBuffer") && e.getMethodName().equals("failFlushed");
    }
    return closing;
  }
}
