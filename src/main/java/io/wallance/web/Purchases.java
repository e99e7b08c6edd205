package io.wallance.web;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.wallance.protocol.Registry;
import java.util.List;
import java.util.function.Function;

/**
 * The operator's two actions, buy and cancel, shared by the HTTP API and the dashboard's
 * SockJS bridge: validates the node and contract, sends the signed command through
 * {@link OperatorCommands} and records the node's answer in the {@link Fleet} view. Every
 * failure is an {@link ApiError}.
 */
final class Purchases {
  private final Fleet fleet;
  private final OperatorCommands commands;
  private final Function<String, Future<Void>> refreshOne;

  /** @param refreshOne queries one node and updates the fleet view */
  Purchases(Registry registry, Fleet fleet, OperatorCommands commands, Function<String, Future<Void>> refreshOne) {
    this.fleet = fleet;
    this.commands = commands;
    this.refreshOne = refreshOne;
  }

  /**
   * @param given a member id, or a member name that is unique in the registry
   * @return the member id
   * @throws ApiError 404 {@code UNKNOWN_NODE}
   */
  String node(String given) {
    if (given != null && fleet.isMember(given)) {
      return given;
    }
    List<Registry.Party> named = fleet.registry().members().stream().filter(m -> m.name().equals(given)).toList();
    if (named.size() == 1) {
      return named.get(0).id();
    }
    throw ApiError.notFound("UNKNOWN_NODE", "no member with id or name " + OperatorApi.quote(given));
  }

  /**
   * @param contract a contract name
   * @return the name, when the registry's catalogue has it
   * @throws ApiError 400 {@code UNKNOWN_CONTRACT}
   */
  String contract(String contract) {
    Registry registry = fleet.registry();
    if (contract == null || registry.price(contract) == null) {
      throw ApiError.badRequest("UNKNOWN_CONTRACT", "unknown contract " + OperatorApi.quote(contract)
          + "; the catalogue has " + String.join(", ", registry.contracts().keySet()));
    }
    return contract;
  }

  /**
   * Asks {@code node} to buy {@code contract}.
   *
   * @return the purchase as known after the node's reply, with {@code accepted}
   */
  Future<JsonObject> buy(String node, String contract) {
    return commands.buy(node, contract).map(reply -> {
      fleet.onCommandReply(node, contract, reply);
      long purchase = reply.getLong("purchase");
      return fleet.purchase(node, purchase).orElseGet(JsonObject::new).put("accepted", reply.getValue("accepted"));
    });
  }

  /**
   * Cancels a purchase still waiting for funds; an already cancelled one is returned as it is.
   *
   * @return the purchase, {@code "state": "cancelled"}
   */
  Future<JsonObject> cancel(String node, long purchase) {
    return refreshOne.apply(node).compose(refreshed -> {
      JsonObject known = fleet.purchase(node, purchase).orElse(null);
      if (known == null || known.getString("contract") == null) {
        return Future.failedFuture(unknownPurchase(node, purchase));
      }
      String state = known.getString("state");
      if ("cancelled".equals(state)) {
        return Future.succeededFuture(known);
      }
      if (state != null && !"waiting".equals(state)) {
        return Future.failedFuture(ApiError.conflict("NOT_CANCELLABLE", "purchase " + purchase + " is " + state
            + "; only a purchase still waiting for funds can be cancelled"));
      }
      return commands.cancel(node, purchase, known.getString("contract")).compose(reply -> {
        fleet.onCommandReply(node, known.getString("contract"), reply);
        JsonObject now = fleet.purchase(node, purchase).orElse(known);
        return "cancelled".equals(reply.getString("state"))
            ? Future.succeededFuture(now)
            : Future.failedFuture(ApiError.conflict("NOT_CANCELLABLE", "purchase " + purchase + " is "
                + reply.getString("state") + " and can no longer be cancelled"));
      });
    });
  }

  /** @return what is known of a purchase after asking its node, or 404 {@code UNKNOWN_PURCHASE} */
  Future<JsonObject> get(String node, long purchase) {
    return refreshOne.apply(node).compose(done -> fleet.purchase(node, purchase)
        .map(Future::succeededFuture)
        .orElseGet(() -> Future.failedFuture(unknownPurchase(node, purchase))));
  }

  static ApiError unknownPurchase(String node, long purchase) {
    return ApiError.notFound("UNKNOWN_PURCHASE", "node " + node.substring(0, 12) + " has no purchase " + purchase);
  }
}
