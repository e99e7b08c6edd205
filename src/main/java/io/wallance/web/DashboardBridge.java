package io.wallance.web;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.bridge.BridgeEventType;
import io.vertx.ext.bridge.PermittedOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.sockjs.BridgeEvent;
import io.vertx.ext.web.handler.sockjs.SockJSBridgeOptions;
import io.vertx.ext.web.handler.sockjs.SockJSHandler;
import io.vertx.ext.web.handler.sockjs.SockJSHandlerOptions;
import io.wallance.cluster.Addresses;
import java.util.Set;

/**
 * The dashboard's SockJS event-bus bridge at {@code /eventbus/*}.
 *
 * <p>Inbound, the page may only send (request-reply) to {@link Addresses#dashboardBuy()} and
 * {@link Addresses#dashboardCancel()}: consumers of this verticle that validate the body and
 * sign the operator command here, so the browser never signs and never reaches a node's
 * address. Outbound, it may only receive the observer events ({@link Addresses#events()}).
 * Everything else is refused by the bridge (deny by default). Every bridge request needs the
 * operator's login session and this server's origin, and each send, registration and
 * delivered event is checked again against the socket's session: once it is logged out or
 * expired (idle or absolute, {@link WebConfig.Sessions}) the socket is closed. A send counts
 * as activity for the idle expiry.
 */
final class DashboardBridge {
  /** Bridge event types that need the operator's session (replies to our own messages pass). */
  private static final Set<BridgeEventType> GUARDED = Set.of(BridgeEventType.SOCKET_CREATED, BridgeEventType.SEND,
      BridgeEventType.PUBLISH, BridgeEventType.REGISTER);

  private final Vertx vertx;
  private final Addresses addresses;
  private final Purchases purchases;

  DashboardBridge(Vertx vertx, Addresses addresses, Purchases purchases) {
    this.vertx = vertx;
    this.addresses = addresses;
    this.purchases = purchases;
  }

  /** @return what the bridge lets through, built from {@link Addresses} only */
  SockJSBridgeOptions options() {
    return new SockJSBridgeOptions()
        .addInboundPermitted(new PermittedOptions().setAddress(addresses.dashboardBuy()))
        .addInboundPermitted(new PermittedOptions().setAddress(addresses.dashboardCancel()))
        .addOutboundPermitted(new PermittedOptions().setAddress(addresses.events()));
  }

  /**
   * Registers the two web-side consumers, in this JVM only (no other cluster member can send
   * to them).
   */
  Future<Void> register() {
    MessageConsumer<Object> buy = vertx.eventBus().localConsumer(addresses.dashboardBuy(), this::onBuy);
    MessageConsumer<Object> cancel = vertx.eventBus().localConsumer(addresses.dashboardCancel(), this::onCancel);
    return Future.all(buy.completion(), cancel.completion()).mapEmpty();
  }

  /** Mounts the bridge behind the session, origin and login checks. */
  void mount(Router router, OperatorSessions sessions) {
    router.route("/eventbus/*").handler(sessions.handler());
    router.route("/eventbus/*").handler(sessions::requireOperator);
    SockJSHandler sockJS = SockJSHandler.create(vertx, new SockJSHandlerOptions().setInsertJSESSIONID(false));
    router.route("/eventbus/*").subRouter(sockJS.bridge(options(), this::onBridgeEvent));
  }

  private void onBridgeEvent(BridgeEvent event) {
    if (event.type() == BridgeEventType.PUBLISH) {
      event.complete(false); // the permitted inbound addresses are request-reply only
    } else if (GUARDED.contains(event.type()) || event.type() == BridgeEventType.RECEIVE) {
      io.vertx.ext.web.Session session = event.socket().webSession();
      boolean live = OperatorSessions.loggedIn(session);
      if (live && event.type() == BridgeEventType.SEND) {
        session.setAccessed(); // an operator's action keeps the session alive, as an HTTP request does
      }
      event.complete(live);
      if (!live && event.type() != BridgeEventType.SOCKET_CREATED) {
        event.socket().close(); // logged out or expired: the page finds out and shows the login
      }
    } else {
      event.complete(true);
    }
  }

  private void onBuy(Message<Object> message) {
    try {
      JsonObject body = body(message, "contract");
      String node = purchases.node(body.getString("node"));
      String contract = purchases.contract(body.getString("contract"));
      purchases.buy(node, contract).onComplete(done -> answer(message, done));
    } catch (ApiError | ClassCastException e) {
      fail(message, e);
    }
  }

  private void onCancel(Message<Object> message) {
    try {
      JsonObject body = body(message, "purchase");
      String node = purchases.node(body.getString("node"));
      if (!(body.getValue("purchase") instanceof Number n) || n.longValue() < 1 || n.doubleValue() != n.longValue()) {
        throw Purchases.unknownPurchase(node, 0);
      }
      purchases.cancel(node, n.longValue()).onComplete(done -> answer(message, done));
    } catch (ApiError | ClassCastException e) {
      fail(message, e);
    }
  }

  /** @return the body: a JSON object with exactly {@code node} and {@code other} */
  private static JsonObject body(Message<Object> message, String other) {
    if (!(message.body() instanceof JsonObject body) || body.size() != 2 || !body.containsKey("node")
        || !body.containsKey(other)) {
      throw ApiError.badRequest("BAD_JSON", "the body must be {\"node\": ..., \"" + other + "\": ...}");
    }
    return body;
  }

  private static void answer(Message<Object> message, io.vertx.core.AsyncResult<JsonObject> done) {
    if (done.succeeded()) {
      message.reply(done.result());
    } else {
      fail(message, done.cause());
    }
  }

  /** Fails the request with the API's status and {@code CODE: message}, as the page shows it. */
  private static void fail(Message<Object> message, Throwable failure) {
    ApiError e = failure instanceof ApiError a ? a
        : failure instanceof ClassCastException ? ApiError.badRequest("BAD_JSON", "a field has the wrong type")
        : new ApiError(500, "INTERNAL", "internal error", null);
    message.fail(e.status, e.code + ": " + e.getMessage());
  }
}
