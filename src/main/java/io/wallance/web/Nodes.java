package io.wallance.web;

import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;

/**
 * Talks to nodes over the event bus with request-reply and timeouts: their {@code query}
 * and {@code command} addresses (docs/ARCHITECTURE.md). Failures become {@link ApiError}s:
 * no handler or no reply in time is 503 (node unreachable); a refusal by the node keeps its
 * typed reason.
 */
final class Nodes {
  /** How long a node may take to answer a query. */
  static final long QUERY_TIMEOUT_MS = 2_000;
  /** How long a node may take to answer a command (it persists before replying). */
  static final long COMMAND_TIMEOUT_MS = 5_000;

  private final EventBus bus;
  private final String net;

  Nodes(EventBus bus, String net) {
    this.bus = bus;
    this.net = net;
  }

  /** @return the node's view, or a failed future ({@link ApiError} 503 when unreachable) */
  Future<JsonObject> query(String node) {
    return bus.<Object>request(Addresses.query(net, node), new JsonObject(),
            new DeliveryOptions().setSendTimeout(QUERY_TIMEOUT_MS))
        .recover(e -> Future.failedFuture(translate(node, e)))
        .compose(reply -> reply.body() instanceof JsonObject view
            ? Future.succeededFuture(view)
            : Future.failedFuture(ApiError.badGateway("node " + node.substring(0, 12) + " sent a malformed view")));
  }

  /** @return the node's command reply, or a failed future with an {@link ApiError} */
  Future<JsonObject> command(String node, String wire) {
    return bus.<Object>request(Addresses.command(net, node), wire,
            new DeliveryOptions().setSendTimeout(COMMAND_TIMEOUT_MS))
        .recover(e -> Future.failedFuture(translate(node, e)))
        .compose(reply -> reply.body() instanceof JsonObject json
            ? Future.succeededFuture(json)
            : Future.failedFuture(ApiError.badGateway("node " + node.substring(0, 12) + " sent a malformed reply")));
  }

  private static Throwable translate(String node, Throwable e) {
    if (e instanceof ReplyException re) {
      if (re.failureType() == ReplyFailure.NO_HANDLERS || re.failureType() == ReplyFailure.TIMEOUT) {
        return ApiError.unavailable("node " + node.substring(0, 12) + " is unreachable ("
            + (re.failureType() == ReplyFailure.TIMEOUT ? "no reply in time" : "not in the cluster") + ")");
      }
      return ApiError.refused(re.getMessage());
    }
    return ApiError.unavailable("node " + node.substring(0, 12) + " is unreachable: " + e.getMessage());
  }
}
