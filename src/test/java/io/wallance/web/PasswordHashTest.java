package io.wallance.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PasswordHashTest {

  @Test
  void matchesOnlyThePassword() {
    PasswordHash hash = PasswordHash.create("correct horse", 1_000);

    assertThat(hash.matches("correct horse")).isTrue();
    assertThat(hash.matches("correct hors")).isFalse();
    assertThat(hash.matches("")).isFalse();
    assertThat(hash.matches(null)).isFalse();
  }

  @Test
  void lineRoundTripsAndCarriesSaltAndIterations() {
    PasswordHash hash = PasswordHash.create("pw", 1_234);

    String line = hash.line();
    PasswordHash parsed = PasswordHash.parse(line + "\n");

    assertThat(line).startsWith("pbkdf2-sha256$1234$");
    assertThat(parsed).isEqualTo(hash);
    assertThat(parsed.matches("pw")).isTrue();
  }

  @Test
  void samePasswordGetsAFreshSalt() {
    assertThat(PasswordHash.create("pw", 1_000).line()).isNotEqualTo(PasswordHash.create("pw", 1_000).line());
  }

  @Test
  void defaultIterationsAreStored() {
    assertThat(PasswordHash.create("pw", PasswordHash.DEFAULT_ITERATIONS).line())
        .startsWith("pbkdf2-sha256$" + PasswordHash.DEFAULT_ITERATIONS + "$");
  }

  @Test
  void refusesMalformedLines() {
    String good = PasswordHash.create("pw", 1_000).line();
    for (String bad : new String[] {"", "pw", "plain$1000$abc$def", good.replace("$1000$", "$0$"),
        good.replace("$1000$", "$10$"), good.substring(0, good.length() - 2), good + "$x"}) {
      assertThatThrownBy(() -> PasswordHash.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void refusesAnEmptyPassword() {
    assertThatThrownBy(() -> PasswordHash.create("", 1_000)).isInstanceOf(IllegalArgumentException.class);
  }
}
