package io.wallance.web;

import io.vertx.core.Future;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.wallance.protocol.Registry;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator HTTP API (docs/API.md): reads are open, mutations need the operator password.
 * Handlers validate everything they can before touching a node, so bad input costs nothing
 * but a JSON error.
 */
final class OperatorApi {
  /** Largest request body accepted. */
  static final long BODY_LIMIT = 4096;
  private static final Logger LOG = LoggerFactory.getLogger(OperatorApi.class);

  private final Registry registry;
  private final Fleet fleet;
  private final OperatorCommands commands;
  private final OperatorAuth auth;
  private final Supplier<Future<Void>> refreshAll;
  private final Function<String, Future<Void>> refreshOne;

  /**
   * @param refreshAll queries every node and updates the fleet view
   * @param refreshOne queries one node and updates the fleet view
   */
  OperatorApi(Registry registry, Fleet fleet, OperatorCommands commands, OperatorAuth auth,
      Supplier<Future<Void>> refreshAll, Function<String, Future<Void>> refreshOne) {
    this.registry = registry;
    this.fleet = fleet;
    this.commands = commands;
    this.auth = auth;
    this.refreshAll = refreshAll;
    this.refreshOne = refreshOne;
  }

  /** Adds the API's routes and JSON error pages to {@code router}. */
  void mount(Router router) {
    router.get("/health").handler(this::health);
    router.get("/api/state").handler(this::state);
    router.get("/api/nodes/:node/purchases/:purchase").handler(this::purchase);
    // The body handler goes first: it must see the request before any asynchronous handler.
    router.post("/api/nodes/:node/purchases").handler(BodyHandler.create(false).setBodyLimit(BODY_LIMIT))
        .handler(auth).handler(this::buy);
    router.delete("/api/nodes/:node/purchases/:purchase").handler(auth).handler(this::cancel);
    router.errorHandler(404, ctx -> fail(ctx, ApiError.notFound("NOT_FOUND", "no such resource")));
    router.errorHandler(405, ctx -> fail(ctx, new ApiError(405, "METHOD_NOT_ALLOWED", "method not allowed here",
        null)));
    router.errorHandler(413, ctx -> fail(ctx, new ApiError(413, "TOO_LARGE", "the body exceeds " + BODY_LIMIT
        + " bytes", null)));
    router.errorHandler(500, ctx -> {
      if (ctx.failure() != null) {
        LOG.warn("request {} {} failed", ctx.request().method(), ctx.request().path(), ctx.failure());
      }
      fail(ctx, new ApiError(500, "INTERNAL", "internal error", null));
    });
  }

  private void health(RoutingContext ctx) {
    json(ctx, 200, new JsonObject().put("status", "UP").put("net", registry.net()));
  }

  private void state(RoutingContext ctx) {
    refreshAll.get().onComplete(done -> json(ctx, 200, fleet.toJson()));
  }

  private void purchase(RoutingContext ctx) {
    String node;
    long purchase;
    try {
      node = node(ctx);
      purchase = purchaseId(ctx);
    } catch (ApiError e) {
      fail(ctx, e);
      return;
    }
    refreshOne.apply(node).onComplete(done -> fleet.purchase(node, purchase).ifPresentOrElse(
        p -> json(ctx, 200, p),
        () -> fail(ctx, unknownPurchase(node, purchase))));
  }

  private void buy(RoutingContext ctx) {
    String node;
    String contract;
    try {
      node = node(ctx);
      contract = contract(ctx);
    } catch (ApiError e) {
      fail(ctx, e);
      return;
    }
    commands.buy(node, contract).onComplete(done -> {
      if (done.failed()) {
        fail(ctx, done.cause());
        return;
      }
      JsonObject reply = done.result();
      fleet.onCommandReply(node, contract, reply);
      long purchase = reply.getLong("purchase");
      JsonObject body = fleet.purchase(node, purchase).orElseGet(JsonObject::new)
          .put("accepted", reply.getValue("accepted"));
      ctx.response().putHeader("Location", "/api/nodes/" + node + "/purchases/" + purchase);
      json(ctx, 202, body);
    });
  }

