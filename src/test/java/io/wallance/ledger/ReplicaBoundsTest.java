package io.wallance.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import io.wallance.protocol.Crypto;
import io.wallance.protocol.Reason;
import io.wallance.protocol.Registry;
import io.wallance.protocol.Share;
import io.wallance.protocol.Signed;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every buffer a member of the registry (here a lying one, B) can fill with validly signed
 * messages is driven past its cap: it stays at the cap, and what does not fit is dropped with
 * a typed, counted reason ({@link Reason#BUFFER_FULL}) or, for evidence, still reported as an
 * event. The inventory is in {@code docs/SECURITY.md} ("Bounded buffers").
 */
class ReplicaBoundsTest {

  private static final ReplicaOptions SMALL = new ReplicaOptions(1000, 2000, 500, 16, 4, 64);

  @Test
  void pendingRequestsAndVoteSetsStayAtMaxPendingAndEveryEvictionIsCounted() {
    Replica a = TestNet.replica(TestNet.A, SMALL);
    for (int i = 0; i < 200; i++) {
      a.receive(TestNet.vote(TestNet.B, TestNet.C, hash("prev" + i), hash("request" + i)), 0);
    }
    assertThat(a.pendingCount()).isEqualTo(SMALL.maxPending());
    assertThat(a.rejections().get(Reason.BUFFER_FULL)).isEqualTo(200L - SMALL.maxPending());
  }

  @Test
  void requestsOfOneBuyerForStatesAheadStayAtMaxFuturePerBuyerAndTheRestAreCounted() {
    Replica a = TestNet.replica(TestNet.A, SMALL);
    for (int i = 0; i < 10; i++) {
      a.receive(TestNet.request(TestNet.C, hash("state" + i), 0, List.of(), 0, "Receipt", 1), 0);
    }
    assertThat(a.pendingCount()).isEqualTo(SMALL.maxFuturePerBuyer());
    assertThat(a.rejections().get(Reason.BUFFER_FULL)).isEqualTo(10L - SMALL.maxFuturePerBuyer());
  }

  @Test
  void registriesOfFutureEpochsStayAtTheirCapAndTheRestAreCounted() {
    Replica a = TestNet.replica(TestNet.A);
    int sent = Replica.MAX_FUTURE_REGISTRIES + 5;
    for (int epoch = 3; epoch < 3 + sent; epoch++) {
      Registry r = TestNet.registry(epoch, TestNet.MEMBERS, List.of(TestNet.OPERATOR), TestNet.CATALOGUE,
          TestNet.OPERATOR);
      a.receive(Signed.sign(r, TestNet.OPERATOR), 0);
    }
    assertThat(a.rejections().get(Reason.BUFFER_FULL)).isEqualTo(5L);
    assertThat(a.registry().epoch()).isEqualTo(1); // none adopted: epoch 2 never came
  }

  @Test
  void evidenceStopsAtItsCapWhileEveryEquivocationIsStillReported() {
    Replica a = TestNet.replica(TestNet.A);
    int reported = 0;
    for (int i = 0; i < LedgerState.MAX_EVIDENCE + 44; i++) {
      String prev = hash("prev" + i);
      a.receive(TestNet.vote(TestNet.B, TestNet.C, prev, hash("one" + i)), 0);
      reported += (int) a.receive(TestNet.vote(TestNet.B, TestNet.C, prev, hash("two" + i)), 0).events().stream()
          .filter(e -> e instanceof LedgerEvent.Misbehaviour).count();
    }
    assertThat(reported).isEqualTo(LedgerState.MAX_EVIDENCE + 44);
    assertThat(a.evidence()).hasSize(LedgerState.MAX_EVIDENCE);
  }

  @Test
  void firstVotesPerBuyerKeepOnlyTheNewestOutdateStates() {
    Replica a = TestNet.replica(TestNet.A);
    int outdate = (int) a.registry().outdate();
    int states = outdate + 20;
    for (int i = 0; i < states; i++) {
      a.receive(TestNet.vote(TestNet.B, TestNet.C, hash("prev" + i), hash("one" + i)), 0);
    }
    // Past the cap the oldest states are forgotten: a conflicting vote there is no longer matched.
    long oldest = a.receive(TestNet.vote(TestNet.B, TestNet.C, hash("prev0"), hash("two0")), 0).events().stream()
        .filter(e -> e instanceof LedgerEvent.Misbehaviour).count();
    long newest = a.receive(TestNet.vote(TestNet.B, TestNet.C, hash("prev" + (states - 1)), hash("two")), 0)
        .events().stream().filter(e -> e instanceof LedgerEvent.Misbehaviour).count();
    assertThat(oldest).as("a state older than the newest %d is forgotten", outdate).isZero();
    assertThat(newest).as("the newest state is remembered").isOne();
  }

  @Test
  void theSignatureCacheKeepsOnlyItsCapacity() {
    SignatureCheck check = new SignatureCheck(4);
    List<Signed<Share>> shares = new java.util.ArrayList<>();
    for (int seq = 1; seq <= 10; seq++) {
      shares.add(TestNet.share(TestNet.B, seq, seq));
    }
    shares.forEach(check::verify);
    assertThat(check.verified()).isEqualTo(10);
    check.verify(shares.get(9)); // among the 4 newest: answered from the cache
    assertThat(check.cached()).isEqualTo(1);
    check.verify(shares.get(0)); // evicted long ago: verified again
    assertThat(check.verified()).isEqualTo(11);
  }

  private static String hash(String text) {
    return Crypto.sha256Hex(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }
}
