package io.wallance.metrics;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict reader of the Prometheus text exposition format 0.0.4 (prometheus.io, "Exposition
 * formats"), written against the format's description, for reading values in tests. It
 * rejects what the format does not allow: a bad metric or label name, an unescaped quote, a
 * value that is not a Go float, a TYPE after samples of its family, a second TYPE or HELP, a
 * family whose samples are split. The reference parser (Debian's {@code promtool check
 * metrics}) runs in the integration tests as well.
 */
public final class PromText {
  private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
  private static final Pattern LABEL = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
  private static final Pattern VALUE = Pattern.compile("[+-]?(Inf|NaN|(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?)");
  private static final Set<String> TYPES = Set.of("counter", "gauge", "histogram", "summary", "untyped");

  /** One sample. */
  public record Sample(String name, Map<String, String> labels, double value) {}

  /** The parsed exposition. */
  public record Exposition(Map<String, String> types, Map<String, String> help, List<Sample> samples) {
    /** @return the value of the one sample with this name and these labels (a subset), or NaN */
    public double value(String name, String... labelPairs) {
      double sum = Double.NaN;
      for (Sample s : samples) {
        if (s.name().equals(name) && matches(s, labelPairs)) {
          sum = Double.isNaN(sum) ? s.value() : sum + s.value();
        }
      }
      return sum;
    }

    private static boolean matches(Sample s, String... pairs) {
      for (int i = 0; i + 1 < pairs.length; i += 2) {
        if (!pairs[i + 1].equals(s.labels().get(pairs[i]))) {
          return false;
        }
      }
      return true;
    }

    /** @return whether any sample has this name */
    public boolean has(String name) {
      return samples.stream().anyMatch(s -> s.name().equals(name));
    }
  }

  private PromText() {
  }

  /**
   * @param text an exposition
   * @return its families and samples
   * @throws IllegalArgumentException naming the line that breaks the format
   */
  public static Exposition parse(String text) {
    Map<String, String> types = new LinkedHashMap<>();
    Map<String, String> help = new LinkedHashMap<>();
    List<Sample> samples = new ArrayList<>();
    Set<String> closed = new java.util.HashSet<>();
    String current = null;
    String[] lines = text.split("\n", -1);
    if (!text.isEmpty() && !text.endsWith("\n")) {
      throw new IllegalArgumentException("the exposition must end with a line feed");
    }
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      int n = i + 1;
      if (line.isEmpty()) {
        continue;
      }
      if (line.startsWith("#")) {
        String[] parts = line.split(" ", 4);
        if (parts.length >= 3 && (parts[1].equals("TYPE") || parts[1].equals("HELP"))) {
          String family = parts[2];
          require(NAME.matcher(family).matches(), n, "bad metric name " + family);
          if (parts[1].equals("TYPE")) {
            require(parts.length == 4 && TYPES.contains(parts[3]), n, "bad type");
            require(!types.containsKey(family), n, "second TYPE for " + family);
            require(samples.stream().noneMatch(s -> family(s.name(), types).equals(family)), n,
                "TYPE after samples of " + family);
            types.put(family, parts[3]);
          } else {
            require(!help.containsKey(family), n, "second HELP for " + family);
            help.put(family, parts.length == 4 ? parts[3] : "");
          }
        }
        continue;
      }
      Sample s = sample(line, n);
      String family = family(s.name(), types);
      if (!family.equals(current)) {
        require(!closed.contains(family), n, "samples of " + family + " are not together");
        if (current != null) {
          closed.add(current);
        }
        current = family;
      }
      samples.add(s);
    }
    return new Exposition(types, help, samples);
  }

  /** The family a sample belongs to: histogram and summary samples carry suffixes. */
  static String family(String sample, Map<String, String> types) {
    for (String suffix : List.of("_bucket", "_count", "_sum")) {
      if (sample.endsWith(suffix)) {
        String base = sample.substring(0, sample.length() - suffix.length());
        String type = types.get(base);
        if ("histogram".equals(type) || "summary".equals(type)) {
          return base;
        }
      }
    }
    return sample;
  }

  private static Sample sample(String line, int n) {
    Matcher m = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)").matcher(line);
    require(m.find(), n, "no metric name");
    String name = m.group(1);
    int pos = name.length();
    Map<String, String> labels = new LinkedHashMap<>();
    if (pos < line.length() && line.charAt(pos) == '{') {
      pos++;
      while (true) {
        if (line.charAt(pos) == '}') {
          pos++;
          break;
        }
        int eq = line.indexOf('=', pos);
        require(eq > 0, n, "label without =");
        String label = line.substring(pos, eq);
        require(LABEL.matcher(label).matches(), n, "bad label name " + label);
        require(line.charAt(eq + 1) == '"', n, "label value must be quoted");
        StringBuilder value = new StringBuilder();
        int j = eq + 2;
        for (; ; j++) {
          require(j < line.length(), n, "unterminated label value");
          char c = line.charAt(j);
          if (c == '\\') {
            char e = line.charAt(++j);
            require(e == '\\' || e == '"' || e == 'n', n, "bad escape \\" + e);
            value.append(e == 'n' ? '\n' : e);
          } else if (c == '"') {
            break;
          } else {
            value.append(c);
          }
        }
        require(labels.put(label, value.toString()) == null, n, "label " + label + " twice");
        pos = j + 1;
        if (line.charAt(pos) == ',') {
          pos++;
        }
      }
    }
    require(pos < line.length() && line.charAt(pos) == ' ', n, "a space must follow the name and labels");
    String[] rest = line.substring(pos + 1).split(" ");
    require(rest.length == 1 || rest.length == 2, n, "value and optional timestamp expected");
    require(VALUE.matcher(rest[0]).matches(), n, "bad value " + rest[0]);
    if (rest.length == 2) {
      require(rest[1].matches("-?\\d+"), n, "bad timestamp");
    }
    String v = rest[0].replace("Inf", "Infinity");
    return new Sample(name, labels, Double.parseDouble(v));
  }

  private static void require(boolean ok, int line, String problem) {
    if (!ok) {
      throw new IllegalArgumentException("line " + line + ": " + problem);
    }
  }
}
