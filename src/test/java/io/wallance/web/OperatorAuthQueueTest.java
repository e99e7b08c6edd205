package io.wallance.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Password checks wait their turn in one queue of at most {@link OperatorAuth#MAX_QUEUED}: a burst
 * of guesses past it is throttled at once (no PBKDF2, nothing queued), and the queue drains.
 */
class OperatorAuthQueueTest {

  @Test
  void attemptsPastTheQueueCapAreThrottledAtOnceAndTheQueueDrains() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      OperatorAuth auth = new OperatorAuth(vertx, PasswordHash.create("right", 20_000));
      int burst = OperatorAuth.MAX_QUEUED + 40;
      CompletableFuture<List<Future<Long>>> made = new CompletableFuture<>();
      CompletableFuture<Integer> peak = new CompletableFuture<>();
      vertx.runOnContext(v -> {
        List<Future<Long>> all = new ArrayList<>();
        for (int i = 0; i < burst; i++) {
          all.add(auth.attempt("10.0.0." + (i % 200), "guess" + i));
        }
        peak.complete(auth.queued());
        made.complete(all);
      });
      List<Future<Long>> all = made.get(20, TimeUnit.SECONDS);
      assertThat(peak.get()).isEqualTo(OperatorAuth.MAX_QUEUED);
      List<Future<Long>> throttledAtOnce = all.subList(OperatorAuth.MAX_QUEUED, burst);
      assertThat(throttledAtOnce).allSatisfy(f -> {
        assertThat(f.isComplete()).isTrue();
        assertThat(f.result()).isEqualTo(1_000L);
      });
      Future.all(all).await(60, TimeUnit.SECONDS);
      assertThat(all.subList(0, OperatorAuth.MAX_QUEUED)).allSatisfy(f -> assertThat(f.result()).isNotZero());
      CompletableFuture<Integer> after = new CompletableFuture<>();
      vertx.runOnContext(v -> after.complete(auth.queued()));
      assertThat(after.get(20, TimeUnit.SECONDS)).as("the queue drained").isZero();
    } finally {
      vertx.close().await(20, TimeUnit.SECONDS);
    }
  }
}
