package io.wallance.fuzz;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Derives inputs from a corpus the way a mutation fuzzer does, without coverage feedback:
 * stacked byte edits (flips, interesting bytes, deletions, duplications, dictionary tokens,
 * splices), line edits for line formats and, for JSON, edits of the parsed tree (drop, add,
 * rename a field, give it a value of another type). Deterministic for a given seed.
 */
public final class Mutator {
  /** Bytes that sit on the edges of the grammars we parse. */
  private static final byte[] INTERESTING = {0, 1, '\t', '\n', '\r', ' ', '"', ',', '-', '.', '0', '1', '9', ':', '=',
      '[', '\\', ']', 'a', 'f', 'g', 'z', '{', '}', 0x7e, 0x7f, (byte) 0x80, (byte) 0xc3, (byte) 0xff};
  /** JSON values of every type and edge, for the tree edits. */
  private static final List<Object> VALUES = List.of("", " ", "x", "\u0000", "é", "../../etc/passwd", "127.0.0.1",
      "::1", "[::1]:5701", "127.0.0.1:0", "127.0.0.1:65536", "1.2.3.4.5", "a".repeat(300), "Receipt", "full", "normal",
      "virtual", "thermal", 0, -1, 1, 2, 65_535, 65_536, Integer.MAX_VALUE, Long.MAX_VALUE, Long.MIN_VALUE, 1.5, 1e300,
      true, false, new JsonArray(), new JsonObject(), new JsonArray().add("127.0.0.1:5701"), new JsonArray().add(1));

  private final Random random;
  private final List<byte[]> corpus;
  private final List<byte[]> dictionary;

  /**
   * @param seed the random seed (the same seed gives the same inputs)
   * @param corpus the inputs to start from (not empty)
   * @param dictionary tokens worth inserting (field names, keywords)
   */
  public Mutator(long seed, List<byte[]> corpus, List<String> dictionary) {
    if (corpus.isEmpty()) {
      throw new IllegalArgumentException("an empty corpus");
    }
    this.random = new Random(seed);
    this.corpus = List.copyOf(corpus);
    this.dictionary = dictionary.stream().map(s -> s.getBytes(StandardCharsets.UTF_8)).toList();
  }

  /** @return the random source, for targets that draw more than bytes */
  public Random random() {
    return random;
  }

  /** @return a corpus entry with 1 to 4 byte or line edits stacked on it */
  public byte[] next() {
    byte[] b = pick();
    int edits = 1 + random.nextInt(4);
    for (int i = 0; i < edits; i++) {
      b = random.nextInt(3) == 0 ? lineEdit(b) : byteEdit(b);
    }
    return b;
  }

  /** @return a corpus entry (JSON) with 1 to 3 tree edits, and now and then a byte edit on top */
  public byte[] nextJson() {
    byte[] b = pick();
    Object tree;
    try {
      tree = io.vertx.core.json.Json.decodeValue(new String(b, StandardCharsets.UTF_8));
    } catch (RuntimeException e) {
      return next();
    }
    int edits = 1 + random.nextInt(3);
    for (int i = 0; i < edits; i++) {
      tree = treeEdit(tree, 0);
    }
    byte[] out = (tree instanceof JsonObject o ? o.encode() : tree instanceof JsonArray a ? a.encode()
        : io.vertx.core.json.Json.encode(tree)).getBytes(StandardCharsets.UTF_8);
    return random.nextInt(4) == 0 ? byteEdit(out) : out;
  }

  private byte[] pick() {
    return corpus.get(random.nextInt(corpus.size())).clone();
  }

  private byte[] token() {
    return dictionary.isEmpty() ? new byte[] {INTERESTING[random.nextInt(INTERESTING.length)]}
        : dictionary.get(random.nextInt(dictionary.size()));
  }

