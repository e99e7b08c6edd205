package io.wallance.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.wallance.ledger.Replica;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The test vectors of {@code docs/PROTOCOL.md} §12 are what the code produces: the messages
 * are rebuilt here from the documented seeds and compared byte for byte with the document,
 * and every hash, signature and {@code printf … | sha256sum} line in the section is checked.
 */
class ProtocolVectorsTest {
  private static final Pattern TEXT_BLOCK = Pattern.compile("```text\n(.*?)```", Pattern.DOTALL);
  private static final Pattern VALUE = Pattern.compile("^- (signature|SHA-256[^:]*|state hash|digest): `([0-9a-f]+)`",
      Pattern.MULTILINE);
  private static final Pattern PRINTF = Pattern.compile("^printf '([^']*)' \\| sha256sum$", Pattern.MULTILINE);

  private static String section;
  private static final Crypto.KeyPair A = key(1);
  private static final Crypto.KeyPair B = key(2);
  private static final Crypto.KeyPair C = key(3);
  private static final Crypto.KeyPair OP = key(9);

  private static Crypto.KeyPair key(int b) {
    byte[] seed = new byte[32];
    Arrays.fill(seed, (byte) b);
    return Crypto.KeyPair.fromSeed(seed);
  }

  @BeforeAll
  static void readDoc() throws IOException {
    String doc = Files.readString(Path.of("docs/PROTOCOL.md"), StandardCharsets.UTF_8);
    int start = doc.indexOf("## 12. Test vectors");
    assertThat(start).as("PROTOCOL.md has its test vector section").isPositive();
    section = doc.substring(start);
  }

  /** The text blocks of the section that are protocol bodies, in order. */
  private static List<String> bodies() {
    List<String> out = new ArrayList<>();
    Matcher m = TEXT_BLOCK.matcher(section);
    while (m.find()) {
      if (m.group(1).startsWith("wallance=1\n") && !m.group(1).contains("sig=")) {
        out.add(m.group(1));
      }
    }
    return out;
  }

  private static List<String[]> values() {
    List<String[]> out = new ArrayList<>();
    Matcher m = VALUE.matcher(section);
    while (m.find()) {
      out.add(new String[] {m.group(1), m.group(2)});
    }
    return out;
  }

  private static Registry genesis() {
    return new Registry("demo", 1, 0, 5, 2, 1, 5,
        List.of(new Registry.Party(B.id(), "pi-b"), new Registry.Party(A.id(), "pi-a"),
            new Registry.Party(C.id(), "pi-c")),
        List.of(new Registry.Party(OP.id(), "op")), Map.of("Nespresso", 2L, "Tea", 1L), OP.id());
  }

  @Test
  void theDocumentedMessagesAreWhatTheCodeBuildsFromTheDocumentedSeeds() {
    Signed<Registry> registry = Signed.sign(genesis(), OP);
    Signed<Share> share = Signed.sign(Pow.mine(new Share("demo", A.id(), 1, "virtual", 21500, 0), 1), A);
    Signed<Request> request = Signed.sign(Pow.mine(new Request("demo", A.id(), 1, Crypto.GENESIS, 12, List.of(), 12,
        "Nespresso", 2, 0), 1), A);
    Signed<Vote> vote = Signed.sign(Pow.mine(new Vote("demo", B.id(), A.id(), 1, Crypto.GENESIS, request.hash(), 0),
        1), B);
    List<Signed<?>> built = List.of(registry, share, request, vote);

    List<String> bodies = bodies();
    assertThat(bodies).hasSizeGreaterThanOrEqualTo(4);
    List<String[]> values = values();
    for (int i = 0; i < built.size(); i++) {
      Signed<?> s = built.get(i);
      assertThat(bodies.get(i)).as("§12 body %d", i).isEqualTo(new String(s.bytes(), StandardCharsets.US_ASCII));
      assertThat(values.get(2 * i)[1]).as("signature %d", i).isEqualTo(Crypto.hex(s.signature()));
      assertThat(values.get(2 * i + 1)[1]).as("hash %d", i).isEqualTo(s.hash());
    }
    assertThat(section).contains("```text\n" + vote.wireText() + "```");
    assertThat(section).contains("- state hash: `" + Replica.stateHash(request, 2) + "`");
  }

