package io.wallance.cli;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code wallance buy}: asks the dashboard to have a node buy a contract
 * ({@code POST /api/nodes/{id}/purchases}), and with {@code --wait} follows the purchase
 * until it is final.
 */
@Command(
    name = "buy",
    mixinStandardHelpOptions = true,
    description = {
        "Makes a node buy a contract through the dashboard's API.",
        "Prints the purchase id; with --wait, waits until the purchase is final and prints",
        "the node's balance before and after."
    })
final class BuyCommand implements Callable<Integer> {
  /** The environment variable read when neither --password nor --password-file is given. */
  static final String PASSWORD_ENV = OperatorPassword.PASSWORD_ENV;
  private static final Set<String> TERMINAL = Set.of("final", "cancelled", "failed");

  @Spec
  private CommandSpec spec;

  @Option(names = "--node", required = true, paramLabel = "NAME|ID", description = "The buying node.")
  private String node;

  @Option(names = "--contract", required = true, paramLabel = "NAME", description = "The contract to buy.")
  private String contract;

  @Option(names = "--url", paramLabel = "URL", defaultValue = ApiClient.DEFAULT_URL,
      description = "The dashboard's address. Default: ${DEFAULT-VALUE}.")
  private String url;

  @Option(names = "--ca", paramLabel = "FILE",
      description = "For an https:// --url: the project CA certificate to trust (e.g. ca.crt from `cert ca`).")
  private java.nio.file.Path ca;

  @Mixin
  private OperatorPassword password;

  @Option(names = "--wait", description = "Wait until the purchase is final (or cancelled or failed).")
  private boolean await;

  @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "90",
      description = "How long --wait waits at most. Default: ${DEFAULT-VALUE}.")
  private int timeoutSeconds;

  @Override
  public Integer call() throws Exception {
    String pw = password.get();
    PrintWriter out = spec.commandLine().getOut();
    try (ApiClient api = new ApiClient(url, ca)) {
      JsonObject state = expect(api.get("/api/state", pw), 200, "buy"); // the first call: a wrong password shows here
      JsonObject target = resolve(state.getJsonArray("nodes", new JsonArray()));
      String id = target.getString("id");
      String name = Terminal.safe(target.getValue("name"));
      ApiClient.Answer posted = api.post("/api/nodes/" + id + "/purchases", new JsonObject().put("contract", contract),
          pw);
      JsonObject purchase = expect(posted, 202, "buy");
      long pid = purchase.getLong("purchase");
      out.println("purchase " + pid + ": " + Terminal.safe(contract) + " on " + name + " is "
          + describe(purchase));
      out.flush();
      if (!await) {
        return 0;
      }
      long deadline = System.nanoTime() + timeoutSeconds * 1_000_000_000L;
      String last = purchase.getString("state");
      while (!TERMINAL.contains(last)) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("purchase " + pid + " is still " + Terminal.safe(last) + " after "
              + timeoutSeconds + " s");
        }
        Thread.sleep(300);
        ApiClient.Answer polled = api.get("/api/nodes/" + id + "/purchases/" + pid, pw);
        if (polled.status() != 200) {
          continue; // e.g. the node is briefly unreachable: keep waiting within the bound
        }
        purchase = polled.body();
        String now = purchase.getString("state");
        if (now != null && !now.equals(last)) {
          last = now;
          if (!TERMINAL.contains(now)) {
            out.println("purchase " + pid + ": " + describe(purchase));
            out.flush();
          }
        }
      }
      if (!"final".equals(last)) {
        throw new IllegalStateException("purchase " + pid + " ended " + Terminal.safe(last));
      }
      out.println("purchase " + pid + ": final; " + name + " balance " + Terminal.safe(purchase.getValue("balanceBefore"))
          + " → " + Terminal.safe(purchase.getValue("balanceAfter")) + " DCoin (" + Terminal.safe(contract)
          + ", price " + Terminal.safe(purchase.getValue("price")) + ")");
      out.flush();
      return 0;
    }
  }

  private JsonObject resolve(JsonArray nodes) {
    List<String> names = new ArrayList<>();
    List<JsonObject> byName = new ArrayList<>();
    for (Object o : nodes) {
      if (o instanceof JsonObject n) {
        if (node.equals(n.getValue("id"))) {
          return n;
        }
        if (node.equals(n.getValue("name"))) {
          byName.add(n);
        }
        names.add(Terminal.safe(n.getValue("name")));
      }
    }
    if (byName.size() == 1) {
      return byName.get(0);
    }
    throw new IllegalStateException((byName.isEmpty() ? "no node named " : "more than one node named ")
        + Terminal.safe(node) + " (nodes: " + String.join(", ", names) + ")");
  }

  private static String describe(JsonObject purchase) {
    String state = Terminal.safe(purchase.getValue("state"));
    if ("waiting".equals(state) && purchase.getValue("missingUnits") instanceof Number m && m.longValue() > 0) {
      return "waiting for funds (" + m.longValue() + " units missing)";
    }
    if ("published".equals(state)) {
      return "published, waiting for votes (request " + Terminal.abridge(purchase.getValue("request"), 12) + ")";
    }
    return state;
  }

  private static JsonObject expect(ApiClient.Answer answer, int status, String what) {
    if (answer.status() == 401) {
      throw new IllegalStateException(what + ": refused: " + answer.message());
    }
    if (answer.status() != status) {
      throw new IllegalStateException(what + ": " + answer.message() + " (HTTP " + answer.status() + ")");
    }
    return answer.body();
  }
}
