package io.wallance.protocol;

import static io.wallance.protocol.Samples.hex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every way the strict decoder refuses input, each with its typed reason. */
class CodecRejectionTest {

  static final String SHARE = Signed.sign(Samples.share(), Samples.ALICE).wireText();
  static final String REQUEST = Signed.sign(Samples.request(List.of(hex('1'), hex('2'))), Samples.ALICE).wireText();
  static final String VOTE = Signed.sign(Samples.vote(), Samples.BOB).wireText();
  static final String STATUS = Signed.sign(Samples.status(), Samples.BOB).wireText();
  static final String PULL = Signed.sign(Samples.pull(Pull.What.SHARES), Samples.BOB).wireText();
  static final String COMMAND = Signed.sign(Samples.command(Command.Action.BUY), Samples.OPERATOR).wireText();
  static final String REGISTRY = Signed.sign(Samples.registry(), Samples.OPERATOR).wireText();
  static final String SUMS = Signed.sign(Samples.sums(), Samples.BOB).wireText();
  static final String SUMS_PULL =
      Signed.sign(new Pull(Samples.NET, Samples.BOB.id(), Pull.What.SUMS, hex('e'), 0, 255), Samples.BOB).wireText();

  static ProtocolException rejection(byte[] wire) {
    ProtocolException e = catchThrowableOfType(ProtocolException.class, () -> Codec.decode(wire));
    assertThat(e).as("decoding must be refused").isNotNull();
    return e;
  }

  static Reason reason(String text) {
    return rejection(text.getBytes(StandardCharsets.ISO_8859_1)).reason();
  }

  /** Replaces the value of the first line with {@code key}. */
  static String set(String text, String key, String value) {
    List<String> lines = lines(text);
    int i = index(lines, key);
    lines.set(i, key + "=" + value);
    return join(lines);
  }

  static String remove(String text, String key) {
    List<String> lines = lines(text);
    lines.remove(index(lines, key));
    return join(lines);
  }

  static String insertBefore(String text, String key, String line) {
    List<String> lines = lines(text);
    lines.add(index(lines, key), line);
    return join(lines);
  }

  static String duplicate(String text, String key) {
    List<String> lines = lines(text);
    int i = index(lines, key);
    lines.add(i, lines.get(i));
    return join(lines);
  }

  static String swap(String text, String a, String b) {
    List<String> lines = lines(text);
    int i = index(lines, a);
    int j = index(lines, b);
    String t = lines.get(i);
    lines.set(i, lines.get(j));
    lines.set(j, t);
    return join(lines);
  }

  static List<String> lines(String text) {
    assertThat(text).endsWith("\n");
    return new ArrayList<>(Arrays.asList(text.substring(0, text.length() - 1).split("\n", -1)));
  }

