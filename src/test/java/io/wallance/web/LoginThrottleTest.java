package io.wallance.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The throttle's rule on a test clock: free tries, doubling locks, forgiveness, bounded memory. */
class LoginThrottleTest {
  private final AtomicLong now = new AtomicLong(1_000_000);
  private final LoginThrottle throttle = new LoginThrottle(new LoginThrottle.Limits(3, 60_000, 1_000, 8_000),
      new LoginThrottle.Limits(10, 60_000, 1_000, 8_000), 100, now::get);

  @Test
  void freeTriesThenLocksThatDoubleUpToTheCap() {
    for (int i = 0; i < 3; i++) {
      assertThat(throttle.retryAfterMillis("a", "operator")).isZero();
      throttle.failure("a", "operator");
    }
    assertThat(throttle.retryAfterMillis("a", "operator")).as("3 free tries").isZero();
    long[] locks = {1_000, 2_000, 4_000, 8_000, 8_000};
    for (long lock : locks) {
      throttle.failure("a", "operator");
      assertThat(throttle.retryAfterMillis("a", "operator")).isEqualTo(lock);
      assertThat(throttle.retryAfterMillis("b", "other")).as("another address and user").isZero();
      now.addAndGet(lock);
      assertThat(throttle.retryAfterMillis("a", "operator")).isZero();
    }
  }

  @Test
  void aSuccessOrAQuietWindowForgives() {
    for (int i = 0; i < 4; i++) {
      throttle.failure("a", "operator");
    }
    assertThat(throttle.retryAfterMillis("a", "operator")).isPositive();
    throttle.success("a");
    assertThat(throttle.retryAfterMillis("a", "operator")).isZero();
    for (int i = 0; i < 3; i++) {
      throttle.failure("c", "u");
    }
    now.addAndGet(60_001);
    throttle.failure("c", "u");
    assertThat(throttle.retryAfterMillis("c", "u")).as("the window passed: counting starts over").isZero();
  }

  @Test
  void theUserIsLockedAcrossAddresses() {
    for (int i = 0; i < 10; i++) {
      throttle.failure("10.0.0." + i, "operator");
    }
    assertThat(throttle.retryAfterMillis("fresh", "operator")).isZero();
    throttle.failure("10.0.1.1", "operator");
    assertThat(throttle.retryAfterMillis("fresh", "operator")).isEqualTo(1_000);
  }

  @Test
  void addressRecordsStayBoundedPastTheCap() {
    for (int i = 0; i < 10_000; i++) {
      throttle.failure("addr-" + i, "u" + (i % 3));
    }
    assertThat(throttle.addressRecords()).isEqualTo(100);
    now.addAndGet(120_000);
    for (int i = 0; i < 20; i++) {
      throttle.retryAfterMillis("x", "y"); // each call drops expired records from the old end
    }
    assertThat(throttle.addressRecords()).isLessThan(100);
  }
}
