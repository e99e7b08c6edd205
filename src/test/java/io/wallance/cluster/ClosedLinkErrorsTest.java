package io.wallance.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The one Vert.x failure the process-wide handler reports as a line instead of a stack trace. */
class ClosedLinkErrorsTest {
  private static final StackTraceElement PROMISE = new StackTraceElement("io.vertx.core.Promise", "fail", null, 104);
  private static final StackTraceElement FAIL_FLUSHED =
      new StackTraceElement("io.netty.channel.ChannelOutboundBuffer", "failFlushed", null, 690);
  private static final StackTraceElement OURS = new StackTraceElement("io.wallance.node.NodeVerticle", "send", null, 1);
  private static final StackTraceElement WRITE = new StackTraceElement(
      "io.vertx.core.eventbus.impl.clustered.OutboundConnection", "writeMessage", null, 86);

  private static Throwable thrown(String message, StackTraceElement... stack) {
    IllegalStateException e = new IllegalStateException(message);
    e.setStackTrace(stack);
    return e;
  }

  @Test
  void theDoubleFailedWriteOfAClosedConnectionIsCountedNotRethrown() {
    ClosedLinkErrors h = new ClosedLinkErrors("test");
    for (int i = 0; i < 3; i++) {
      h.handle(thrown("Promise already completed", PROMISE, FAIL_FLUSHED));
    }
    assertThat(h.closedLinkWrites()).isEqualTo(3);
  }

  @Test
  void anythingElseIsNotTakenForIt() {
    assertThat(ClosedLinkErrors.isClosedLinkWrite(thrown("Promise already completed", PROMISE, FAIL_FLUSHED)))
        .isTrue();
    assertThat(ClosedLinkErrors.isClosedLinkWrite(thrown("Promise already completed", PROMISE, WRITE, OURS)))
        .as("a publish of ours written by the clustered event bus").isTrue();
    assertThat(ClosedLinkErrors.isClosedLinkWrite(thrown("Promise already completed", PROMISE, OURS, WRITE)))
        .as("our code completed it: our bug, logged in full").isFalse();
    assertThat(ClosedLinkErrors.isClosedLinkWrite(thrown("Promise already completed", OURS, PROMISE, FAIL_FLUSHED)))
        .as("not thrown by a Vert.x promise").isFalse();
    assertThat(ClosedLinkErrors.isClosedLinkWrite(thrown("Promise already completed", PROMISE)))
        .as("not while closing a connection").isFalse();
    assertThat(ClosedLinkErrors.isClosedLinkWrite(thrown("other", PROMISE, FAIL_FLUSHED))).isFalse();
    assertThat(ClosedLinkErrors.isClosedLinkWrite(new RuntimeException("Promise already completed"))).isFalse();
    ClosedLinkErrors h = new ClosedLinkErrors("test");
    h.handle(new RuntimeException("boom"));
    assertThat(h.closedLinkWrites()).isZero();
  }
}
