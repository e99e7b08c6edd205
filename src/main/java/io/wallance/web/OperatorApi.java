package io.wallance.web;

import io.vertx.core.Future;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.wallance.protocol.Registry;
import io.vertx.core.Handler;
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
  private final Purchases purchases;
  private final OperatorAuth auth;
  private final Handler<RoutingContext> sessions;
  private final Supplier<Future<Void>> refreshAll;

  /**
   * @param auth checks HTTP Basic credentials, or a login session with its CSRF token
   * @param sessions the session handler (a mutation may come from the logged-in dashboard)
   * @param refreshAll queries every node and updates the fleet view
   */
  OperatorApi(Registry registry, Fleet fleet, Purchases purchases, OperatorAuth auth, Handler<RoutingContext> sessions,
      Supplier<Future<Void>> refreshAll) {
    this.registry = registry;
    this.fleet = fleet;
    this.purchases = purchases;
    this.auth = auth;
    this.sessions = sessions;
    this.refreshAll = refreshAll;
  }

  /** Adds the API's routes and JSON error pages to {@code router}. */
  void mount(Router router) {
    router.get("/health").handler(this::health);
    // Reads need the operator too (a session, or Basic for scripts); only /health is open here.
    router.get("/api/state").handler(sessions).handler(auth).handler(this::state);
    router.get("/api/heads").handler(sessions).handler(auth).handler(this::heads);
    router.get("/api/nodes/:node/purchases/:purchase").handler(sessions).handler(auth).handler(this::purchase);
    // The session handler (a platform handler) must come first, then the body handler, which
    // must see the request before any asynchronous handler.
    router.post("/api/nodes/:node/purchases").handler(sessions)
        .handler(BodyHandler.create(false).setBodyLimit(BODY_LIMIT)).handler(auth).handler(this::buy);
    router.delete("/api/nodes/:node/purchases/:purchase").handler(sessions).handler(auth).handler(this::cancel);
    // An unknown API path is a 404 here, not the page guard's 401 (a GET only: a wrong method stays a 405).
    router.get("/api/*").handler(ctx -> fail(ctx, ApiError.notFound("NOT_FOUND", "no such resource")));
    // E.g. a form body the body handler cannot decode (a broken multipart login).
    router.errorHandler(400, ctx -> fail(ctx, ApiError.badRequest("BAD_REQUEST", "the request is malformed")));
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

  private void heads(RoutingContext ctx) {
    refreshAll.get().onComplete(done -> json(ctx, 200, fleet.heads()));
  }

  private void purchase(RoutingContext ctx) {
    String node;
    long purchase;
    try {
      node = purchases.node(ctx.pathParam("node"));
      purchase = purchaseId(ctx);
    } catch (ApiError e) {
      fail(ctx, e);
      return;
    }
    purchases.get(node, purchase).onComplete(done -> respond(ctx, 200, done));
  }

  private void buy(RoutingContext ctx) {
    String node;
    String contract;
    try {
      node = purchases.node(ctx.pathParam("node"));
      contract = purchases.contract(contract(ctx));
    } catch (ApiError e) {
      fail(ctx, e);
      return;
    }
    purchases.buy(node, contract).onComplete(done -> {
      if (done.succeeded()) {
        ctx.response().putHeader("Location", "/api/nodes/" + node + "/purchases/" + done.result().getLong("purchase"));
      }
      respond(ctx, 202, done);
    });
  }

  private void cancel(RoutingContext ctx) {
    String node;
    long purchase;
    try {
      node = purchases.node(ctx.pathParam("node"));
      purchase = purchaseId(ctx);
    } catch (ApiError e) {
      fail(ctx, e);
      return;
    }
    purchases.cancel(node, purchase).onComplete(done -> respond(ctx, 200, done));
  }

  // ------------------------------------------------------------------ validation

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
    return contract;
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

  private static void respond(RoutingContext ctx, int status, io.vertx.core.AsyncResult<JsonObject> result) {
    if (result.succeeded()) {
      json(ctx, status, result.result());
    } else {
      fail(ctx, result.cause());
    }
  }

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
