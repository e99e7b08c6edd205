package io.wallance.protocol;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/** Fixed keys and one valid body of every message type, for the codec and registry tests. */
final class Samples {
  static final String NET = "test";
  static final Crypto.KeyPair ALICE = key(1);
  static final Crypto.KeyPair BOB = key(2);
  static final Crypto.KeyPair CAROL = key(3);
  static final Crypto.KeyPair OPERATOR = key(9);

  private Samples() {}

  static Crypto.KeyPair key(int n) {
    byte[] seed = new byte[32];
    Arrays.fill(seed, (byte) n);
    return Crypto.KeyPair.fromSeed(seed);
  }

  static String hex(char c) {
    return String.valueOf(c).repeat(64);
  }

  static Share share() {
    return new Share(NET, ALICE.id(), 7, "virtual", -1250, 3);
  }

  static Request request(List<String> rewards) {
    return new Request(NET, ALICE.id(), 1, hex('a'), 12, rewards, 16, "Nespresso", 2, 42);
  }

  static Vote vote() {
    return new Vote(NET, BOB.id(), ALICE.id(), 1, hex('a'), hex('b'), 5);
  }

  static Status status() {
    List<Status.Entry> entries = List.of(
        new Status.Entry(hex('1'), 10, 0, Crypto.GENESIS, 0, Crypto.GENESIS),
        new Status.Entry(hex('2'), 0, 3, hex('c'), 2, hex('d')));
    return new Status(NET, BOB.id(), 1, entries);
  }

  static Pull pull(Pull.What what) {
    return new Pull(NET, BOB.id(), what, hex('e'), 1, 64);
  }

  static Command command(Command.Action action) {
    return new Command(NET, OPERATOR.id(), ALICE.id(), 1, action, "Nespresso", 17);
  }

  static List<Registry.Party> parties(Crypto.KeyPair... keys) {
    return Arrays.stream(keys).sorted(Comparator.comparing(Crypto.KeyPair::id))
        .map(k -> new Registry.Party(k.id(), "n" + k.id().substring(0, 6))).toList();
  }

  static Registry registry() {
    return new Registry(NET, 1, 0, 5, 2, 1, 5, parties(ALICE, BOB, CAROL), parties(OPERATOR),
        Map.of("Nespresso", 2L, "Receipt", 1L), OPERATOR.id());
  }

  /** One signed sample of every type (and every variant of the enum-valued fields). */
  static List<Signed<? extends Body>> all() {
    return List.of(
        Signed.sign(share(), ALICE),
        Signed.sign(request(List.of()), ALICE),
        Signed.sign(request(List.of(hex('1'), hex('2'), hex('f'))), ALICE),
        Signed.sign(vote(), BOB),
        Signed.sign(status(), BOB),
        Signed.sign(new Status(NET, BOB.id(), 3, List.of()), BOB),
        Signed.sign(pull(Pull.What.SHARES), BOB),
        Signed.sign(pull(Pull.What.REQUEST), BOB),
        Signed.sign(pull(Pull.What.CHAIN), BOB),
        Signed.sign(pull(Pull.What.REWARDS), BOB),
        Signed.sign(pull(Pull.What.REGISTRY), BOB),
        Signed.sign(registry(), OPERATOR),
        Signed.sign(command(Command.Action.BUY), OPERATOR),
        Signed.sign(command(Command.Action.CANCEL), OPERATOR),
        Signed.sign(new Pull(NET, BOB.id(), Pull.What.SUMS, hex('e'), 0, Sums.SPACE - 1), BOB),
        Signed.sign(sums(), BOB));
  }

  static Sums sums() {
    List<Sums.Part> parts = new java.util.ArrayList<>();
    for (int i = 0; i < Sums.PARTS; i++) {
      parts.add(i % 5 == 0 ? new Sums.Part(0, Crypto.GENESIS) : new Sums.Part(i * 17L, hex(Character.forDigit(i, 16))));
    }
    return new Sums(NET, BOB.id(), hex('e'), 4096, 8191, parts);
  }

  static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  static String text(byte[] b) {
    return new String(b, StandardCharsets.ISO_8859_1);
  }
}