  /** §12.7: epoch 2 removes C and continues every wallet from its head after §12.5. */
  static Signed<Registry> continuing() {
    Signed<Request> request = Signed.sign(Pow.mine(new Request("demo", A.id(), 1, Crypto.GENESIS, 12, List.of(), 12,
        "Nespresso", 2, 0), 1), A);
    List<Registry.Continue> heads = new ArrayList<>(List.of(
        new Registry.Continue(A.id(), Replica.stateHash(request, 2), 1),
        new Registry.Continue(B.id(), Crypto.GENESIS, 0), new Registry.Continue(C.id(), Crypto.GENESIS, 0)));
    heads.sort(java.util.Comparator.comparing(Registry.Continue::wallet));
    Registry r = new Registry("demo", 2, 0, 5, 2, 1, 5,
        List.of(new Registry.Party(B.id(), "pi-b"), new Registry.Party(A.id(), "pi-a")),
        List.of(new Registry.Party(OP.id(), "op")), Map.of("Nespresso", 2L, "Tea", 1L), heads, OP.id());
    return Signed.sign(r, OP);
  }

  @Test
  void theDocumentedContinuingRegistryIsWhatTheCodeBuildsAndItFollowsTheGenesis() throws ProtocolException {
    Signed<Registry> built = continuing();
    String sub = section.substring(section.indexOf("### 12.7"));
    Matcher block = TEXT_BLOCK.matcher(sub);
    assertThat(block.find()).isTrue();
    assertThat(block.group(1)).isEqualTo(new String(built.bytes(), StandardCharsets.US_ASCII));
    Matcher v = VALUE.matcher(sub);
    assertThat(v.find()).isTrue();
    assertThat(v.group(2)).as("signature").isEqualTo(Crypto.hex(built.signature()));
    assertThat(v.find()).isTrue();
    assertThat(v.group(2)).as("hash").isEqualTo(built.hash());
    Signed<? extends Body> decoded = Codec.decode(built.wire());
    assertThat(decoded.verifies()).isTrue();
    ((Registry) decoded.body()).validateSuccessorOf(genesis());
    assertThat(((Registry) decoded.body()).continues()).hasSize(3);
  }

  @Test
  void everyDocumentedWireMessageDecodesAndVerifies() throws ProtocolException {
    List<String> bodies = bodies().subList(0, 4);
    List<String[]> values = values();
    for (int i = 0; i < bodies.size(); i++) {
      String wire = bodies.get(i) + "sig=" + values.get(2 * i)[1] + "\n";
      Signed<? extends Body> s = Codec.decode(wire.getBytes(StandardCharsets.US_ASCII));
      assertThat(s.verifies()).as("signature of body %d", i).isTrue();
      assertThat(s.hash()).isEqualTo(values.get(2 * i + 1)[1]);
      assertThat(new String(s.bytes(), StandardCharsets.US_ASCII)).isEqualTo(bodies.get(i));
    }
  }

  @Test
  void everyPrintfLineHashesToTheValueItDocuments() {
    Matcher printf = PRINTF.matcher(section);
    int checked = 0;
    while (printf.find()) {
      byte[] bytes = printf.group(1).replace("\\n", "\n").getBytes(StandardCharsets.US_ASCII);
      // The value a printf line checks is the last hash stated before it.
      Matcher v = VALUE.matcher(section.substring(0, printf.start()));
      String expected = null;
      while (v.find()) {
        expected = v.group(2);
      }
      assertThat(Crypto.sha256Hex(bytes)).as("printf at offset %d", printf.start()).isEqualTo(expected);
      checked++;
    }
    assertThat(checked).as("printf lines checked").isGreaterThanOrEqualTo(6);
  }
}
