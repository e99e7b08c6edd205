package io.wallance.cli;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.wallance.protocol.Canon;
import io.wallance.protocol.Registry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The live members' views of every wallet's head, for {@code registry --continue-from}
 * (PROTOCOL.md 9.10): read from the dashboard ({@code GET /api/heads}) or from JSON files
 * holding a node view (the {@code query.<id>} answer) or a saved {@code /api/heads} answer.
 * Only members that answered (online) count; their views are parsed strictly.
 */
final class HeadViews {
  /** One member's view: its id and wallet id → (wallet, head, chain length). */
  record View(String node, Map<String, Registry.Continue> wallets) {}

  private HeadViews() {}

  /** Supplies the operator password, read only when a dashboard URL is given. */
  @FunctionalInterface
  interface Password {
    String get() throws IOException;
  }

  /**
   * Reads every source: {@code http(s)://…} is a dashboard, anything else a file.
   *
   * @param ca the project CA certificate an {@code https://} dashboard's certificate must chain
   *     to, or null (only for {@code http://})
   */
  static List<View> read(List<String> sources, Password password, Path ca) throws IOException {
    List<View> views = new ArrayList<>();
    for (String source : sources) {
      JsonObject json;
      if (source.startsWith("http://") || source.startsWith("https://")) {
        try (ApiClient api = new ApiClient(source, source.startsWith("https://") ? ca : null)) {
          ApiClient.Answer a = api.get("/api/heads", password.get());
          if (a.status() != 200) {
            throw new IllegalArgumentException("--continue-from " + source + ": " + a.message());
          }
          json = a.body();
        }
      } else {
        try {
          json = new JsonObject(Files.readString(Path.of(source), StandardCharsets.UTF_8));
        } catch (DecodeException | ClassCastException e) {
          throw new IllegalArgumentException("--continue-from " + source + ": not a JSON object");
        }
      }
      views.addAll(parse(source, json));
    }
    return views;
  }

  /** The views in one answer: {@code {"nodes": [...]}} (online nodes only) or one node view. */
  static List<View> parse(String source, JsonObject json) {
    List<View> out = new ArrayList<>();
    if (json.getValue("nodes") instanceof JsonArray nodes) {
      for (Object o : nodes) {
        if (!(o instanceof JsonObject n)) {
          throw new IllegalArgumentException("--continue-from " + source + ": a node entry is not an object");
        }
        if (Boolean.TRUE.equals(n.getValue("online")) && n.getValue("wallets") != null) {
          out.add(view(source, n));
        }
      }
    } else {
      out.add(view(source, json));
    }
    return out;
  }

  private static View view(String source, JsonObject n) {
    String where = "--continue-from " + source + ": ";
    if (!(n.getValue("id") instanceof String node) || !Canon.isHex64(node)) {
      throw new IllegalArgumentException(where + "a view without a member id");
    }
    if (!(n.getValue("wallets") instanceof JsonArray wallets)) {
      throw new IllegalArgumentException(where + "the view of " + node.substring(0, 12) + " has no wallets");
    }
    Map<String, Registry.Continue> heads = new TreeMap<>();
    for (Object o : wallets) {
      if (!(o instanceof JsonObject w) || !(w.getValue("id") instanceof String id) || !Canon.isHex64(id)
          || !(w.getValue("state") instanceof String state) || !Canon.isHex64(state)
          || !(w.getValue("chain") instanceof Number chain) || chain.longValue() < 0
          || chain.doubleValue() != chain.longValue()) {
        throw new IllegalArgumentException(where + "a wallet of " + node.substring(0, 12)
            + " is not {id, state, chain}");
      }
      heads.put(id, new Registry.Continue(id, state, chain.longValue()));
    }
    return new View(node, heads);
  }
}