  private byte[] byteEdit(byte[] b) {
    int n = b.length;
    switch (random.nextInt(9)) {
      case 0 -> {
        if (n > 0) {
          b[random.nextInt(n)] ^= (byte) (1 << random.nextInt(8));
        }
        return b;
      }
      case 1 -> {
        if (n > 0) {
          b[random.nextInt(n)] = INTERESTING[random.nextInt(INTERESTING.length)];
        }
        return b;
      }
      case 2 -> {
        if (n == 0) {
          return b;
        }
        int from = random.nextInt(n);
        int len = 1 + random.nextInt(Math.min(16, n - from));
        return concat(Arrays.copyOfRange(b, 0, from), Arrays.copyOfRange(b, from + len, n));
      }
      case 3 -> {
        if (n == 0) {
          return b;
        }
        int from = random.nextInt(n);
        int len = 1 + random.nextInt(Math.min(64, n - from));
        int at = random.nextInt(n + 1);
        return concat(Arrays.copyOfRange(b, 0, at), Arrays.copyOfRange(b, from, from + len),
            Arrays.copyOfRange(b, at, n));
      }
      case 4, 5 -> {
        int at = random.nextInt(n + 1);
        return concat(Arrays.copyOfRange(b, 0, at), token(), Arrays.copyOfRange(b, at, n));
      }
      case 6 -> {
        byte[] t = token();
        int at = random.nextInt(n + 1);
        return concat(Arrays.copyOfRange(b, 0, at), t, Arrays.copyOfRange(b, Math.min(n, at + t.length), n));
      }
      case 7 -> {
        byte[] other = pick();
        int cut = random.nextInt(n + 1);
        int from = random.nextInt(other.length + 1);
        return concat(Arrays.copyOfRange(b, 0, cut), Arrays.copyOfRange(other, from, other.length));
      }
      default -> {
        return Arrays.copyOf(b, random.nextInt(n + 1));
      }
    }
  }

  private byte[] lineEdit(byte[] b) {
    List<byte[]> lines = lines(b);
    if (lines.isEmpty()) {
      return byteEdit(b);
    }
    int i = random.nextInt(lines.size());
    switch (random.nextInt(5)) {
      case 0 -> lines.remove(i);
      case 1 -> lines.add(random.nextInt(lines.size() + 1), lines.get(i));
      case 2 -> {
        int j = random.nextInt(lines.size());
        byte[] t = lines.get(i);
        lines.set(i, lines.get(j));
        lines.set(j, t);
      }
      case 3 -> {
        byte[] line = lines.get(i);
        int eq = indexOf(line, (byte) '=');
        byte[] key = eq < 0 ? new byte[0] : Arrays.copyOf(line, eq + 1);
        lines.set(i, concat(key, token(), new byte[] {'\n'}));
      }
      default -> {
        List<byte[]> other = lines(pick());
        if (!other.isEmpty()) {
          lines.set(i, other.get(random.nextInt(other.size())));
        }
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    lines.forEach(out::writeBytes);
    return out.toByteArray();
  }

  private Object treeEdit(Object node, int depth) {
    if (node instanceof JsonObject o && !o.isEmpty() && (depth > 3 || random.nextInt(3) > 0)) {
      List<String> keys = new ArrayList<>(o.fieldNames());
      String key = keys.get(random.nextInt(keys.size()));
      switch (random.nextInt(6)) {
        case 0 -> o.remove(key);
        case 1 -> o.put(new String(token(), StandardCharsets.UTF_8), value());
        case 2 -> o.put(key + (random.nextBoolean() ? "s" : "_"), o.remove(key));
        case 3 -> o.put(key, value());
        default -> o.put(key, treeEdit(o.getValue(key), depth + 1));
      }
      return o;
    }
    if (node instanceof JsonArray a && !a.isEmpty() && random.nextBoolean()) {
      int i = random.nextInt(a.size());
      switch (random.nextInt(4)) {
        case 0 -> a.remove(i);
        case 1 -> a.add(value());
        case 2 -> a.set(i, value());
        default -> a.set(i, treeEdit(a.getValue(i), depth + 1));
      }
      return a;
    }
    return random.nextInt(4) == 0 ? node : value();
  }

  private Object value() {
    Object v = VALUES.get(random.nextInt(VALUES.size()));
    return v instanceof JsonObject o ? o.copy() : v instanceof JsonArray a ? a.copy() : v;
  }

  private static List<byte[]> lines(byte[] b) {
    List<byte[]> out = new ArrayList<>();
    int start = 0;
    for (int i = 0; i < b.length; i++) {
      if (b[i] == '\n') {
        out.add(Arrays.copyOfRange(b, start, i + 1));
        start = i + 1;
      }
    }
    if (start < b.length) {
      out.add(Arrays.copyOfRange(b, start, b.length));
    }
    return out;
  }

  private static int indexOf(byte[] b, byte x) {
    for (int i = 0; i < b.length; i++) {
      if (b[i] == x) {
        return i;
      }
    }
    return -1;
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }
}
