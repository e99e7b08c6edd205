package io.wallance.contract;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class OutputTailTest {

  private static OutputTail drained(int capacity, String text) {
    OutputTail tail = new OutputTail(capacity);
    tail.drain(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
    return tail;
  }

  @Test
  void keepsEverythingThatFits() {
    OutputTail tail = drained(8, "hello");
    assertThat(tail.text()).isEqualTo("hello");
    assertThat(tail.truncated()).isFalse();
  }

  @Test
  void keepsTheLastBytesAcrossManyWrites() {
    OutputTail tail = new OutputTail(5);
    for (String chunk : new String[] {"abc", "defg", "h", "ijklmnop", "qr"}) {
      tail.append(chunk.getBytes(StandardCharsets.US_ASCII), chunk.length());
    }
    assertThat(tail.text()).isEqualTo("nopqr");
    assertThat(tail.truncated()).isTrue();
  }

  @Test
  void dropsACharacterCutInHalfAtTheStart() {
    // "é!" is C3 A9 21: its last two bytes start with the continuation byte A9.
    assertThat(drained(2, "\u00e9!").text()).isEqualTo("!");
    assertThat(drained(3, "x\u00e9!").text()).isEqualTo("\u00e9!");
  }
}
