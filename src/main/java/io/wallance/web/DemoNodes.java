package io.wallance.web;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.wallance.cluster.Addresses;
import io.wallance.protocol.ProtocolException;
import io.wallance.protocol.Registry;
import io.wallance.protocol.Signed;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /api/demo/nodes} (operator password required), served only by the {@code demo}
 * command's dashboard: asks the {@link NodeAdder} for a new member, checks the signed epoch
 * that adds it against the one the dashboard holds (next epoch, signed by one of its
 * operators), adopts it in the {@link Fleet} view and publishes it on {@code gossip}, as an
 * operator would, so the running nodes adopt it at once (they would also learn it from the
 * new node or any peer's status, PROTOCOL.md 9.9).
 */
final class DemoNodes {
  private static final Logger LOG = LoggerFactory.getLogger(DemoNodes.class);

  private final Vertx vertx;
  private final Fleet fleet;
  private final Addresses addresses;
  private final NodeAdder adder;

  DemoNodes(Vertx vertx, Fleet fleet, Addresses addresses, NodeAdder adder) {
    this.vertx = vertx;
    this.fleet = fleet;
    this.addresses = addresses;
    this.adder = adder;
  }

  /** Adds the route, behind the session handler and the operator check. */
  void mount(Router router, Handler<RoutingContext> sessions, OperatorAuth auth) {
    router.post("/api/demo/nodes").handler(sessions).handler(auth).handler(this::add);
  }

  private void add(RoutingContext ctx) {
    // Ordered: one addition at a time, each from the epoch the previous one wrote.
    vertx.<NodeAdder.Added>executeBlocking(adder::add, true).compose(this::adopt).onComplete(done -> {
      if (done.succeeded()) {
        NodeAdder.Added a = done.result();
        Registry r = a.registry().body();
        OperatorApi.json(ctx, 201, new JsonObject().put("name", a.name()).put("id", a.id())
            .put("epoch", r.epoch()).put("members", r.members().size()).put("quorum", r.quorumSize())
            .put("log", a.log()));
      } else if (done.cause() instanceof IllegalStateException refused) {
        OperatorApi.fail(ctx, ApiError.conflict("CANNOT_ADD", refused.getMessage()));
      } else {
        LOG.warn("adding a node failed", done.cause());
        OperatorApi.fail(ctx, new ApiError(500, "ADD_FAILED", "adding a node failed: " + done.cause().getMessage(),
            null));
      }
    });
  }

  /** On the verticle's context: verify, adopt, publish. */
  private Future<NodeAdder.Added> adopt(NodeAdder.Added added) {
    Signed<Registry> next = added.registry();
    try {
      if (!next.verifies()) {
        throw new ProtocolException(io.wallance.protocol.Reason.BAD_SIGNATURE, "the new epoch's signature is invalid");
      }
      next.body().validateSuccessorOf(fleet.registry());
    } catch (ProtocolException e) {
      return Future.failedFuture(new IllegalArgumentException("the new epoch is refused: " + e.getMessage(), e));
    }
    fleet.adopt(next.body());
    vertx.eventBus().publish(addresses.gossip(), next.wireText());
    return Future.succeededFuture(added);
  }
}
