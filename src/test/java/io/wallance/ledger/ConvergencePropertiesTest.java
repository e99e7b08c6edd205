package io.wallance.ledger;

import static io.wallance.ledger.TestNet.A;
import static io.wallance.ledger.TestNet.B;
import static io.wallance.ledger.TestNet.C;
import static io.wallance.ledger.TestNet.D;
import static io.wallance.ledger.TestNet.replica;
import static org.assertj.core.api.Assertions.assertThat;

import io.wallance.protocol.Body;
import io.wallance.protocol.Crypto;
import io.wallance.protocol.Request;
import io.wallance.protocol.Share;
import io.wallance.protocol.Signed;
import io.wallance.protocol.Vote;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Convergence: the messages of a fixed scenario, delivered to a fresh replica in any order and
 * with any duplicates, always give the same ledger.
 */
class ConvergencePropertiesTest {

  /** The scenario, run once: shares, then three purchases (the later two cite rewards). */
  static final class Scenario {
    final List<Signed<? extends Body>> messages = new ArrayList<>();
    final String digest;
    final Map<String, Long> balances = new LinkedHashMap<>();
    final Map<String, String> heads = new LinkedHashMap<>();
    final List<String> purchases = new ArrayList<>();

    Scenario() {
      Cluster net = new Cluster(replica(A), replica(B), replica(C), replica(D));
      net.share(A.id(), 3);
      net.share(B.id(), 16);
      net.share(C.id(), 1);
      net.share(D.id(), 2);
      net.run();
      purchases.add(net.buy(B.id(), "Nespresso").request());
      net.run();
      purchases.add(net.buy(A.id(), "Receipt").request());
      net.run();
      purchases.add(net.buy(B.id(), "Receipt").request());
      net.run();
      net.share(D.id(), 1);
      net.run();
      Replica c = net.get(C.id());
      assertThat(purchases).doesNotContainNull();
      assertThat(c.chain(B.id())).hasSize(2);
      assertThat(c.chain(A.id())).hasSize(1);
      assertThat(net.digests()).containsOnly(c.digest());
      digest = c.digest();
      for (String id : c.wallets()) {
        balances.put(id, c.balance(id));
        heads.put(id, c.head(id));
      }
      for (Cluster.Envelope e : net.delivered) {
        Body b = e.message().body();
        if ((b instanceof Share || b instanceof Request || b instanceof Vote) && !messages.contains(e.message())) {
          messages.add(e.message());
        }
      }
    }
  }

  static final Scenario SCENARIO = new Scenario();

  @Property(tries = 200)
  void anyOrderAndAnyDuplicatesGiveTheSameLedger(@ForAll("deliveries") List<Integer> order) {
    // A fresh replica of C, which voted in every purchase: if it votes again, it signs the very same votes.
    Replica fresh = replica(C);
    long now = 1;
    for (int i : order) {
      Effects fx = fresh.receive(SCENARIO.messages.get(i), now++);
      assertThat(fx.events()).noneMatch(e -> e instanceof LedgerEvent.Rejected
          || e instanceof LedgerEvent.Misbehaviour);
      for (String id : fresh.wallets()) {
        assertThat(fresh.headBalance(id)).isNotNegative();
      }
    }
    assertThat(fresh.digest()).isEqualTo(SCENARIO.digest);
    for (Map.Entry<String, Long> e : SCENARIO.balances.entrySet()) {
      assertThat(fresh.balance(e.getKey())).as("balance of %s", e.getKey()).isEqualTo(e.getValue());
      assertThat(fresh.head(e.getKey())).isEqualTo(SCENARIO.heads.get(e.getKey()));
    }
    assertThat(fresh.citedTwice()).isZero();
    assertThat(fresh.pendingCount()).isZero();
  }

  @Property(tries = 10)
  void theScenarioIsNotTrivial(@ForAll("deliveries") List<Integer> order) {
    assertThat(SCENARIO.messages).hasSizeGreaterThan(30);
    assertThat(order).hasSizeGreaterThanOrEqualTo(SCENARIO.messages.size());
    assertThat(SCENARIO.balances.values()).anyMatch(b -> b > 0);
    assertThat(SCENARIO.heads.values()).filteredOn(h -> !h.equals(Crypto.GENESIS)).hasSize(2);
  }

  @Provide
  Arbitrary<List<Integer>> deliveries() {
    int n = SCENARIO.messages.size();
    return Arbitraries.integers().between(0, n - 1).list().ofMaxSize(n).flatMap(extra -> {
      List<Integer> all = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        all.add(i);
      }
      all.addAll(extra);
      return Arbitraries.shuffle(all);
    });
  }
}
