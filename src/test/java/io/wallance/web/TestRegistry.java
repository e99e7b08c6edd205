package io.wallance.web;

import io.wallance.protocol.Crypto;
import io.wallance.protocol.Registry;
import io.wallance.protocol.Signed;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/** A signed genesis registry with deterministic keys, for tests of the web package. */
record TestRegistry(Registry registry, Signed<Registry> signed, Crypto.KeyPair operator, List<Crypto.KeyPair> members) {

  static TestRegistry of(int n) {
    Crypto.KeyPair operator = key(200);
    List<Crypto.KeyPair> keys = new ArrayList<>();
    List<Registry.Party> members = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      Crypto.KeyPair k = key(i);
      keys.add(k);
      members.add(new Registry.Party(k.id(), "pi" + i));
    }
    members.sort(Comparator.comparing(Registry.Party::id));
    Registry r = new Registry("test", 1, 0, 5, 2, 1, 5, members, List.of(new Registry.Party(operator.id(), "op")),
        Map.of("Nespresso", 2L, "Receipt", 1L), operator.id());
    return new TestRegistry(r, Signed.sign(r, operator), operator, keys);
  }

  static Crypto.KeyPair key(int seed) {
    byte[] bytes = new byte[32];
    bytes[0] = (byte) seed;
    bytes[31] = 7;
    return Crypto.KeyPair.fromSeed(bytes);
  }

  String id(String name) {
    return registry.members().stream().filter(p -> p.name().equals(name)).findFirst().orElseThrow().id();
  }
}
