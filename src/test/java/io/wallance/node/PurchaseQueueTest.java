package io.wallance.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PurchaseQueueTest {

  private final PurchaseQueue queue = new PurchaseQueue();

  @Test
  void firstInFirstOutWithOneRequestInFlight() {
    PurchaseQueue.Purchase first = queue.add(1, "Nespresso", 2);
    PurchaseQueue.Purchase second = queue.add(2, "Receipt", 1);

    assertThat(queue.next()).isSameAs(first);
    queue.published(first, "a".repeat(64));
    assertThat(queue.next()).isNull();
    assertThat(queue.finalized("a".repeat(64))).isSameAs(first);
    assertThat(first.state()).isEqualTo(PurchaseQueue.State.FINAL);
    assertThat(queue.next()).isSameAs(second);
  }

  @Test
  void onlyAWaitingPurchaseCanBeCancelled() {
    PurchaseQueue.Purchase p = queue.add(1, "Nespresso", 2);
    PurchaseQueue.Purchase q = queue.add(2, "Nespresso", 2);
    queue.published(p, "b".repeat(64));

    assertThatThrownBy(() -> queue.cancel(p)).hasMessageContaining("purchase 1 is published");
    assertThat(queue.cancel(q).state()).isEqualTo(PurchaseQueue.State.CANCELLED);
    assertThatThrownBy(() -> queue.cancel(q)).hasMessageContaining("is cancelled");
    assertThatThrownBy(() -> queue.add(2, "Receipt", 1)).hasMessageContaining("already exists");
  }

  @Test
  void missingUnitsChangeOnlyWhenTheyDoAndTheViewKeepsRecentDoneOnes() {
    PurchaseQueue.Purchase p = queue.add(1, "Nespresso", 2);

    assertThat(queue.missing(p, 4)).isTrue();
    assertThat(queue.missing(p, 4)).isFalse();
    assertThat(queue.toJson().getJsonObject(0).getLong("missingUnits")).isEqualTo(4);
    for (int i = 2; i < 2 + PurchaseQueue.KEEP_DONE + 5; i++) {
      queue.cancel(queue.add(i, "Receipt", 1));
    }
    assertThat(queue.toJson()).hasSize(1 + PurchaseQueue.KEEP_DONE);
    assertThat(queue.find(1)).isSameAs(p);
  }
}
