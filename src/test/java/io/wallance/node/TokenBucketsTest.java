package io.wallance.node;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TokenBucketsTest {

  @Test
  void aBurstPassesThenTheRefillRateAppliesPerKey() {
    TokenBuckets buckets = new TokenBuckets(3, 10);

    assertThat(buckets.tryAcquire("a", 0)).isTrue();
    assertThat(buckets.tryAcquire("a", 0)).isTrue();
    assertThat(buckets.tryAcquire("a", 0)).isTrue();
    assertThat(buckets.tryAcquire("a", 0)).isFalse();
    assertThat(buckets.tryAcquire("b", 0)).isTrue(); // another sender is not affected
    assertThat(buckets.tryAcquire("a", 50)).isFalse(); // half a token
    assertThat(buckets.tryAcquire("a", 100)).isTrue();
    assertThat(buckets.tryAcquire("a", 100_000)).isTrue(); // refilled, but never above the burst
    assertThat(buckets.tryAcquire("a", 100_000)).isTrue();
    assertThat(buckets.tryAcquire("a", 100_000)).isTrue();
    assertThat(buckets.tryAcquire("a", 100_000)).isFalse();
  }
}
