package io.wallance.node;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.wallance.cluster.Addresses;
import io.wallance.ledger.Rules;
import io.wallance.metrics.NodeMetrics;
import io.wallance.metrics.Observability;
import io.wallance.protocol.Crypto;
import io.wallance.protocol.Registry;
import io.wallance.protocol.Signed;
import io.wallance.sensor.RecentReadings;
import io.wallance.sensor.SensorFactory;
import io.wallance.store.LedgerStore;
import io.wallance.store.StoreOptions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

/**
 * Deploys one node's three verticles on a Vert.x (clustered for a real node, plain in unit
 * tests): it opens the ledger store in the data directory on a worker, then deploys the node
 * first, so its local consumers exist before the contract verticle reports its catalogue and
 * the sensor asks for shares. The node verticle closes the store when it stops. When the
 * config has {@code metrics}, the {@link NodeMetrics} observer and its HTTP server come last.
 */
public final class NodeDeployment {

  private NodeDeployment() {
  }

  /** As {@link #deploy(Vertx, NodeConfig, Crypto.KeyPair, Signed, List)} without registry updates. */
  public static Future<Void> deploy(Vertx vertx, NodeConfig config, Crypto.KeyPair key, Signed<Registry> genesis) {
    return deploy(vertx, config, key, genesis, List.of());
  }

  /**
   * @param vertx where to deploy
   * @param config the node's configuration (sensor, data and contracts directories, rate limit, store)
   * @param key the member's key, already read
   * @param genesis the genesis registry, already read
   * @param updates the registries of later epochs named by the config, already read
   * @return completes when all three verticles run; fails with a one-line reason
   */
  public static Future<Void> deploy(Vertx vertx, NodeConfig config, Crypto.KeyPair key, Signed<Registry> genesis,
      List<Signed<Registry>> updates) {
    List<Registry> all = new ArrayList<>(List.of(genesis.body()));
    updates.forEach(u -> all.add(u.body()));
    all.sort(Comparator.comparingLong(Registry::epoch).reversed());
    Registry newest = all.get(0);
    Registry.Party self = all.stream().map(r -> r.member(key.id())).filter(p -> p != null).findFirst().orElse(null);
    if (self == null) {
      return Future.failedFuture("the key " + config.keyFile() + " (" + key.id() + ") is not a member of the"
          + " registry " + config.registryFile() + " nor of its updates");
    }
    Rules rules;
    try {
      rules = BrokenRules.fromSystemProperty(self.name()); // test only; Rules.none() on a real node
    } catch (IllegalArgumentException e) {
      return Future.failedFuture("system property " + BrokenRules.PROPERTY + ": " + e.getMessage());
    }
    Addresses addresses = new Addresses(genesis.body().net());
    Random random = new SecureRandom();
    StoreOptions storeOptions = new StoreOptions(config.dataDir(), config.storeSync());
    return vertx.executeBlocking(() -> LedgerStore.open(storeOptions))
        .compose(store -> vertx.deployVerticle(new NodeVerticle(key, genesis, updates, config.rateLimit(),
                NodeVerticle.monotonicClock(), store, config.crashAt(), rules))
            .recover(e -> vertx.executeBlocking(() -> {
              store.close(); // the node never ran: give the directory back
              return null;
            }).transform(x -> Future.failedFuture(e)))
            .compose(x -> vertx.deployVerticle(new ContractVerticle(config.dataDir(), config.contractsDir(), newest,
                addresses, key.id(), self.name(), store, config.crashAt()))))
        .compose(x -> vertx.deployVerticle(new SensorVerticle(SensorFactory.create(config.sensor().options(), random),
            config.sensor(), addresses, key.id(), self.name(), random, new RecentReadings(RecentReadings.DEFAULT_CAPACITY))))
        .compose(x -> config.metrics() == null ? Future.succeededFuture() : vertx.deployVerticle(new NodeMetrics(
            addresses, key.id(), self.name(), newest, config.metrics().host(), config.metrics().port(),
            Observability.registry(), null).https(config.tls())))
        .mapEmpty();
  }
}
