package io.wallance.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Transport frames of several messages ({@link Frames}, PROTOCOL.md 4.8). */
class FramesTest {

  private static byte[] concat(List<byte[]> parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    parts.forEach(out::writeBytes);
    return out.toByteArray();
  }

  @Test
  void aFrameOfOneMessageIsThatMessageUnchanged() throws Exception {
    for (Signed<? extends Body> s : Samples.all()) {
      byte[] wire = s.wire();
      assertThat(Frames.split(wire)).singleElement().isSameAs(wire);
    }
  }

  @Test
  void aFrameOfSeveralMessagesSplitsIntoEachOfThemInOrder() throws Exception {
    List<Signed<? extends Body>> all = Samples.all();
    Random random = new Random(7);
    for (int round = 0; round < 200; round++) {
      List<byte[]> messages = new ArrayList<>();
      for (int n = 1 + random.nextInt(12); n > 0; n--) {
        messages.add(all.get(random.nextInt(all.size())).wire());
      }
      List<byte[]> parts = Frames.split(concat(messages));
      assertThat(parts).hasSameSizeAs(messages);
      for (int i = 0; i < parts.size(); i++) {
        assertThat(parts.get(i)).isEqualTo(messages.get(i));
        assertThat(Codec.decode(parts.get(i)).wire()).isEqualTo(messages.get(i));
      }
    }
  }

  @Test
  void aMalformedPartFailsAloneAndTheOthersStillDecode() throws Exception {
    byte[] share = Samples.all().get(0).wire();
    byte[] vote = Samples.all().get(3).wire();
    byte[] broken = Samples.ascii("wallance=1\nnet=test\ntype=vote\nvoter=zz\nsig=" + "0".repeat(128) + "\n");
    List<byte[]> parts = Frames.split(concat(List.of(share, broken, vote, Samples.ascii("trailing junk"))));
    assertThat(parts).hasSize(4);
    assertThat(Codec.decode(parts.get(0)).wire()).isEqualTo(share);
    assertThat(parts.get(1)).isEqualTo(broken);
    assertThatThrownBy(() -> Codec.decode(parts.get(1))).isInstanceOf(ProtocolException.class);
    assertThat(Codec.decode(parts.get(2)).wire()).isEqualTo(vote);
    assertThat(parts.get(3)).isEqualTo(Samples.ascii("trailing junk"));
    assertThatThrownBy(() -> Codec.decode(parts.get(3))).isInstanceOf(ProtocolException.class);
  }

  @Test
  void bytesWithoutASignatureLineAreOnePart() throws Exception {
    byte[] junk = Samples.ascii("no signature here\nsig=abc");
    assertThat(Frames.split(junk)).singleElement().isSameAs(junk);
    assertThat(Frames.split(new byte[0])).singleElement().satisfies(p -> assertThat(p).isEmpty());
  }

  @Test
  void oversizedFramesAndTooManyMessagesAreRefusedWhole() {
    assertThatThrownBy(() -> Frames.split(new byte[Frames.MAX_BYTES + 1]))
        .isInstanceOfSatisfying(ProtocolException.class, e -> assertThat(e.reason()).isEqualTo(Reason.TOO_LARGE));
    byte[] tiny = Samples.ascii("x\nsig=0\n");
    List<byte[]> many = new ArrayList<>();
    for (int i = 0; i <= Frames.MAX_MESSAGES; i++) {
      many.add(tiny);
    }
    assertThatThrownBy(() -> Frames.split(concat(many)))
        .isInstanceOfSatisfying(ProtocolException.class, e -> assertThat(e.reason()).isEqualTo(Reason.TOO_LARGE));
    assertThat(catchSplit(concat(many.subList(0, Frames.MAX_MESSAGES)))).hasSize(Frames.MAX_MESSAGES);
  }

  /** Any bytes: refused whole as too large, or parts that put back together are the frame. */
  @Test
  void anyBytesSplitIntoPartsThatConcatenateToTheFrame() {
    Random random = new Random(11);
    byte[] alphabet = Samples.ascii("sig=\n=ab0");
    for (int round = 0; round < 20_000; round++) {
      byte[] frame = new byte[random.nextInt(64)];
      for (int i = 0; i < frame.length; i++) {
        frame[i] = random.nextInt(4) == 0 ? (byte) random.nextInt(256) : alphabet[random.nextInt(alphabet.length)];
      }
      List<byte[]> parts = catchSplit(frame);
      assertThat(concat(parts)).isEqualTo(frame);
      assertThat(parts).isNotEmpty();
      for (int i = 0; i < parts.size() - 1; i++) {
        assertThat(Samples.text(parts.get(i))).as("every part but the last ends its sig line").contains("\nsig=")
            .endsWith("\n");
      }
    }
  }

  private static List<byte[]> catchSplit(byte[] frame) {
    try {
      return Frames.split(frame);
    } catch (ProtocolException e) {
      throw new AssertionError(e);
    }
  }
}
