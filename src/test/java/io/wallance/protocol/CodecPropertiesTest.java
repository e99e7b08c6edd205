package io.wallance.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.constraints.Size;

/**
 * Fuzzing the decoder: whatever the bytes, decoding either yields a message that re-encodes to
 * exactly the input (minus its sig line), or throws a typed {@link ProtocolException}; never
 * any other exception.
 */
class CodecPropertiesTest {
  private static final int SIG_LINE = "sig=".length() + 128 + 1;
  private static final List<byte[]> VALID = Samples.all().stream().map(Signed::wire).toList();

  @Property(tries = 300)
  void randomBytes(@ForAll @Size(max = 1500) byte[] input) {
    check(input);
  }

  @Property(tries = 300)
  void randomKeyValueLines(@ForAll("lines") String text) {
    check(text.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
  }

  @Property(tries = 1500)
  void mutationsOfValidMessages(@ForAll("mutants") byte[] input) {
    String outcome = check(input);
    Statistics.label("outcome").collect(outcome).coverage(c -> {
      c.check("decoded").percentage(p -> p > 3);
      c.check("rejected").percentage(p -> p > 30);
    });
  }

  @Property(tries = 14)
  void everyUnmutatedSampleDecodes(@ForAll("valid") byte[] input) {
    assertThat(check(input)).isEqualTo("decoded");
  }

  /** Decodes {@code input}; returns "decoded" or "rejected", failing on anything else. */
  static String check(byte[] input) {
    Signed<? extends Body> s;
    try {
      s = Codec.decode(input);
    } catch (ProtocolException e) {
      assertThat(e.reason()).isNotNull();
      return "rejected";
    }
    byte[] body = Arrays.copyOf(input, input.length - SIG_LINE);
    assertThat(s.body().canonical()).isEqualTo(body);
    assertThat(s.bytes()).isEqualTo(body);
    assertThat(s.hash()).isEqualTo(Crypto.sha256Hex(body));
    assertThat(Signed.of(s.body(), s.signature()).wire()).isEqualTo(input);
    return "decoded";
  }

  @Provide
  Arbitrary<byte[]> valid() {
    return Arbitraries.of(VALID);
  }

  @Provide
  Arbitrary<String> lines() {
    Arbitrary<String> key = Arbitraries.oneOf(
        Arbitraries.of("wallance", "net", "type", "author", "seq", "sensor", "reading", "nonce", "sig", "entry",
            "entries", "rewards", "what", "action"),
        Arbitraries.strings().withCharRange('a', 'z').ofMinLength(0).ofMaxLength(17));
    Arbitrary<String> value = Arbitraries.oneOf(
        Arbitraries.of("1", "2", "test", "share", "request", "vote", "status", "pull", "registry", "command",
            Crypto.GENESIS, "0", "-1", "01", "shares", "buy"),
        Arbitraries.strings().withCharRange(' ', '~').ofMaxLength(70));
    Arbitrary<String> line = Combinators.combine(key, value).as((k, v) -> k + "=" + v + "\n");
    return line.list().ofMaxSize(12).map(l -> "wallance=1\nnet=test\n" + String.join("", l));
  }

  /** One mutation of a wire message. */
  record Mutation(int kind, int at, int other, byte value) {
    byte[] apply(byte[] in) {
      if (in.length == 0) {
        return in;
      }
      int i = Math.floorMod(at, in.length);
      int j = Math.floorMod(other, in.length);
      List<int[]> lines = lineSpans(in);
      int[] line = lines.get(Math.floorMod(at, lines.size()));
      int[] line2 = lines.get(Math.floorMod(other, lines.size()));
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      switch (kind) {
        case 0 -> { // flip one bit
          byte[] b = in.clone();
          b[i] ^= (byte) (1 << Math.floorMod(other, 8));
          return b;
        }
        case 1 -> { // overwrite a byte
          byte[] b = in.clone();
          b[i] = value;
          return b;
        }
        case 2 -> { // insert a byte
          out.write(in, 0, i);
          out.write(value);
          out.write(in, i, in.length - i);
          return out.toByteArray();
        }
        case 3 -> { // delete a byte
          out.write(in, 0, i);
          out.write(in, i + 1, in.length - i - 1);
          return out.toByteArray();
        }
        case 4 -> { // duplicate a line
          out.write(in, 0, line[1]);
          out.write(in, line[0], line[1] - line[0]);
          out.write(in, line[1], in.length - line[1]);
          return out.toByteArray();
        }
        case 5 -> { // swap two lines
          if (line[0] == line2[0]) {
            return in;
          }
          int[] a = line[0] < line2[0] ? line : line2;
          int[] c = line[0] < line2[0] ? line2 : line;
          out.write(in, 0, a[0]);
          out.write(in, c[0], c[1] - c[0]);
          out.write(in, a[1], c[0] - a[1]);
          out.write(in, a[0], a[1] - a[0]);
          out.write(in, c[1], in.length - c[1]);
          return out.toByteArray();
        }
        case 6 -> { // delete a line
          out.write(in, 0, line[0]);
          out.write(in, line[1], in.length - line[1]);
          return out.toByteArray();
        }
        case 7 -> { // truncate
          return Arrays.copyOf(in, i);
        }
        case 8 -> { // replace a digit by another digit: often still valid
          return replaceClass(in, i, "0123456789", value);
        }
        default -> { // replace a lowercase hex letter by another: often still valid
          return replaceClass(in, i, "abcdef", value);
        }
      }
    }

    private static byte[] replaceClass(byte[] in, int start, String chars, byte value) {
      byte[] b = in.clone();
      for (int k = 0; k < b.length; k++) {
        int p = (start + k) % b.length;
        if (chars.indexOf(b[p]) >= 0) {
          b[p] = (byte) chars.charAt(Math.floorMod(value, chars.length()));
          return b;
        }
      }
      return b;
    }

    /** [start, end) of every line including its LF. */
    private static List<int[]> lineSpans(byte[] in) {
      List<int[]> spans = new ArrayList<>();
      int start = 0;
      for (int k = 0; k < in.length; k++) {
        if (in[k] == '\n') {
          spans.add(new int[] {start, k + 1});
          start = k + 1;
        }
      }
      if (start < in.length || spans.isEmpty()) {
        spans.add(new int[] {start, in.length});
      }
      return spans;
    }
  }

  @Provide
  Arbitrary<byte[]> mutants() {
    Arbitrary<Byte> value = Arbitraries.oneOf(
        Arbitraries.bytes(),
        Arbitraries.chars().range(' ', '~').map(c -> (byte) c.charValue()),
        Arbitraries.of((byte) '\n', (byte) '=', (byte) ',', (byte) '0', (byte) '-'));
    Arbitrary<Mutation> mutation = Combinators.combine(Arbitraries.integers().between(0, 9),
        Arbitraries.integers().between(0, 1 << 20), Arbitraries.integers().between(0, 1 << 20), value)
        .as(Mutation::new);
    return Combinators.combine(Arbitraries.of(VALID), mutation.list().ofMinSize(1).ofMaxSize(3))
        .as((wire, ms) -> {
          byte[] b = wire;
          for (Mutation m : ms) {
            b = m.apply(b);
          }
          return b;
        });
  }
}
