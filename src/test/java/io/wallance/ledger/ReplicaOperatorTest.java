package io.wallance.ledger;

import static io.wallance.ledger.TestNet.A;
import static io.wallance.ledger.TestNet.B;
import static io.wallance.ledger.TestNet.C;
import static io.wallance.ledger.TestNet.CATALOGUE;
import static io.wallance.ledger.TestNet.MEMBERS;
import static io.wallance.ledger.TestNet.NET;
import static io.wallance.ledger.TestNet.OPERATOR;
import static io.wallance.ledger.TestNet.replica;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.wallance.ledger.LedgerEvent.CommandAccepted;
import io.wallance.ledger.LedgerEvent.Misbehaviour;
import io.wallance.ledger.LedgerEvent.RegistryAdopted;
import io.wallance.ledger.LedgerEvent.Rejected;
import io.wallance.protocol.Command;
import io.wallance.protocol.Crypto;
import io.wallance.protocol.ProtocolException;
import io.wallance.protocol.Reason;
import io.wallance.protocol.Registry;
import io.wallance.protocol.Signed;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Operator commands (signed, addressed, counted durably) and registry epochs. */
class ReplicaOperatorTest {

  static Signed<Command> command(Crypto.KeyPair signer, String operator, String node, long counter) {
    Command c = new Command(NET, operator, node, counter, Command.Action.BUY, "Nespresso", 1);
    return Signed.of(c, signer.sign(c.canonical()));
  }

  static Reason rejection(Effects fx) {
    assertThat(fx.messages()).isEmpty();
    assertThat(fx.events()).singleElement().isInstanceOf(Rejected.class);
    return ((Rejected) fx.events().get(0)).reason();
  }

  @Test
  void aCommandIsAcceptedOnceAndReplaysAreRefused() {
    Replica a = replica(A);
    Signed<Command> first = command(OPERATOR, OPERATOR.id(), A.id(), 1);
    Effects fx = a.receive(first, 1);
    assertThat(fx.messages()).isEmpty();
    assertThat(fx.events()).containsExactly(new CommandAccepted(first.body()));
    assertThat(rejection(a.receive(first, 2))).isEqualTo(Reason.BAD_COMMAND);

    Signed<Command> third = command(OPERATOR, OPERATOR.id(), A.id(), 3);
    assertThat(a.receive(third, 3).events()).containsExactly(new CommandAccepted(third.body()));
    // Counters only move forward: an older, never-seen counter is refused too.
    assertThat(rejection(a.receive(command(OPERATOR, OPERATOR.id(), A.id(), 2), 4))).isEqualTo(Reason.BAD_COMMAND);
    assertThat(rejection(a.receive(third, 5))).isEqualTo(Reason.BAD_COMMAND);

    // The counter is durable: after a restart the replay is still refused.
    Replica restarted = Replica.restart(A, a.state(), Rules.none(), new SignatureCheck(64),
        ReplicaOptions.defaults());
    assertThat(rejection(restarted.receive(third, 6))).isEqualTo(Reason.BAD_COMMAND);
    Signed<Command> fourth = command(OPERATOR, OPERATOR.id(), A.id(), 4);
    assertThat(restarted.receive(fourth, 7).events()).containsExactly(new CommandAccepted(fourth.body()));
  }

  @Test
  void aCommandForAnotherNodeIsRefused() {
    Replica a = replica(A);
    assertThat(rejection(a.receive(command(OPERATOR, OPERATOR.id(), B.id(), 1), 1))).isEqualTo(Reason.BAD_COMMAND);
    // ... and does not consume the counter.
    Signed<Command> mine = command(OPERATOR, OPERATOR.id(), A.id(), 1);
    assertThat(a.receive(mine, 2).events()).containsExactly(new CommandAccepted(mine.body()));
  }

  @Test
  void aCommandNotSignedByAnOperatorIsRefused() {
    Replica a = replica(A);
    // A member (even a rogue cluster member with a valid member key) is not an operator.
    assertThat(rejection(a.receive(command(C, C.id(), A.id(), 1), 1))).isEqualTo(Reason.UNKNOWN_AUTHOR);
    // The operator's name with someone else's signature.
    assertThat(rejection(a.receive(command(C, OPERATOR.id(), A.id(), 1), 1))).isEqualTo(Reason.BAD_SIGNATURE);
    // Another network.
    Command other = new Command("other", OPERATOR.id(), A.id(), 1, Command.Action.BUY, "Nespresso", 1);
    assertThat(rejection(a.receive(Signed.sign(other, OPERATOR), 1))).isEqualTo(Reason.WRONG_NETWORK);
    Signed<Command> ok = command(OPERATOR, OPERATOR.id(), A.id(), 1);
    assertThat(a.receive(ok, 2).events()).containsExactly(new CommandAccepted(ok.body()));
  }

  static Map<String, Long> withTea() {
    Map<String, Long> c = new TreeMap<>(CATALOGUE);
    c.put("Tea", 1L);
    return c;
  }

