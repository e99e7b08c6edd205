package io.wallance.node;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.healthchecks.Status;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.healthchecks.HealthCheckHandler;
import io.vertx.spi.cluster.hazelcast.ClusterHealthCheck;
import io.wallance.cluster.Addresses;

/**
 * The node's small HTTP endpoint for service managers and deploy tools (Ansible waits on it
 * between Pis): {@code GET /health} (liveness: the process serves HTTP) and
 * {@code GET /readiness} (200 once the node's verticles run, the Hazelcast cluster is safe and
 * the node answers its own ledger query; 503 otherwise). The readiness body carries the node's
 * id, name and ledger and checkpoint digests, so a status check needs no dashboard. Read-only:
 * nothing here mutates the node. The observability issue extends it (metrics).
 */
public final class HealthServer {

  private static final long QUERY_TIMEOUT_MILLIS = 2_000;

  private HealthServer() {
  }

  /**
   * Starts the server once the node is deployed.
   *
   * @param vertx the node's clustered Vert.x
   * @param addresses the network's addresses
   * @param id the node's member id
   * @param host the interface to listen on
   * @param port the port to listen on
   * @return the listening server
   */
  public static Future<HttpServer> start(Vertx vertx, Addresses addresses, String id, String host, int port) {
    HealthChecks ready = HealthChecks.create(vertx);
    ready.register("cluster", ClusterHealthCheck.createProcedure(vertx));
    ready.register("node", QUERY_TIMEOUT_MILLIS + 500, (Promise<Status> p) -> vertx.eventBus()
        .<JsonObject>request(addresses.query(id), new JsonObject(),
            new DeliveryOptions().setSendTimeout(QUERY_TIMEOUT_MILLIS).setLocalOnly(true))
        .onSuccess(reply -> {
          JsonObject view = reply.body();
          p.complete(Status.OK(new JsonObject()
              .put("id", view.getString("id"))
              .put("name", view.getString("name"))
              .put("epoch", view.getValue("epoch"))
              .put("ledgerDigest", view.getString("ledgerDigest"))
              .put("checkpointDigest", view.getString("checkpointDigest"))
              .put("balanceUnits", view.getValue("balanceUnits"))));
        })
        .onFailure(e -> p.complete(Status.KO(new JsonObject().put("error", String.valueOf(e.getMessage()))))));
    Router router = Router.router(vertx);
    router.get("/health").handler(HealthCheckHandler.create(vertx));
    router.get("/readiness").handler(HealthCheckHandler.createWithHealthChecks(ready));
    return vertx.createHttpServer().requestHandler(router).listen(port, host);
  }
}