  static int index(List<String> lines, String key) {
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).startsWith(key + "=")) {
        return i;
      }
    }
    throw new AssertionError("no field " + key);
  }

  static String join(List<String> lines) {
    return String.join("\n", lines) + "\n";
  }

  static String hashes(int n, boolean ascending) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(String.format("%064x", ascending ? i + 1 : n - i));
    }
    return String.join(",", out);
  }

  static String entry(String id, String shares) {
    return id + "," + shares + ",0," + Crypto.GENESIS + ",0," + Crypto.GENESIS;
  }

  static Stream<Arguments> rejections() {
    return Stream.of(
        // --- MALFORMED: bytes and line grammar
        arguments("empty input", "", Reason.MALFORMED),
        arguments("no trailing LF", SHARE.substring(0, SHARE.length() - 1), Reason.MALFORMED),
        arguments("non-ASCII byte", set(SHARE, "sensor", "caf\u00e9"), Reason.MALFORMED),
        arguments("byte 0x80", set(SHARE, "sensor", "a\u0080"), Reason.MALFORMED),
        arguments("DEL", set(SHARE, "sensor", "a\u007f"), Reason.MALFORMED),
        arguments("NUL", set(SHARE, "sensor", "a\u0000"), Reason.MALFORMED),
        arguments("tab", set(SHARE, "sensor", "a\tb"), Reason.MALFORMED),
        arguments("CRLF line ends", SHARE.replace("\n", "\r\n"), Reason.MALFORMED),
        arguments("line without '='", insertBefore(SHARE, "seq", "garbage"), Reason.MALFORMED),
        arguments("empty line", insertBefore(SHARE, "seq", ""), Reason.MALFORMED),
        arguments("empty key", insertBefore(SHARE, "seq", "=7"), Reason.MALFORMED),
        arguments("upper-case key", SHARE.replace("\nseq=", "\nSeq="), Reason.MALFORMED),
        arguments("key with digit", SHARE.replace("\nseq=", "\nseq2="), Reason.MALFORMED),
        arguments("key over 16 letters", insertBefore(SHARE, "seq", "abcdefghijklmnopq=1"), Reason.MALFORMED),
        arguments("space before '='", SHARE.replace("\nseq=", "\nseq ="), Reason.MALFORMED),
        // --- UNKNOWN_VERSION / UNKNOWN_TYPE
        arguments("wallance=2", set(SHARE, "wallance", "2"), Reason.UNKNOWN_VERSION),
        arguments("wallance=0", set(SHARE, "wallance", "0"), Reason.UNKNOWN_VERSION),
        arguments("wallance=01", set(SHARE, "wallance", "01"), Reason.UNKNOWN_VERSION),
        arguments("wallance empty", set(SHARE, "wallance", ""), Reason.UNKNOWN_VERSION),
        arguments("type=coin", set(SHARE, "type", "coin"), Reason.UNKNOWN_TYPE),
        arguments("type=Share", set(SHARE, "type", "Share"), Reason.UNKNOWN_TYPE),
        arguments("type empty", set(SHARE, "type", ""), Reason.UNKNOWN_TYPE),
        arguments("share fields under type=vote", set(SHARE, "type", "vote"), Reason.BAD_FIELDS),
        // --- BAD_FIELDS
        arguments("header out of order", swap(SHARE, "wallance", "net"), Reason.BAD_FIELDS),
        arguments("missing net", remove(SHARE, "net"), Reason.BAD_FIELDS),
        arguments("missing field", remove(SHARE, "seq"), Reason.BAD_FIELDS),
        arguments("missing last field", remove(SHARE, "nonce"), Reason.BAD_FIELDS),
        arguments("unexpected extra field", insertBefore(SHARE, "seq", "extra=1"), Reason.BAD_FIELDS),
        arguments("extra field after sig", SHARE + "extra=1\n", Reason.BAD_FIELDS),
        arguments("reordered fields", swap(SHARE, "sensor", "reading"), Reason.BAD_FIELDS),
        arguments("duplicated field", duplicate(SHARE, "seq"), Reason.BAD_FIELDS),
        arguments("duplicated sig", duplicate(SHARE, "sig"), Reason.BAD_FIELDS),
        arguments("missing sig", remove(SHARE, "sig"), Reason.BAD_FIELDS),
        arguments("only a header", "wallance=1\nnet=test\ntype=share\n", Reason.BAD_FIELDS),
        arguments("fewer entries than counted", set(STATUS, "entries", "3"), Reason.BAD_FIELDS),
        arguments("more entries than counted", set(STATUS, "entries", "1"), Reason.BAD_FIELDS),
        arguments("missing rewards line", remove(REQUEST, "rewards"), Reason.BAD_FIELDS),
        // --- BAD_VALUE: integers
        arguments("leading zero", set(SHARE, "seq", "07"), Reason.BAD_VALUE),
        arguments("negative uint", set(SHARE, "seq", "-7"), Reason.BAD_VALUE),
        arguments("plus sign", set(SHARE, "seq", "+7"), Reason.BAD_VALUE),
        arguments("seq below its range", set(SHARE, "seq", "0"), Reason.BAD_VALUE),
        arguments("uint over MAX_UINT", set(SHARE, "seq", "9007199254740992"), Reason.BAD_VALUE),
        arguments("17 digits", set(SHARE, "seq", "10000000000000000"), Reason.BAD_VALUE),
        arguments("20 digits", set(SHARE, "nonce", "99999999999999999999"), Reason.BAD_VALUE),
        arguments("empty integer", set(SHARE, "seq", ""), Reason.BAD_VALUE),
        arguments("spaces around integer", set(SHARE, "seq", " 7"), Reason.BAD_VALUE),
        arguments("hex integer", set(SHARE, "seq", "0x7"), Reason.BAD_VALUE),
        arguments("negative zero", set(SHARE, "reading", "-0"), Reason.BAD_VALUE),
        arguments("signed leading zero", set(SHARE, "reading", "-01"), Reason.BAD_VALUE),
        arguments("sint below range", set(SHARE, "reading", "-9007199254740992"), Reason.BAD_VALUE),
        arguments("epoch 0", set(REQUEST, "epoch", "0"), Reason.BAD_VALUE),
        arguments("price 0", set(REQUEST, "price", "0"), Reason.BAD_VALUE),
        arguments("command counter 0", set(COMMAND, "counter", "0"), Reason.BAD_VALUE),
        // --- BAD_VALUE: hex and names
        arguments("upper-case hex", set(SHARE, "author", Samples.ALICE.id().toUpperCase()), Reason.BAD_VALUE),
        arguments("short hex", set(SHARE, "author", Samples.ALICE.id().substring(1)), Reason.BAD_VALUE),
        arguments("long hex", set(SHARE, "author", Samples.ALICE.id() + "0"), Reason.BAD_VALUE),
        arguments("non-hex digit", set(VOTE, "request", "g" + hex('b').substring(1)), Reason.BAD_VALUE),
        arguments("upper-case sig", set(SHARE, "sig", "AB".repeat(64)), Reason.BAD_VALUE),
        arguments("sig not hex", set(SHARE, "sig", "zz".repeat(64)), Reason.BAD_VALUE),
        arguments("short sig", set(SHARE, "sig", "ab".repeat(63)), Reason.BAD_VALUE),
        arguments("name too long", set(SHARE, "sensor", "s".repeat(33)), Reason.BAD_VALUE),
        arguments("name with space", set(SHARE, "sensor", "cpu temp"), Reason.BAD_VALUE),
        arguments("name with comma", set(SHARE, "sensor", "a,b"), Reason.BAD_VALUE),
        arguments("empty name", set(SHARE, "sensor", ""), Reason.BAD_VALUE),
        arguments("network with slash", set(SHARE, "net", "a/b"), Reason.BAD_VALUE),
        arguments("network too long", set(SHARE, "net", "n".repeat(33)), Reason.BAD_VALUE),
        arguments("contract with bad chars", set(REQUEST, "contract", "Nes<presso>"), Reason.BAD_VALUE),
        // --- BAD_VALUE: rewards
        arguments("rewards not ascending", set(REQUEST, "rewards", hashes(3, false)), Reason.BAD_VALUE),
        arguments("rewards duplicated", set(REQUEST, "rewards", hex('1') + "," + hex('1')), Reason.BAD_VALUE),
        arguments("17 rewards", set(REQUEST, "rewards", hashes(17, true)), Reason.BAD_VALUE),
        arguments("reward not hex", set(REQUEST, "rewards", hex('1') + ",xyz"), Reason.BAD_VALUE),
        arguments("reward trailing comma", set(REQUEST, "rewards", hex('1') + ","), Reason.BAD_VALUE),
        arguments("reward lone comma", set(REQUEST, "rewards", ","), Reason.BAD_VALUE),
        arguments("reward upper-case", set(REQUEST, "rewards", hex('A')), Reason.BAD_VALUE),
        // --- BAD_VALUE: pull, command
        arguments("pull to < from", set(set(PULL, "from", "5"), "to", "4"), Reason.BAD_VALUE),
        arguments("unknown pull kind", set(PULL, "what", "everything"), Reason.BAD_VALUE),
        arguments("upper-case pull kind", set(PULL, "what", "SHARES"), Reason.BAD_VALUE),
        arguments("sums pull not a bucket width", set(SUMS_PULL, "to", "254"), Reason.BAD_VALUE),
        arguments("sums pull not aligned", set(set(SUMS_PULL, "from", "16"), "to", "271"), Reason.BAD_VALUE),
        arguments("sums pull beyond the space", set(set(SUMS_PULL, "from", "16777216"), "to", "16777231"),
            Reason.BAD_VALUE),
        arguments("sums not aligned", set(set(SUMS, "from", "4095"), "to", "8190"), Reason.BAD_VALUE),
        arguments("sums width 1", set(set(SUMS, "from", "7"), "to", "7"), Reason.BAD_VALUE),
        arguments("sums to beyond the space", set(SUMS, "to", "16777216"), Reason.BAD_VALUE),
        arguments("sums part without digest", set(SUMS, "part", "0"), Reason.BAD_VALUE),
        arguments("sums part count not canonical", set(SUMS, "part", "00," + hex('0')), Reason.BAD_VALUE),
        arguments("sums part negative", set(SUMS, "part", "-1," + hex('0')), Reason.BAD_VALUE),
        arguments("sums part upper-case", set(SUMS, "part", "1," + hex('A')), Reason.BAD_VALUE),
        arguments("sums missing a part", remove(SUMS, "part"), Reason.BAD_FIELDS),
        arguments("sums voter not hex", set(SUMS, "voter", "xyz"), Reason.BAD_VALUE),
        arguments("unknown command action", set(COMMAND, "action", "sell"), Reason.BAD_VALUE),
        arguments("upper-case command action", set(COMMAND, "action", "BUY"), Reason.BAD_VALUE),
        arguments("command purchase 0", set(COMMAND, "purchase", "0"), Reason.BAD_VALUE),
        // --- BAD_VALUE: status
        arguments("status entries not ascending", STATUS.replace(hex('1') + ",", "X").replace(hex('2') + ",",
            hex('1') + ",").replace("X", hex('2') + ","), Reason.BAD_VALUE),
        arguments("status entries duplicated", STATUS.replace(hex('2') + ",", hex('1') + ","), Reason.BAD_VALUE),
        arguments("status over 128 entries", set(STATUS, "entries", "129"), Reason.BAD_VALUE),
        arguments("status entry with 5 parts", set(STATUS, "entry", hex('1') + ",1,0,0," + hex('0')),
            Reason.BAD_VALUE),
        arguments("status counter leading zero", set(STATUS, "entry", entry(hex('1'), "01")), Reason.BAD_VALUE),
        arguments("status counter negative", set(STATUS, "entry", entry(hex('1'), "-1")), Reason.BAD_VALUE),
        arguments("status counter plus", set(STATUS, "entry", entry(hex('1'), "+1")), Reason.BAD_VALUE),
        arguments("status counter not a number", set(STATUS, "entry", entry(hex('1'), "x")), Reason.BAD_VALUE),
        arguments("status counter overflow", set(STATUS, "entry", entry(hex('1'), "99999999999999999999")),
            Reason.BAD_VALUE),
        arguments("status entry id upper-case", set(STATUS, "entry", entry(hex('A'), "1")), Reason.BAD_VALUE),
        // --- registry
        arguments("registry contract price 0", REGISTRY.replace("contract=Receipt,1", "contract=Receipt,0"),
            Reason.BAD_VALUE),
        arguments("registry contract price leading zero", REGISTRY.replace("contract=Receipt,1",
            "contract=Receipt,01"), Reason.BAD_VALUE),
        arguments("registry contracts not ascending", REGISTRY.replace("contract=Nespresso,2", "contract=X,2")
            .replace("contract=Receipt,1", "contract=Nespresso,2").replace("contract=X,2", "contract=Receipt,1"),
            Reason.BAD_VALUE),
        arguments("registry member without name", REGISTRY.replaceFirst("member=([0-9a-f]{64}),[^\n]*",
            "member=$1"), Reason.BAD_VALUE),
        arguments("registry with no members", set(REGISTRY, "members", "0"), Reason.BAD_VALUE),
        arguments("registry quorum below safe", set(REGISTRY, "quorum", "1"), Reason.BAD_REGISTRY),
        arguments("registry quorum above N", set(REGISTRY, "quorum", "4"), Reason.BAD_REGISTRY),
        arguments("registry members unsorted", swapMembers(REGISTRY), Reason.BAD_REGISTRY),
        arguments("registry difficulty 9", set(REGISTRY, "difficulty", "9"), Reason.BAD_VALUE),
        arguments("registry rate 0", set(REGISTRY, "rate", "0"), Reason.BAD_VALUE),
        arguments("registry contract price over cap", REGISTRY.replace("contract=Receipt,1",
            "contract=Receipt,9999999"), Reason.BAD_REGISTRY));
  }

  static String swapMembers(String registry) {
    List<String> lines = lines(registry);
    int i = index(lines, "member");
    String t = lines.get(i);
    lines.set(i, lines.get(i + 1));
    lines.set(i + 1, t);
    return join(lines);
  }

  @ParameterizedTest(name = "{0} -> {2}")
  @MethodSource("rejections")
  void refusedWithItsReason(String description, String wire, Reason expected) {
    assertThat(reason(wire)).as(description).isEqualTo(expected);
  }

  @Test
  void theMutationHelpersLeaveValidMessagesValid() throws Exception {
    // Guards the table above: the unmutated samples decode, so each rejection is due to its mutation.
    for (String wire : List.of(SHARE, REQUEST, VOTE, STATUS, PULL, COMMAND, REGISTRY, SUMS, SUMS_PULL)) {
      assertThat(Codec.decode(wire.getBytes(StandardCharsets.US_ASCII)).wireText()).isEqualTo(wire);
      assertThat(Codec.decode(set(wire, "net", "test").getBytes(StandardCharsets.US_ASCII))).isNotNull();
    }
    assertThat(Codec.decode(set(REQUEST, "rewards", hashes(16, true)).getBytes(StandardCharsets.US_ASCII)))
        .isNotNull();
    assertThat(Codec.decode(set(REQUEST, "rewards", "").getBytes(StandardCharsets.US_ASCII))).isNotNull();
    assertThat(Codec.decode(set(set(PULL, "from", "5"), "to", "5").getBytes(StandardCharsets.US_ASCII)))
        .isNotNull();
    assertThat(Codec.decode(set(SHARE, "reading", "-9007199254740991").getBytes(StandardCharsets.US_ASCII)))
        .isNotNull();
    assertThat(Codec.decode(set(REGISTRY, "quorum", "3").getBytes(StandardCharsets.US_ASCII))).isNotNull();
    assertThat(Codec.decode(set(REGISTRY, "quorum", "2").getBytes(StandardCharsets.US_ASCII))).isNotNull();
  }

  @Test
  void overTheGlobalCapIsTooLargeBeforeAnythingElse() {
    byte[] big = new byte[Codec.MAX_BYTES + 1];
    Arrays.fill(big, (byte) 0xff);
    assertThat(rejection(big).reason()).isEqualTo(Reason.TOO_LARGE);
    // A well-formed status padded over 32 KiB.
    String padded = STATUS + "x".repeat(Codec.MAX_BYTES);
    assertThat(reason(padded)).isEqualTo(Reason.TOO_LARGE);
    // Exactly at the cap the size is not the reason.
    byte[] atCap = new byte[Codec.MAX_BYTES];
    Arrays.fill(atCap, (byte) 'a');
    atCap[atCap.length - 1] = '\n';
    assertThat(rejection(atCap).reason()).isEqualTo(Reason.MALFORMED);
  }

  @Test
  void overATypesOwnCapIsTooLarge() {
    for (Body.Type type : Body.Type.values()) {
      if (type.maxBytes() >= Codec.MAX_BYTES) {
        continue;
      }
      String header = "wallance=1\nnet=test\ntype=" + type.wire() + "\n";
      String oversized = header + "pad=" + "x".repeat(type.maxBytes() - header.length() - 4) + "\n";
      assertThat(oversized.length()).isEqualTo(type.maxBytes() + 1);
      assertThat(reason(oversized)).as(type.wire()).isEqualTo(Reason.TOO_LARGE);
      String atCap = header + "pad=" + "x".repeat(type.maxBytes() - header.length() - 5) + "\n";
      assertThat(atCap.length()).isEqualTo(type.maxBytes());
      assertThat(reason(atCap)).as(type.wire() + " at cap").isEqualTo(Reason.BAD_FIELDS);
    }
    // A real vote with a padding line in the middle: too large wins over the misplaced field.
    String vote = insertBefore(VOTE, "voter", "pad=" + "x".repeat(Body.Type.VOTE.maxBytes()));
    assertThat(reason(vote)).isEqualTo(Reason.TOO_LARGE);
  }
}