  @Test
  void anOperatorSignedEpochTwoIsAdopted() {
    Replica a = replica(A);
    Crypto.KeyPair newcomer = TestNet.key(5);
    List<Crypto.KeyPair> members = new ArrayList<>(MEMBERS);
    members.add(newcomer);
    Signed<Registry> two = Signed.sign(TestNet.registry(2, members, List.of(OPERATOR), withTea(), OPERATOR), OPERATOR);
    Effects fx = a.receive(two, 1);
    assertThat(fx.events()).containsExactly(new RegistryAdopted(2));
    assertThat(a.registry().epoch()).isEqualTo(2);
    assertThat(a.registry().price("Tea")).isEqualTo(1L);
    assertThat(a.wallets()).contains(newcomer.id()).hasSize(5);
    // The newcomer's shares now count.
    a.receive(TestNet.share(newcomer, 1, 0), 2);
    assertThat(a.balance(newcomer.id())).isEqualTo(1);
    // Receiving it again changes nothing.
    assertThat(a.receive(two, 3).events()).isEmpty();
  }

  @Test
  void aRegistryNotSignedByAnOperatorOfThePreviousEpochIsRefused() {
    Replica a = replica(A);
    String digest = a.digest();
    // C appoints itself operator of epoch 2 and signs it: valid on its own, but C is no operator of epoch 1.
    Signed<Registry> selfAppointed = Signed.sign(TestNet.registry(2, MEMBERS, List.of(OPERATOR, C), withTea(), C), C);
    assertThat(catchThrowableOfType(ProtocolException.class, () -> selfAppointed.body().validate())).isNull();
    assertThat(rejection(a.receive(selfAppointed, 1))).isEqualTo(Reason.BAD_REGISTRY);
    // The operator's name, C's signature.
    Registry forgedBody = TestNet.registry(2, MEMBERS, List.of(OPERATOR), withTea(), OPERATOR);
    assertThat(rejection(a.receive(Signed.of(forgedBody, C.sign(forgedBody.canonical())), 1)))
        .isEqualTo(Reason.BAD_SIGNATURE);
    assertThat(a.registry().epoch()).isEqualTo(1);
    assertThat(a.registry().price("Tea")).isNull();
    assertThat(a.digest()).isEqualTo(digest);
  }

  @Test
  void aRegistryChangingTheFixedParametersIsRefused() {
    Replica a = replica(A);
    Registry r = TestNet.registry(2, MEMBERS, List.of(OPERATOR), CATALOGUE, OPERATOR);
    Registry otherRate = new Registry(NET, 2, 0, 10, r.reward(), r.difficulty(), r.outdate(), r.members(),
        r.operators(), r.contracts(), r.signer());
    assertThat(rejection(a.receive(Signed.sign(otherRate, OPERATOR), 1))).isEqualTo(Reason.BAD_REGISTRY);
    Registry otherDifficulty = new Registry(NET, 2, 0, r.dcoinRate(), r.reward(), 2, r.outdate(), r.members(),
        r.operators(), r.contracts(), r.signer());
    assertThat(rejection(a.receive(Signed.sign(otherDifficulty, OPERATOR), 1))).isEqualTo(Reason.BAD_REGISTRY);
    assertThat(a.registry().epoch()).isEqualTo(1);
  }

  @Test
  void aRegistryFromTheFutureWaitsForItsPredecessor() {
    Replica a = replica(A);
    Signed<Registry> two = Signed.sign(TestNet.registry(2, MEMBERS, List.of(OPERATOR), CATALOGUE, OPERATOR), OPERATOR);
    Signed<Registry> three = Signed.sign(TestNet.registry(3, MEMBERS, List.of(OPERATOR), withTea(), OPERATOR),
        OPERATOR);
    assertThat(a.receive(three, 1).events()).isEmpty();
    assertThat(a.registry().epoch()).isEqualTo(1);
    assertThat(a.receive(two, 2).events()).containsExactly(new RegistryAdopted(2), new RegistryAdopted(3));
    assertThat(a.registry().epoch()).isEqualTo(3);
  }

  @Test
  void twoRegistriesForOneEpochAreConflictingEvidence() {
    Replica a = replica(A);
    Signed<Registry> two = Signed.sign(TestNet.registry(2, MEMBERS, List.of(OPERATOR), CATALOGUE, OPERATOR), OPERATOR);
    Signed<Registry> twoBis = Signed.sign(TestNet.registry(2, MEMBERS, List.of(OPERATOR), withTea(), OPERATOR),
        OPERATOR);
    a.receive(two, 1);
    Effects fx = a.receive(twoBis, 2);
    assertThat(fx.events()).singleElement().isInstanceOfSatisfying(Misbehaviour.class, m -> {
      assertThat(m.kind()).isEqualTo(Misbehaviour.Kind.CONFLICTING_REGISTRY);
      assertThat(m.offender()).isEqualTo(OPERATOR.id());
    });
    assertThat(a.registry().price("Tea")).as("the first one stays").isNull();
  }

  @Test
  void genesisMustBeEpochOneSignedByItsOwnOperator() {
    Registry g = TestNet.registry(1, MEMBERS, List.of(OPERATOR), CATALOGUE, OPERATOR);
    Signed<Registry> forged = Signed.of(g, C.sign(g.canonical()));
    ProtocolException e = catchThrowableOfType(ProtocolException.class,
        () -> Replica.create(A, forged, Rules.none(), new SignatureCheck(8), ReplicaOptions.defaults()));
    assertThat(e.reason()).isEqualTo(Reason.BAD_REGISTRY);
    Signed<Registry> two = Signed.sign(TestNet.registry(2, MEMBERS, List.of(OPERATOR), CATALOGUE, OPERATOR),
        OPERATOR);
    assertThat(catchThrowableOfType(ProtocolException.class,
        () -> Replica.create(A, two, Rules.none(), new SignatureCheck(8), ReplicaOptions.defaults())).reason())
        .isEqualTo(Reason.BAD_REGISTRY);
  }
}
