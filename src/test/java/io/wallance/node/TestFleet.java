package io.wallance.node;

import io.wallance.protocol.Command;
import io.wallance.protocol.Crypto;
import io.wallance.protocol.Registry;
import io.wallance.protocol.Signed;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/** Deterministic keys and a signed genesis registry for tests of the node on one plain Vert.x. */
final class TestFleet {

  static final String NET = "unit";

  final List<Crypto.KeyPair> members = new ArrayList<>();
  final Crypto.KeyPair operator = key(99);
  final Signed<Registry> genesis;

  TestFleet(int n) {
    for (int i = 1; i <= n; i++) {
      members.add(key(i));
    }
    List<Registry.Party> parties = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      parties.add(new Registry.Party(members.get(i).id(), "pi" + (i + 1)));
    }
    parties.sort(Comparator.comparing(Registry.Party::id));
    Registry registry = new Registry(NET, 1, 0, 5, 2, 1, 5, parties,
        List.of(new Registry.Party(operator.id(), "op")), Map.of("Nespresso", 2L, "Receipt", 1L), operator.id());
    genesis = Signed.sign(registry, operator);
  }

  static Crypto.KeyPair key(int seed) {
    byte[] bytes = new byte[32];
    Arrays.fill(bytes, (byte) seed);
    return Crypto.KeyPair.fromSeed(bytes);
  }

  Signed<Command> command(Crypto.KeyPair signer, Crypto.KeyPair node, long counter, Command.Action action,
      String contract, long purchase) {
    return Signed.sign(new Command(NET, signer.id(), node.id(), counter, action, contract, purchase), signer);
  }
}
