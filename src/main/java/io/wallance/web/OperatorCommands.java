package io.wallance.web;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.wallance.protocol.Command;
import io.wallance.protocol.Command.Action;
import io.wallance.protocol.Crypto;
import io.wallance.protocol.Registry;
import io.wallance.protocol.Signed;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * Signs operator commands and sends them to nodes.
 *
 * <p>Each command carries the next counter for its node, taken from {@link CommandCounters}
 * (stored durably before sending), and commands to one node go out one at a time, so they
 * arrive in counter order. When a node refuses one with {@code BAD_COMMAND} and its view
 * shows it has already accepted that counter (our counter file was lost or copied), the
 * counter is raised past the node's and the command is retried once.
 */
final class OperatorCommands {
  private final Vertx vertx;
  private final Registry registry;
  private final Crypto.KeyPair operator;
  private final CommandCounters counters;
  private final Nodes nodes;
  private final Map<String, Future<?>> queues = new HashMap<>();

  OperatorCommands(Vertx vertx, Registry registry, Crypto.KeyPair operator, CommandCounters counters, Nodes nodes) {
    this.vertx = vertx;
    this.registry = registry;
    this.operator = operator;
    this.counters = counters;
    this.nodes = nodes;
  }

  /**
   * Asks {@code node} to buy {@code contract} under a new purchase id.
   *
   * @return the node's reply ({@code purchase}, {@code state}, {@code request}, {@code missingUnits})
   */
  Future<JsonObject> buy(String node, String contract) {
    return blocking(counters::nextPurchase)
        .compose(purchase -> queued(node, () -> attempt(node, Action.BUY, contract, purchase, true))
            .map(reply -> reply.copy().put("purchase", purchase)));
  }

  /**
   * Asks {@code node} to cancel a purchase whose request is not yet published.
   *
   * @return the node's reply
   */
  Future<JsonObject> cancel(String node, long purchase, String contract) {
    return queued(node, () -> attempt(node, Action.CANCEL, contract, purchase, true));
  }

  private Future<JsonObject> queued(String node, java.util.function.Supplier<Future<JsonObject>> task) {
    Future<?> tail = queues.getOrDefault(node, Future.succeededFuture());
    Future<JsonObject> result = tail.transform(ignored -> task.get());
    queues.put(node, result);
    return result;
  }

  private Future<JsonObject> attempt(String node, Action action, String contract, long purchase, boolean mayRetry) {
    return blocking(() -> counters.next(node)).compose(counter -> {
      Command command = new Command(registry.net(), operator.id(), node, counter, action, contract, purchase);
      String wire = Signed.sign(command, operator).wireText();
      return nodes.command(node, wire).recover(failure -> {
        if (mayRetry && failure instanceof ApiError e && "BAD_COMMAND".equals(e.reason)) {
          return resync(node, counter).compose(raised -> raised
              ? attempt(node, action, contract, purchase, false)
              : Future.failedFuture(failure));
        }
        return Future.failedFuture(failure);
      });
    });
  }

  /** @return true when the node had already accepted {@code sent} and our counter was raised past it */
  private Future<Boolean> resync(String node, long sent) {
    return nodes.query(node).compose(view -> {
      JsonObject seen = view.getValue("commandCounters") instanceof JsonObject c ? c : new JsonObject();
      long last = seen.getValue(operator.id()) instanceof Number n ? n.longValue() : 0;
      if (last < sent) {
        return Future.succeededFuture(false);
      }
      return blocking(() -> {
        counters.raise(node, last);
        return true;
      });
    });
  }

  private <T> Future<T> blocking(Callable<T> task) {
    return vertx.executeBlocking(task, true);
  }
}
