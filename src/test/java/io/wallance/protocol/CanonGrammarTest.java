package io.wallance.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The hand-written grammar checks of {@link Canon} agree with the regexes they replace. */
class CanonGrammarTest {
  private static final List<Pattern> GRAMMARS = List.of(Canon.HEX64, Canon.HEX128, Canon.NAME, Canon.UINT, Canon.INT,
      Canon.KEY);
  private static final String ALPHABET = "0123456789abcdefABCDEFxyz_.-+= \u00e9";

  @Test
  void handWrittenChecksAgreeWithTheRegexOnEdgeCases() {
    List<String> cases = List.of("", "0", "00", "-0", "-", "+5", "1", "-1", "9007199254740991", "12345678901234567",
        "1234567890123456", "-1234567890123456", "-12345678901234567", "a", "z", "A", "abcdefghijklmnop",
        "abcdefghijklmnopq", "a.b_c-D", "x".repeat(32), "x".repeat(33), "0".repeat(64), "f".repeat(64),
        "F".repeat(64), "0".repeat(63), "0".repeat(65), "a".repeat(128), "g".repeat(128), "é", "a b");
    for (Pattern g : GRAMMARS) {
      for (String v : cases) {
        assertThat(Canon.matches(g, v)).as("%s on '%s'", g, v).isEqualTo(g.matcher(v).matches());
      }
    }
  }

  @Test
  void handWrittenChecksAgreeWithTheRegexOnRandomText() {
    Random random = new Random(7);
    for (int n = 0; n < 200_000; n++) {
      int length = random.nextInt(5) == 0 ? random.nextInt(130) : random.nextInt(20);
      StringBuilder sb = new StringBuilder();
      boolean hexOnly = random.nextBoolean();
      for (int i = 0; i < length; i++) {
        sb.append(hexOnly ? "0123456789abcdef".charAt(random.nextInt(16)) : ALPHABET.charAt(random.nextInt(ALPHABET.length())));
      }
      String v = sb.toString();
      for (Pattern g : GRAMMARS) {
        assertThat(Canon.matches(g, v)).as("%s on '%s'", g, v).isEqualTo(g.matcher(v).matches());
      }
    }
  }

  @Test
  void keyCheckOnBytesAgreesWithTheRegex() {
    for (String k : List.of("", "a", "sig", "wallance", "abcdefghijklmnop", "abcdefghijklmnopq", "Sig", "s1", "s-")) {
      byte[] b = k.getBytes(StandardCharsets.US_ASCII);
      assertThat(Canon.isKey(b, 0, b.length)).as(k).isEqualTo(Canon.KEY.matcher(k).matches());
    }
  }
}
