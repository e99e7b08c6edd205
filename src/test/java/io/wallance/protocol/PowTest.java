package io.wallance.protocol;

import static io.wallance.protocol.Samples.ALICE;
import static io.wallance.protocol.Samples.BOB;
import static io.wallance.protocol.Samples.NET;
import static io.wallance.protocol.Samples.hex;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PowTest {

  @Test
  void satisfiedCountsLeadingZeroHexDigits() {
    String h = "00f" + "a".repeat(61);
    assertThat(Pow.satisfied(h, 0)).isTrue();
    assertThat(Pow.satisfied(h, 1)).isTrue();
    assertThat(Pow.satisfied(h, 2)).isTrue();
    assertThat(Pow.satisfied(h, 3)).isFalse();
    assertThat(Pow.satisfied("f" + "0".repeat(63), 1)).isFalse();
    assertThat(Pow.satisfied("f" + "0".repeat(63), 0)).isTrue();
    assertThat(Pow.satisfied("0f" + "0".repeat(62), 2)).isFalse();
    assertThat(Pow.satisfied(Crypto.GENESIS, 8)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 2})
  void mineFindsTheSmallestNonce(int difficulty) {
    for (Body.Mined body : List.<Body.Mined>of(
        new Share(NET, ALICE.id(), 1, "virtual", 20_500, 0),
        new Share(NET, ALICE.id(), 2, "virtual", 20_500, 0),
        new Vote(NET, BOB.id(), ALICE.id(), 1, Crypto.GENESIS, hex('b'), 0),
        Samples.request(List.of(hex('1'))).withNonce(0))) {
      Body.Mined mined = Pow.mine(body, difficulty);
      assertThat(Pow.satisfied(Crypto.sha256Hex(mined.canonical()), difficulty)).isTrue();
      assertThat(mined).isEqualTo(body.withNonce(mined.nonce()));
      for (long n = 0; n < mined.nonce(); n++) {
        assertThat(Pow.satisfied(Crypto.sha256Hex(body.withNonce(n).canonical()), difficulty))
            .as("nonce %d < %d must not satisfy", n, mined.nonce()).isFalse();
      }
      if (difficulty == 0) {
        assertThat(mined.nonce()).isZero();
      }
    }
  }

  @Test
  void theStartingNonceIsIgnored() {
    Share a = new Share(NET, ALICE.id(), 5, "virtual", 1, 0);
    assertThat(Pow.mine(a.withNonce(123_456), 2)).isEqualTo(Pow.mine(a, 2));
  }

  @Test
  void atDifficultyTwoSomeNonceAboveZeroIsNeeded() {
    // Sanity for the minimality test above: over several bodies, difficulty 2 almost never holds at nonce 0.
    long nonZero = 0;
    for (int seq = 1; seq <= 20; seq++) {
      nonZero += Pow.mine(new Share(NET, ALICE.id(), seq, "virtual", 0, 0), 2).nonce() > 0 ? 1 : 0;
    }
    assertThat(nonZero).isGreaterThan(10);
  }

  @Test
  void sameBodyMinesToTheSameNonceAndIdenticalSignedBytes() {
    Vote v = new Vote(NET, BOB.id(), ALICE.id(), 1, Crypto.GENESIS, hex('c'), 0);
    Vote m1 = Pow.mine(v, 1);
    Vote m2 = Pow.mine(new Vote(NET, BOB.id(), ALICE.id(), 1, Crypto.GENESIS, hex('c'), 77), 1);
    assertThat(m1.nonce()).isEqualTo(m2.nonce());
    assertThat(Signed.sign(m1, BOB).wire()).isEqualTo(Signed.sign(m2, BOB).wire());
    Request r = Samples.request(List.of());
    assertThat(Signed.sign(Pow.mine(r, 1), ALICE).wire()).isEqualTo(Signed.sign(Pow.mine(r, 1), ALICE).wire());
  }
}
