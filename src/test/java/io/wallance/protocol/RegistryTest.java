package io.wallance.protocol;

import static io.wallance.protocol.Samples.ALICE;
import static io.wallance.protocol.Samples.BOB;
import static io.wallance.protocol.Samples.CAROL;
import static io.wallance.protocol.Samples.NET;
import static io.wallance.protocol.Samples.OPERATOR;
import static io.wallance.protocol.Samples.hex;
import static io.wallance.protocol.Samples.parties;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RegistryTest {
  private static final Map<String, Long> CATALOGUE = Map.of("Nespresso", 2L, "Receipt", 1L);

  /** A registry with defaults; the builder-like helpers below change one thing each. */
  record R(String net, long epoch, long quorum, long rate, long reward, long difficulty, long outdate,
      List<Registry.Party> members, List<Registry.Party> operators, Map<String, Long> contracts, String signer) {
    static R of() {
      return new R(NET, 1, 0, 5, 2, 1, 5, parties(ALICE, BOB, CAROL), parties(OPERATOR), CATALOGUE, OPERATOR.id());
    }

    Registry build() {
      return new Registry(net, epoch, quorum, rate, reward, difficulty, outdate, members, operators, contracts,
          signer);
    }
  }

  static Reason invalid(Registry r) {
    ProtocolException e = catchThrowableOfType(ProtocolException.class, r::validate);
    assertThat(e).as("must be refused: %s", r).isNotNull();
    return e.reason();
  }

  static List<Registry.Party> synthetic(int n) {
    List<Registry.Party> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(new Registry.Party(String.format("%064x", i + 1), "pi-" + (i + 1)));
    }
    return out;
  }

  @Test
  void quorumTableForThreeToThirtyOneMembers() {
    for (int n = 3; n <= 31; n++) {
      int f = (n - 1) / 3;
      int q = (int) Math.ceil((n + f + 1) / 2.0);
      assertThat(Registry.tolerated(n)).as("f(%d)", n).isEqualTo(f);
      assertThat(Registry.safeQuorum(n)).as("q(%d)", n).isEqualTo(q);
      // Safety: any two quorums share at least f+1 members, so at least one honest member.
      assertThat(2 * q - n).as("intersection at N=%d", n).isGreaterThanOrEqualTo(f + 1);
      // Minimality: one less and two quorums could share only f members (all of them liars).
      assertThat(2 * (q - 1) - n).as("q-1 at N=%d", n).isLessThan(f + 1);
      // Liveness: with f members down, the rest still form a quorum.
      assertThat(n - q).as("crashes tolerated at N=%d", n).isGreaterThanOrEqualTo(f);
      assertThat(q).isLessThanOrEqualTo(n);
      // The quorum in force for a registry of n members is the safe one.
      Registry r = new Registry(NET, 1, 0, 5, 2, 1, 5, synthetic(n), parties(OPERATOR), CATALOGUE, OPERATOR.id());
      assertThatCode(r::validate).doesNotThrowAnyException();
      assertThat(r.quorumSize()).isEqualTo(q);
    }
  }

  @Test
  void quorumTableSpotValues() {
    // N: {f, quorum, crashes tolerated = N - quorum}
    int[][] table = {{1, 0, 1}, {2, 0, 2}, {3, 0, 2}, {4, 1, 3}, {5, 1, 4}, {6, 1, 4}, {7, 2, 5}, {8, 2, 6},
        {10, 3, 7}, {31, 10, 21}};
    for (int[] row : table) {
      assertThat(Registry.tolerated(row[0])).as("f(%d)", row[0]).isEqualTo(row[1]);
      assertThat(Registry.safeQuorum(row[0])).as("q(%d)", row[0]).isEqualTo(row[2]);
    }
    // 3 Pis tolerate one crash but no liar.
    assertThat(Registry.tolerated(3)).isZero();
    assertThat(3 - Registry.safeQuorum(3)).isEqualTo(1);
  }

  @Test
  void theDefaultRegistryIsValid() {
    assertThatCode(() -> R.of().build().validate()).doesNotThrowAnyException();
  }

  @Test
  void quorumMayOnlyBeRaised() throws Exception {
    R base = R.of(); // N = 3, safe quorum 2
    Registry below = new R(base.net(), 1, 1, 5, 2, 1, 5, base.members(), base.operators(), CATALOGUE,
        OPERATOR.id()).build();
    assertThat(invalid(below)).isEqualTo(Reason.BAD_REGISTRY);
    Registry above = new R(base.net(), 1, 4, 5, 2, 1, 5, base.members(), base.operators(), CATALOGUE,
        OPERATOR.id()).build();
    assertThat(invalid(above)).isEqualTo(Reason.BAD_REGISTRY);
    for (long q : new long[] {0, 2, 3}) {
      Registry ok = new R(base.net(), 1, q, 5, 2, 1, 5, base.members(), base.operators(), CATALOGUE,
          OPERATOR.id()).build();
      ok.validate();
      assertThat(ok.quorumSize()).isEqualTo(q == 0 ? 2 : q);
    }
    // N = 7: safe quorum 5; 4 refused.
    Registry seven = new Registry(NET, 1, 4, 5, 2, 1, 5, synthetic(7), parties(OPERATOR), CATALOGUE, OPERATOR.id());
    assertThat(invalid(seven)).isEqualTo(Reason.BAD_REGISTRY);
  }

  @Test
  void membersAndOperatorsMustBeSortedDistinctAndValid() {
    List<Registry.Party> sorted = parties(ALICE, BOB, CAROL);
    List<Registry.Party> reversed = new ArrayList<>(sorted);
    java.util.Collections.reverse(reversed);
    List<Registry.Party> duplicated = List.of(sorted.get(0), sorted.get(0), sorted.get(1));
    List<Registry.Party> badName = List.of(new Registry.Party(sorted.get(0).id(), "bad name"));
    // A name is shown on the dashboard: markup can never be one (the page escapes anyway).
    List<Registry.Party> htmlName = List.of(new Registry.Party(sorted.get(0).id(), "<b>pi1</b>"));
    List<Registry.Party> badId = List.of(new Registry.Party(sorted.get(0).id().toUpperCase(), "x"));
    for (List<Registry.Party> members : List.of(reversed, duplicated, badName, htmlName, badId, List.<Registry.Party>of(),
        synthetic(Registry.MAX_MEMBERS + 1))) {
      Registry r = new Registry(NET, 1, 0, 5, 2, 1, 5, members, parties(OPERATOR), CATALOGUE, OPERATOR.id());
      assertThat(invalid(r)).as("members %s", members.size()).isEqualTo(Reason.BAD_REGISTRY);
    }
    List<Registry.Party> ops = new ArrayList<>(parties(OPERATOR, ALICE));
    java.util.Collections.reverse(ops);
    assertThat(invalid(new Registry(NET, 1, 0, 5, 2, 1, 5, sorted, ops, CATALOGUE, OPERATOR.id())))
        .isEqualTo(Reason.BAD_REGISTRY);
    assertThat(invalid(new Registry(NET, 1, 0, 5, 2, 1, 5, sorted, List.of(), CATALOGUE, OPERATOR.id())))
        .isEqualTo(Reason.BAD_REGISTRY);
    assertThat(invalid(new Registry(NET, 1, 0, 5, 2, 1, 5, sorted, synthetic(Registry.MAX_OPERATORS + 1),
        CATALOGUE, String.format("%064x", 1)))).isEqualTo(Reason.BAD_REGISTRY);
    // 64 members is allowed.
    assertThatCode(() -> new Registry(NET, 1, 0, 5, 2, 1, 5, synthetic(Registry.MAX_MEMBERS), parties(OPERATOR),
        CATALOGUE, OPERATOR.id()).validate()).doesNotThrowAnyException();
  }

  @Test
  void aGenesisSignerMustBeOneOfItsOwnOperators() {
    Registry notOperator = new Registry(NET, 1, 0, 5, 2, 1, 5, parties(ALICE, BOB, CAROL), parties(OPERATOR),
        CATALOGUE, ALICE.id());
    assertThatCode(notOperator::validate).as("the signer of a later epoch need not stay an operator")
        .doesNotThrowAnyException();
    assertThatThrownBy(notOperator::validateGenesis).isInstanceOf(ProtocolException.class)
        .extracting(e -> ((ProtocolException) e).reason()).isEqualTo(Reason.BAD_REGISTRY);
    Registry epoch2 = new Registry(NET, 2, 0, 5, 2, 1, 5, parties(ALICE, BOB, CAROL), parties(OPERATOR), CATALOGUE,
        OPERATOR.id());
    assertThatThrownBy(epoch2::validateGenesis).as("genesis is epoch 1").isInstanceOf(ProtocolException.class);
  }

  @Test
  void parametersOutOfRangeAreRefused() {
    List<Registry.Party> m = parties(ALICE, BOB, CAROL);
    List<Registry.Party> o = parties(OPERATOR);
    String s = OPERATOR.id();
    List<Registry> bad = List.of(
        new Registry(NET, 1, 0, 0, 2, 1, 5, m, o, CATALOGUE, s), // rate 0
        new Registry(NET, 1, 0, 1_000_001, 2, 1, 5, m, o, CATALOGUE, s),
        new Registry(NET, 1, 0, 5, -1, 1, 5, m, o, CATALOGUE, s), // negative reward
        new Registry(NET, 1, 0, 5, 1_000_001, 1, 5, m, o, CATALOGUE, s),
        new Registry(NET, 1, 0, 5, 2, -1, 5, m, o, CATALOGUE, s),
        new Registry(NET, 1, 0, 5, 2, 9, 5, m, o, CATALOGUE, s), // difficulty 9
        new Registry(NET, 1, 0, 5, 2, 1, 0, m, o, CATALOGUE, s), // outdate 0
        new Registry(NET, 1, 0, 5, 2, 1, 1001, m, o, CATALOGUE, s),
        new Registry(NET, 0, 0, 5, 2, 1, 5, m, o, CATALOGUE, s), // epoch 0
        new Registry("bad net", 1, 0, 5, 2, 1, 5, m, o, CATALOGUE, s),
        new Registry(NET, 1, 0, 5, 2, 1, 5, m, o, Map.of("Nespresso", 0L), s), // price 0
        new Registry(NET, 1, 0, 5, 2, 1, 5, m, o, Map.of("Nespresso", 1_000_001L), s),
        new Registry(NET, 1, 0, 5, 2, 1, 5, m, o, Map.of("bad name", 1L), s),
        new Registry(NET, 1, 0, 5, 2, 1, 5, m, o, manyContracts(Registry.MAX_CONTRACTS + 1), s));
    for (Registry r : bad) {
      assertThat(invalid(r)).isEqualTo(Reason.BAD_REGISTRY);
    }
    // The boundaries themselves are accepted.
    for (Registry ok : List.of(
        new Registry(NET, 1, 0, 1, 0, 0, 1, m, o, Map.of(), s),
        new Registry(NET, 1, 0, 1_000_000, 1_000_000, 8, 1000, m, o, manyContracts(Registry.MAX_CONTRACTS), s))) {
      assertThatCode(ok::validate).doesNotThrowAnyException();
    }
  }

  static Map<String, Long> manyContracts(int n) {
    Map<String, Long> out = new TreeMap<>();
    for (int i = 0; i < n; i++) {
      out.put("c" + i, (long) i + 1);
    }
    return out;
  }

  @Test
  void successorMustBeTheNextEpochOfTheSameNetworkSignedByAPreviousOperator() throws Exception {
    Registry genesis = R.of().build();
    Crypto.KeyPair newOperator = Samples.key(10);
    List<Registry.Party> bothOperators = parties(OPERATOR, newOperator);
    Registry next = new Registry(NET, 2, 0, 5, 2, 1, 5, parties(ALICE, BOB, CAROL), bothOperators, CATALOGUE,
        OPERATOR.id());
    next.validateSuccessorOf(genesis);

    // Signed by an operator listed only in the new epoch: refused.
    Registry selfAppointed = new Registry(NET, 2, 0, 5, 2, 1, 5, parties(ALICE, BOB, CAROL), bothOperators,
        CATALOGUE, newOperator.id());
    selfAppointed.validate(); // valid on its own ...
    assertThat(catchThrowableOfType(ProtocolException.class, () -> selfAppointed.validateSuccessorOf(genesis))
        .reason()).isEqualTo(Reason.BAD_REGISTRY); // ... but not as a successor
    // ... and it is fine to follow it once it is in force.
    Registry third = new Registry(NET, 3, 0, 5, 2, 1, 5, parties(ALICE, BOB), parties(newOperator), CATALOGUE,
        newOperator.id());
    third.validateSuccessorOf(next);

    for (Registry wrongEpoch : List.of(
        new Registry(NET, 1, 0, 5, 2, 1, 5, parties(ALICE, BOB, CAROL), parties(OPERATOR), CATALOGUE, OPERATOR.id()),
        new Registry(NET, 3, 0, 5, 2, 1, 5, parties(ALICE, BOB, CAROL), parties(OPERATOR), CATALOGUE,
            OPERATOR.id()))) {
      assertThat(catchThrowableOfType(ProtocolException.class, () -> wrongEpoch.validateSuccessorOf(genesis))
          .reason()).isEqualTo(Reason.BAD_REGISTRY);
    }
    Registry otherNet = new Registry("other", 2, 0, 5, 2, 1, 5, parties(ALICE, BOB, CAROL), parties(OPERATOR),
        CATALOGUE, OPERATOR.id());
    assertThat(catchThrowableOfType(ProtocolException.class, () -> otherNet.validateSuccessorOf(genesis)).reason())
        .isEqualTo(Reason.BAD_REGISTRY);
    // A successor that is invalid on its own is refused too.
    Registry badQuorum = new Registry(NET, 2, 1, 5, 2, 1, 5, parties(ALICE, BOB, CAROL), parties(OPERATOR),
        CATALOGUE, OPERATOR.id());
    assertThat(catchThrowableOfType(ProtocolException.class, () -> badQuorum.validateSuccessorOf(genesis)).reason())
        .isEqualTo(Reason.BAD_REGISTRY);
  }

  @Test
  void catalogueDigestIsStableAndPriceSensitive() {
    Map<String, Long> forward = new LinkedHashMap<>();
    forward.put("Nespresso", 2L);
    forward.put("Receipt", 1L);
    Map<String, Long> backward = new LinkedHashMap<>();
    backward.put("Receipt", 1L);
    backward.put("Nespresso", 2L);
    String expected = "b81622bf145a2dfb06510f5fcf3b792e54556e4535de331f04fb97d1733e58ba"; // sha256sum of the text
    assertThat(withContracts(forward).catalogueDigest()).isEqualTo(expected);
    assertThat(withContracts(backward).catalogueDigest()).isEqualTo(expected);
    assertThat(Crypto.sha256Hex("name=Nespresso\nprice=2\nname=Receipt\nprice=1\n".getBytes(StandardCharsets.US_ASCII)))
        .isEqualTo(expected);
    assertThat(withContracts(Map.of("Nespresso", 3L, "Receipt", 1L)).catalogueDigest())
        .isEqualTo("4ce5598fca643cde5cdbf50959f6c905e3aa34cefb78fc8ef3042ad4a5c5e17f");
    assertThat(withContracts(Map.of("Nespresso", 2L)).catalogueDigest()).isNotEqualTo(expected);
    assertThat(withContracts(Map.of("Nespresso", 2L, "Receipt", 1L, "Tea", 1L)).catalogueDigest())
        .isNotEqualTo(expected);
    assertThat(withContracts(Map.of()).catalogueDigest())
        .isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  }

  static Registry withContracts(Map<String, Long> contracts) {
    return new Registry(NET, 1, 0, 5, 2, 1, 5, parties(ALICE), parties(OPERATOR), contracts, OPERATOR.id());
  }

  @Test
  void canonicalBytesAndHashVector() throws Exception {
    String op = hex('9');
    Registry r = new Registry(NET, 1, 0, 5, 2, 1, 5,
        List.of(new Registry.Party(hex('1'), "pi-1"), new Registry.Party(hex('2'), "pi-2"),
            new Registry.Party(hex('3'), "pi-3"), new Registry.Party(hex('4'), "pi-4")),
        List.of(new Registry.Party(op, "pc")), Map.of("Receipt", 1L, "Nespresso", 2L), op);
    String expected = "wallance=1\nnet=test\ntype=registry\nepoch=1\nquorum=0\nrate=5\nreward=2\ndifficulty=1\n"
        + "outdate=5\nmembers=4\nmember=" + hex('1') + ",pi-1\nmember=" + hex('2') + ",pi-2\nmember=" + hex('3')
        + ",pi-3\nmember=" + hex('4') + ",pi-4\noperators=1\noperator=" + op + ",pc\ncontracts=2\n"
        + "contract=Nespresso,2\ncontract=Receipt,1\nsigner=" + op + "\n";
    assertThat(new String(r.canonical(), StandardCharsets.US_ASCII)).isEqualTo(expected);
    assertThat(Crypto.sha256Hex(r.canonical()))
        .isEqualTo("85aab2cd621c6afc2111702224620cab19d8994344813cb8d569205bf8b2bbbd");
    r.validate();
    assertThat(r.quorumSize()).isEqualTo(3);
    // The decoder gives back the same registry from the wire (any 64-byte signature: decoding checks syntax only).
    Signed<Registry> s = Signed.of(r, new byte[64]);
    assertThat(Codec.decode(s.wire(), Registry.class).body()).isEqualTo(r);
  }

  @Test
  void lookups() {
    Registry r = R.of().build();
    assertThat(r.isMember(ALICE.id())).isTrue();
    assertThat(r.isMember(OPERATOR.id())).isFalse();
    assertThat(r.member(BOB.id()).id()).isEqualTo(BOB.id());
    assertThat(r.member(OPERATOR.id())).isNull();
    assertThat(r.operator(OPERATOR.id())).isNotNull();
    assertThat(r.operator(ALICE.id())).isNull();
    assertThat(r.price("Nespresso")).isEqualTo(2L);
    assertThat(r.price("Latte")).isNull();
    assertThat(r.author()).isEqualTo(OPERATOR.id());
    for (Registry.Party p : synthetic(31)) {
      assertThat(new Registry(NET, 1, 0, 5, 2, 1, 5, synthetic(31), parties(OPERATOR), CATALOGUE, OPERATOR.id())
          .isMember(p.id())).isTrue();
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 4, 5, 64})
  void contractsAreKeptSortedWhateverTheInputOrder(int n) {
    Map<String, Long> c = new LinkedHashMap<>();
    for (int i = n; i >= 1; i--) {
      c.put("c" + String.format("%02d", i), (long) i);
    }
    assertThat(new ArrayList<>(withContracts(c).contracts().keySet())).isSorted().hasSize(n);
  }
}
