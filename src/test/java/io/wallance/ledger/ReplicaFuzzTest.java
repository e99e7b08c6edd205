package io.wallance.ledger;

import static io.wallance.ledger.TestNet.A;
import static io.wallance.ledger.TestNet.B;
import static io.wallance.ledger.TestNet.C;
import static io.wallance.ledger.TestNet.D;
import static io.wallance.ledger.TestNet.NET;
import static io.wallance.ledger.TestNet.OPERATOR;
import static io.wallance.ledger.TestNet.OUTSIDER;
import static io.wallance.ledger.TestNet.replica;
import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.wallance.fuzz.Corpus;
import io.wallance.fuzz.Generated;
import io.wallance.fuzz.Mutator;
import io.wallance.protocol.Body;
import io.wallance.protocol.Codec;
import io.wallance.protocol.Command;
import io.wallance.protocol.ProtocolException;
import io.wallance.protocol.Share;
import io.wallance.protocol.Signed;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes a replica with arbitrary bytes from the network: one input is up to
 * {@value #MAX_MESSAGES} messages separated by NUL bytes (a byte no message may hold), each
 * decoded and, when it decodes, handed to {@link Replica#receive}; then the replica ticks.
 * The replica holds a real history (shares, two finalized purchases with rewards, an
 * operator command) and has already absorbed every valid message of that history, so no
 * input can be news to it: whatever arrives, its digest, wallets, command counters and
 * journal stay exactly as they were, and nothing throws.
 */
class ReplicaFuzzTest {
  static final int MAX_MESSAGES = 8;
  private static final History HISTORY = History.build();

  /** The member A's journal after a short history, every valid message of it, and the time after it. */
  record History(List<LedgerChange> journal, List<byte[]> messages, long now) {
    static History build() {
      Cluster net = new Cluster(replica(A), replica(B), replica(C), replica(D));
      net.share(A.id(), 12);
      net.share(B.id(), 12);
      net.share(C.id(), 3);
      net.run();
      net.buy(B.id(), "Nespresso");
      net.run();
      net.tickAll(1_000);
      net.buy(A.id(), "Receipt");
      net.run();
      net.tickAll(1_000);
      Signed<Command> command = Signed.sign(new Command(NET, OPERATOR.id(), A.id(), 1, Command.Action.BUY,
          "Receipt", 1), OPERATOR);
      net.post(A.id(), net.get(A.id()).receive(command, net.now));
      net.run();
      Set<Signed<? extends Body>> seen = new LinkedHashSet<>();
      net.delivered.forEach(e -> seen.add(e.message()));
      seen.add(command);
      // Every valid message once more to A, so none of them is news to it any more.
      for (Signed<? extends Body> m : seen) {
        net.post(A.id(), net.get(A.id()).receive(m, net.now));
      }
      net.run();
      net.tickAll(10_000);
      List<byte[]> wire = new ArrayList<>();
      seen.forEach(m -> wire.add(m.wire()));
      return new History(net.get(A.id()).drainChanges(), wire, net.now);
    }
  }

  /** What must never change. */
  record Snapshot(String digest, long epoch, Map<String, List<Object>> wallets, Map<String, Long> counters) {
    static Snapshot of(Replica r) {
      Map<String, List<Object>> wallets = new LinkedHashMap<>();
      for (String id : r.wallets()) {
        wallets.put(id, List.of(r.balance(id), r.headBalance(id), r.head(id), r.shares(id), r.chain(id),
            r.rewards(id), r.cited(id)));
      }
      return new Snapshot(r.digest(), r.registry().epoch(), wallets, Map.copyOf(r.commandCounters()));
    }
  }

  /** The property, for any bytes. */
  static void check(byte[] input) throws Exception {
    Replica r = Replica.restart(A, LedgerState.replay(HISTORY.journal()), Rules.none(), new SignatureCheck(256),
        ReplicaOptions.defaults());
    Snapshot before = Snapshot.of(r);
    long now = HISTORY.now();
    for (byte[] chunk : split(input)) {
      Signed<? extends Body> m;
      try {
        m = Codec.decode(chunk);
      } catch (ProtocolException e) {
        continue;
      }
      r.receive(m, now);
      assertThat(r.drainChanges()).as("journal changes after %s", m).isEmpty();
      now += 250;
    }
    r.tick(now + 60_000);
    assertThat(r.drainChanges()).as("journal changes after a tick").isEmpty();
    assertThat(Snapshot.of(r)).isEqualTo(before);
  }

  static List<byte[]> split(byte[] input) {
    List<byte[]> out = new ArrayList<>();
    int start = 0;
    for (int i = 0; i <= input.length && out.size() < MAX_MESSAGES; i++) {
      if (i == input.length || input[i] == 0) {
        out.add(Arrays.copyOfRange(input, start, i));
        start = i + 1;
      }
    }
    return out;
  }

  @FuzzTest(maxDuration = "3m")
  void receive(byte[] input) throws Exception {
    check(input);
  }

  @Test
  void theHistoryIsReal() {
    Replica r = Replica.restart(A, LedgerState.replay(HISTORY.journal()), Rules.none(), new SignatureCheck(16),
        ReplicaOptions.defaults());
    assertThat(r.chain(A.id())).hasSize(1);
    assertThat(r.chain(B.id())).hasSize(1);
    assertThat(r.rewards(A.id()).size() + r.rewards(C.id()).size() + r.rewards(D.id()).size()).isPositive();
    assertThat(r.commandCounters()).containsEntry(OPERATOR.id(), 1L);
  }

  @Test
  void theCheckSeesANewValidMessage() {
    byte[] news = TestNet.share(B, 13, 20_000).wire();

    org.assertj.core.api.Assertions.assertThatThrownBy(() -> check(news)).isInstanceOf(AssertionError.class);
  }

  @Test
  void generatedInputs() {
    Mutator m = new Mutator(Generated.seed(), Corpus.inputs(getClass(), "receive"), List.of("\u0000", "sig=",
        "wallance=1\nnet=test\ntype=", A.id(), B.id(), OPERATOR.id(), OUTSIDER.id(), "0".repeat(64)));
    int ran = Generated.run("replica", Corpus.directory(getClass(), "receive"), 4_000, Duration.ofSeconds(10),
        Mutator::next, m, ReplicaFuzzTest::check);
    assertThat(ran).isPositive();
  }

  @Test
  void seedsAreCommitted() throws Exception {
    Corpus.checkSeeds(getClass(), "receive", seeds());
  }

  /**
   * Every type of valid message of the history (a few of each), all of them in one input, a
   * share from outside the registry and one of another network.
   */
  static Map<String, byte[]> seeds() throws ProtocolException {
    Map<String, byte[]> seeds = new LinkedHashMap<>();
    Map<String, Integer> perType = new LinkedHashMap<>();
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    for (byte[] wire : HISTORY.messages()) {
      String type = Codec.decode(wire).body().type().wire();
      int n = perType.merge(type, 1, Integer::sum);
      if (n <= 3) {
        seeds.put(type + "-" + n, wire);
      }
    }
    for (int i = 0; i < HISTORY.messages().size(); i += Math.max(1, HISTORY.messages().size() / MAX_MESSAGES)) {
      if (all.size() > 0) {
        all.write(0);
      }
      all.writeBytes(HISTORY.messages().get(i));
    }
    seeds.put("sequence", all.toByteArray());
    seeds.put("outsider-share", TestNet.mined(new Share(NET, OUTSIDER.id(), 1, "virtual", 20_000, 0), OUTSIDER).wire());
    seeds.put("other-net-share", TestNet.mined(new Share("other", A.id(), 13, "virtual", 20_000, 0), A).wire());
    return seeds;
  }
}
