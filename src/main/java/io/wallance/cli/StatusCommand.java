package io.wallance.cli;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code wallance status}: prints the fleet as a table, from the dashboard's
 * {@code GET /api/state}.
 */
@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    description = "Shows every node of the network: online, balance, state, ledger digest, purchases.")
final class StatusCommand implements Callable<Integer> {
  /** pi2 before pi10: names compared with their digit runs as numbers. */
  static final Comparator<JsonObject> BY_NAME = Comparator.comparing(
      (JsonObject n) -> String.valueOf(n.getValue("name")), StatusCommand::compareNatural);

  @Spec
  private CommandSpec spec;

  @Option(names = "--url", paramLabel = "URL", defaultValue = ApiClient.DEFAULT_URL,
      description = "The dashboard's address. Default: ${DEFAULT-VALUE}.")
  private String url;

  @Option(names = "--ca", paramLabel = "FILE",
      description = "For an https:// --url: the project CA certificate to trust (e.g. ca.crt from `cert ca`).")
  private java.nio.file.Path ca;

  @Option(names = "--json", description = "Print the raw JSON state instead of a table.")
  private boolean json;

  @Mixin
  private OperatorPassword password;

  @Override
  public Integer call() throws java.io.IOException {
    ApiClient.Answer answer;
    try (ApiClient api = new ApiClient(url, ca)) {
      answer = api.get("/api/state", password.get());
    }
    if (answer.status() != 200) {
      throw new IllegalStateException("GET /api/state: " + answer.message());
    }
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      out.println(answer.body().encodePrettily());
    } else {
      out.print(render(answer.body()));
    }
    out.flush();
    return 0;
  }

  /** @return the state as a readable table; every string from the network is made terminal-safe */
  static String render(JsonObject state) {
    JsonArray nodes = state.getJsonArray("nodes", new JsonArray());
    long online = nodes.stream().filter(n -> n instanceof JsonObject o && Boolean.TRUE.equals(o.getValue("online")))
        .count();
    StringBuilder sb = new StringBuilder();
    sb.append("network ").append(Terminal.safe(state.getValue("net"))).append(": ").append(nodes.size())
        .append(" nodes, ").append(online).append(" online, quorum ").append(Terminal.safe(state.getValue("quorum")))
        .append('\n');
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"NAME", "ONLINE", "BALANCE", "STATE", "DIGEST", "PENDING", "WAITING", "ID"});
    List<JsonObject> sorted = new ArrayList<>();
    nodes.forEach(o -> {
      if (o instanceof JsonObject n) {
        sorted.add(n);
      }
    });
    sorted.sort(BY_NAME);
    for (JsonObject n : sorted) {
      rows.add(new String[] {
          Terminal.abridge(n.getValue("name"), 24),
          Boolean.TRUE.equals(n.getValue("online")) ? "yes" : "no",
          n.getValue("balance") == null ? "-" : Terminal.safe(n.getValue("balance")) + " DCoin",
          Terminal.abridge(n.getValue("state"), 10),
          Terminal.abridge(n.getValue("ledgerDigest"), 10),
          Terminal.safe(n.getValue("pending")),
          Terminal.safe(n.getValue("waiting")),
          Terminal.abridge(n.getValue("id"), 12)});
    }
    int[] width = new int[rows.get(0).length];
    rows.forEach(r -> {
      for (int i = 0; i < r.length; i++) {
        width[i] = Math.max(width[i], r[i].length());
      }
    });
    for (String[] r : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < r.length; i++) {
        line.append(r[i]).append(" ".repeat(width[i] - r[i].length() + (i < r.length - 1 ? 2 : 0)));
      }
      sb.append(line.toString().stripTrailing()).append('\n');
    }
    return sb.toString();
  }

  private static int compareNatural(String a, String b) {
    int i = 0;
    int j = 0;
    while (i < a.length() && j < b.length()) {
      char x = a.charAt(i);
      char y = b.charAt(j);
      if (Character.isDigit(x) && Character.isDigit(y)) {
        int ei = i;
        int ej = j;
        while (ei < a.length() && Character.isDigit(a.charAt(ei))) {
          ei++;
        }
        while (ej < b.length() && Character.isDigit(b.charAt(ej))) {
          ej++;
        }
        String na = a.substring(i, ei).replaceFirst("^0+(?=.)", "");
        String nb = b.substring(j, ej).replaceFirst("^0+(?=.)", "");
        int c = na.length() != nb.length() ? Integer.compare(na.length(), nb.length()) : na.compareTo(nb);
        if (c != 0) {
          return c;
        }
        i = ei;
        j = ej;
      } else {
        if (x != y) {
          return Character.compare(x, y);
        }
        i++;
        j++;
      }
    }
    return Integer.compare(a.length() - i, b.length() - j);
  }
}
