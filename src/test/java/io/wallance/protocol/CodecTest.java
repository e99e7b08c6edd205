package io.wallance.protocol;

import static io.wallance.protocol.Samples.ALICE;
import static io.wallance.protocol.Samples.NET;
import static io.wallance.protocol.Samples.hex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Round trips of every message type and exact canonical bytes. */
class CodecTest {

  static Stream<Signed<? extends Body>> samples() {
    return Samples.all().stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("samples")
  void roundTripKeepsBodyHashAndSignature(Signed<? extends Body> signed) throws Exception {
    byte[] wire = signed.wire();
    Signed<? extends Body> back = Codec.decode(wire);
    assertThat(back.body()).isEqualTo(signed.body());
    assertThat(back.hash()).isEqualTo(signed.hash()).isEqualTo(Crypto.sha256Hex(signed.body().canonical()));
    assertThat(back.bytes()).isEqualTo(signed.bytes());
    assertThat(back.signature()).isEqualTo(signed.signature());
    assertThat(back.wire()).isEqualTo(wire);
    assertThat(back.verifies()).isTrue();
    assertThat(back).isEqualTo(signed);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("samples")
  void wireIsTheBodyThenOneSigLine(Signed<? extends Body> signed) {
    String text = signed.wireText();
    String body = new String(signed.bytes(), java.nio.charset.StandardCharsets.US_ASCII);
    assertThat(text).startsWith("wallance=1\nnet=test\ntype=" + signed.body().type().wire() + "\n");
    assertThat(text).isEqualTo(body + "sig=" + Crypto.hex(signed.signature()) + "\n");
    assertThat(text.length()).isLessThanOrEqualTo(signed.body().type().maxBytes());
    assertThat(text).matches("(?s)[\\x20-\\x7e\\n]*");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("samples")
  void typedDecodeChecksTheType(Signed<? extends Body> signed) throws Exception {
    Class<? extends Body> type = signed.body().getClass();
    assertThat(Codec.decode(signed.wire(), type).body()).isEqualTo(signed.body());
    Class<? extends Body> other = type == Share.class ? Vote.class : Share.class;
    ProtocolException e = catchThrowableOfType(ProtocolException.class, () -> Codec.decode(signed.wire(), other));
    assertThat(e.reason()).isEqualTo(Reason.UNKNOWN_TYPE);
  }

  @Test
  void aSignatureByAnotherKeyStillDecodesButDoesNotVerify() throws Exception {
    Share body = Samples.share();
    Signed<Share> forged = Signed.of(body, Samples.BOB.sign(body.canonical()));
    Signed<? extends Body> back = Codec.decode(forged.wire());
    assertThat(back.body()).isEqualTo(body);
    assertThat(back.verifies()).isFalse();
  }

  @Test
  void signRefusesAKeyThatIsNotTheAuthor() {
    assertThat(catchThrowableOfType(IllegalArgumentException.class, () -> Signed.sign(Samples.share(), Samples.BOB)))
        .isNotNull();
  }

  @Test
  void shareCanonicalBytesVector() {
    Share s = new Share(NET, hex('a'), 7, "virtual", -1250, 3);
    String expected = "wallance=1\nnet=test\ntype=share\nauthor=" + hex('a')
        + "\nseq=7\nsensor=virtual\nreading=-1250\nnonce=3\n";
    assertThat(new String(s.canonical(), java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo(expected);
    assertThat(Crypto.sha256Hex(s.canonical()))
        .isEqualTo("dbeeb427b6f203b2d8003f7c123babcccc323b4c2bbd40eb2cb1f8d4e5056edc");
  }

  @Test
  void voteCanonicalBytesVector() {
    Vote v = new Vote(NET, hex('b'), hex('a'), 1, Crypto.GENESIS, hex('b'), 0);
    assertThat(Crypto.sha256Hex(v.canonical()))
        .isEqualTo("7fa406099957490b67fae623713d223b6087198c8499bbfcf01d8376f596ccc6");
  }

  @Test
  void requestFieldOrderAndRewardList() {
    Request r = Samples.request(List.of(hex('1'), hex('2')));
    String expected = "wallance=1\nnet=test\ntype=request\nbuyer=" + ALICE.id() + "\nepoch=1\nprev=" + hex('a')
        + "\nshares=12\nrewards=" + hex('1') + "," + hex('2') + "\nbalance=16\ncontract=Nespresso\nprice=2\nnonce=42\n";
    assertThat(new String(r.canonical(), java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo(expected);
    assertThat(new String(Samples.request(List.of()).canonical(), java.nio.charset.StandardCharsets.US_ASCII))
        .contains("\nrewards=\n");
  }

  @Test
  void statusCommandAndPullFieldOrder() {
    assertThat(new String(Samples.status().canonical(), java.nio.charset.StandardCharsets.US_ASCII))
        .endsWith("type=status\nnode=" + Samples.BOB.id() + "\nepoch=1\nentries=2\nentry=" + hex('1') + ",10,0,"
            + Crypto.GENESIS + ",0," + Crypto.GENESIS + "\nentry=" + hex('2') + ",0,3," + hex('c') + ",2," + hex('d')
            + "\n");
    assertThat(new String(Samples.command(Command.Action.CANCEL).canonical(),
        java.nio.charset.StandardCharsets.US_ASCII))
        .endsWith("type=command\noperator=" + Samples.OPERATOR.id() + "\nnode=" + ALICE.id()
            + "\ncounter=1\naction=cancel\ncontract=Nespresso\npurchase=17\n");
    assertThat(new String(Samples.pull(Pull.What.REWARDS).canonical(), java.nio.charset.StandardCharsets.US_ASCII))
        .endsWith("type=pull\nnode=" + Samples.BOB.id() + "\nwhat=rewards\nsubject=" + hex('e')
            + "\nfrom=1\nto=64\n");
  }

  @Test
  void largestStatusFitsItsCap() throws Exception {
    List<Status.Entry> entries = new java.util.ArrayList<>();
    for (int i = 0; i < Status.MAX_ENTRIES; i++) {
      String id = String.format("%064x", i + 1);
      entries.add(new Status.Entry(id, Canon.MAX_UINT, Canon.MAX_UINT, hex('f'), Canon.MAX_UINT, hex('e')));
    }
    Signed<Status> s = Signed.sign(new Status(NET, Samples.BOB.id(), Canon.MAX_UINT, entries), Samples.BOB);
    assertThat(s.wire().length).isLessThanOrEqualTo(Codec.MAX_BYTES);
    assertThat(Codec.decode(s.wire()).body()).isEqualTo(s.body());
  }

  @Test
  void maximalRequestWithSixteenRewardsFitsItsCap() throws Exception {
    List<String> rewards = new java.util.ArrayList<>();
    for (int i = 0; i < Request.MAX_REWARDS; i++) {
      rewards.add(String.format("%064x", i + 1));
    }
    Request r = new Request(NET, ALICE.id(), Canon.MAX_UINT, hex('a'), Canon.MAX_UINT, rewards, Canon.MAX_UINT,
        "x".repeat(32), Canon.MAX_UINT, Canon.MAX_UINT);
    Signed<Request> s = Signed.sign(r, ALICE);
    assertThat(s.wire().length).isLessThanOrEqualTo(Body.Type.REQUEST.maxBytes());
    assertThat(Codec.decode(s.wire()).body()).isEqualTo(r);
  }

  @Test
  void extremeIntegersRoundTrip() throws Exception {
    for (long reading : new long[] {0, -1, 1, Canon.MAX_UINT, -Canon.MAX_UINT}) {
      Share s = new Share(NET, ALICE.id(), Canon.MAX_UINT, "t", reading, Canon.MAX_UINT);
      assertThat(Codec.decode(Signed.sign(s, ALICE).wire()).body()).isEqualTo(s);
    }
  }
}
