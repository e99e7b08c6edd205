package io.wallance.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.wallance.fuzz.Corpus;
import io.wallance.fuzz.Generated;
import io.wallance.fuzz.Mutator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes the wire decoder ({@link Codec}, {@link Canon}): every input either decodes to a
 * message whose encoding is exactly the input, or is refused with a typed {@link Reason};
 * no other exception ever escapes. Jazzer replays the committed corpus here and fuzzes it
 * with {@code JAZZER_FUZZ=1} (docs/RELIABILITY.md, "Fuzzing").
 */
class CodecFuzzTest {
  private static final List<Class<? extends Body>> TYPES = List.of(Share.class, Request.class, Vote.class,
      Status.class, Pull.class, Registry.class, Command.class);

  /** The property, for any bytes. */
  static void check(byte[] input) {
    Signed<? extends Body> decoded;
    try {
      decoded = Codec.decode(input);
    } catch (ProtocolException e) {
      assertThat(e.reason()).isNotNull();
      assertThat(e.getMessage()).startsWith(e.reason().name()).doesNotContain("\n");
      return;
    }
    assertThat(decoded.wire()).as("re-encoding").isEqualTo(input);
    assertThat(decoded.body().canonical()).isEqualTo(decoded.bytes());
    assertThat(decoded.hash()).isEqualTo(Crypto.sha256Hex(decoded.bytes()));
    decoded.verifies(); // any key and signature bytes: true or false, never an exception
    for (Class<? extends Body> type : TYPES) {
      try {
        assertThat(Codec.decode(input, type).body()).isEqualTo(decoded.body());
        assertThat(type).isEqualTo(decoded.body().getClass());
      } catch (ProtocolException e) {
        assertThat(e.reason()).isEqualTo(Reason.UNKNOWN_TYPE);
        assertThat(type).isNotEqualTo(decoded.body().getClass());
      }
    }
    if (decoded.body() instanceof Registry r) {
      try {
        r.validateGenesis();
      } catch (ProtocolException e) {
        assertThat(e.reason()).isEqualTo(Reason.BAD_REGISTRY);
      }
    }
  }

  @FuzzTest(maxDuration = "3m")
  void decode(byte[] input) {
    check(input);
  }

  @Test
  void generatedInputs() {
    Mutator m = new Mutator(Generated.seed(), Corpus.inputs(getClass(), "decode"), dictionary());
    int ran = Generated.run("codec", Corpus.directory(getClass(), "decode"), 30_000, Duration.ofSeconds(8),
        Mutator::next, m, CodecFuzzTest::check);
    assertThat(ran).isPositive();
  }

  @Test
  void seedsAreCommitted() throws Exception {
    Corpus.checkSeeds(getClass(), "decode", seeds());
  }

  /** One valid wire message of every type and variant, and a few near misses. */
  static Map<String, byte[]> seeds() {
    Map<String, byte[]> seeds = new LinkedHashMap<>();
    int i = 0;
    for (Signed<? extends Body> s : Samples.all()) {
      seeds.put(String.format("%02d-%s", i++, s.body().type().wire()), s.wire());
    }
    seeds.put("near-bad-version", Samples.ascii("wallance=2\nnet=test\ntype=share\n"));
    seeds.put("near-crlf", Samples.ascii("wallance=1\r\nnet=test\r\n"));
    return seeds;
  }

  private static List<String> dictionary() {
    List<String> d = new ArrayList<>(List.of("wallance=", "net=", "type=", "sig=", "\n", ",", "=", "1", "0",
        "-1", "9007199254740991", "9007199254740992", "99999999999999999999", "-0", "00", "a".repeat(64),
        "0".repeat(64), "f".repeat(128), "A".repeat(64), "share", "request", "vote", "status", "pull", "registry",
        "command", "buy", "cancel", "shares", "chain", "rewards"));
    for (String key : List.of("author", "seq", "sensor", "reading", "nonce", "buyer", "epoch", "prev", "balance",
        "contract", "price", "voter", "request", "node", "entries", "entry", "what", "subject", "from", "to",
        "quorum", "rate", "reward", "difficulty", "outdate", "members", "member", "operators", "operator",
        "contracts", "signer", "counter", "action", "purchase")) {
      d.add(key + "=");
    }
    return d;
  }
}