  private void cancel(RoutingContext ctx) {
    String node;
    long purchase;
    try {
      node = node(ctx);
      purchase = purchaseId(ctx);
    } catch (ApiError e) {
      fail(ctx, e);
      return;
    }
    refreshOne.apply(node).onComplete(refreshed -> {
      JsonObject known = fleet.purchase(node, purchase).orElse(null);
      if (known == null || known.getString("contract") == null) {
        fail(ctx, unknownPurchase(node, purchase));
        return;
      }
      String state = known.getString("state");
      if ("cancelled".equals(state)) {
        json(ctx, 200, known);
        return;
      }
      if (state != null && !"waiting".equals(state)) {
        fail(ctx, ApiError.conflict("NOT_CANCELLABLE", "purchase " + purchase + " is " + state
            + "; only a purchase still waiting for funds can be cancelled"));
        return;
      }
      commands.cancel(node, purchase, known.getString("contract")).onComplete(done -> {
        if (done.failed()) {
          fail(ctx, done.cause());
          return;
        }
        fleet.onCommandReply(node, known.getString("contract"), done.result());
        JsonObject now = fleet.purchase(node, purchase).orElse(known);
        if ("cancelled".equals(done.result().getString("state"))) {
          json(ctx, 200, now);
        } else {
          fail(ctx, ApiError.conflict("NOT_CANCELLABLE", "purchase " + purchase + " is "
              + done.result().getString("state") + " and can no longer be cancelled"));
        }
      });
    });
  }

  // ------------------------------------------------------------------ validation

  /** The path's node: a member id, or a member name that is unique in the registry. */
  private String node(RoutingContext ctx) {
    String given = ctx.pathParam("node");
    if (given != null && fleet.isMember(given)) {
      return given;
    }
    List<Registry.Party> named = registry.members().stream().filter(m -> m.name().equals(given)).toList();
    if (named.size() == 1) {
      return named.get(0).id();
    }
    throw ApiError.notFound("UNKNOWN_NODE", "no member with id or name " + quote(given));
  }

  private static long purchaseId(RoutingContext ctx) {
    String given = ctx.pathParam("purchase");
    if (given == null || !given.matches("[1-9][0-9]{0,17}")) {
      throw ApiError.notFound("UNKNOWN_PURCHASE", "purchase ids are positive integers, got " + quote(given));
    }
    return Long.parseLong(given);
  }

  private String contract(RoutingContext ctx) {
    String type = ctx.request().getHeader("Content-Type");
    if (type == null || !type.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
      // Also keeps cross-site HTML forms (which cannot send this type) from buying.
      throw new ApiError(415, "UNSUPPORTED_MEDIA_TYPE", "send the body as Content-Type: application/json", null);
    }
    JsonObject body;
    try {
      body = ctx.body().asJsonObject();
    } catch (DecodeException | ClassCastException e) {
      throw ApiError.badRequest("BAD_JSON", "the body must be a JSON object like {\"contract\": \"Receipt\"}");
    }
    if (body == null) {
      throw ApiError.badRequest("BAD_JSON", "the body must be a JSON object like {\"contract\": \"Receipt\"}");
    }
    for (String field : body.fieldNames()) {
      if (!field.equals("contract")) {
        throw ApiError.badRequest("BAD_JSON", "unknown field " + quote(field) + "; only \"contract\" is allowed");
      }
    }
    if (!(body.getValue("contract") instanceof String contract)) {
      throw ApiError.badRequest("BAD_JSON", "\"contract\" must be a string");
    }
    if (registry.price(contract) == null) {
      throw ApiError.badRequest("UNKNOWN_CONTRACT", "unknown contract " + quote(contract) + "; the catalogue has "
          + String.join(", ", registry.contracts().keySet()));
    }
    return contract;
  }

  private static ApiError unknownPurchase(String node, long purchase) {
    return ApiError.notFound("UNKNOWN_PURCHASE", "node " + node.substring(0, 12) + " has no purchase " + purchase);
  }

  /**
   * Quotes a client-supplied string for an error message: capped, and every character but
   * letters, digits and {@code ._- } written as {@code \\uXXXX}, so it is inert in JSON,
   * HTML and terminals alike.
   */
  static String quote(String s) {
    if (s == null) {
      return "null";
    }
    String capped = s.length() > 64 ? s.substring(0, 64) : s;
    StringBuilder sb = new StringBuilder("'");
    for (char c : capped.toCharArray()) {
      if (c < 128 && (Character.isLetterOrDigit(c) || c == '.' || c == '_' || c == '-' || c == ' ')) {
        sb.append(c);
      } else {
        sb.append(String.format("\\u%04x", (int) c));
      }
    }
    return sb.append(capped.length() < s.length() ? "'…" : "'").toString();
  }

  // ------------------------------------------------------------------ responses

  static void json(RoutingContext ctx, int status, JsonObject body) {
    if (ctx.response().ended()) {
      return;
    }
    ctx.response().setStatusCode(status)
        .putHeader("Content-Type", "application/json; charset=utf-8")
        .putHeader("Cache-Control", "no-store")
        .putHeader("X-Content-Type-Options", "nosniff")
        .end(body.encode());
  }

  static void fail(RoutingContext ctx, Throwable failure) {
    ApiError e = failure instanceof ApiError a ? a : new ApiError(500, "INTERNAL", "internal error", null);
    if (!(failure instanceof ApiError)) {
      LOG.warn("request {} {} failed", ctx.request().method(), ctx.request().path(), failure);
    }
    json(ctx, e.status, e.toJson());
  }
}
