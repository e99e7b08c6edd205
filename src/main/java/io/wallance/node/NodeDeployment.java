package io.wallance.node;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.wallance.cluster.Addresses;
import io.wallance.protocol.Crypto;
import io.wallance.protocol.Registry;
import io.wallance.protocol.Signed;
import io.wallance.sensor.RecentReadings;
import io.wallance.sensor.SensorFactory;
import java.security.SecureRandom;
import java.util.Random;

/**
 * Deploys one node's three verticles on a Vert.x (clustered for a real node, plain in unit
 * tests): the node first, so its local consumers exist before the contract verticle reports
 * its catalogue and the sensor asks for shares.
 */
public final class NodeDeployment {

  private NodeDeployment() {
  }

  /**
   * @param vertx where to deploy
   * @param config the node's configuration (sensor, data and contracts directories, rate limit)
   * @param key the member's key, already read
   * @param genesis the genesis registry, already read
   * @return completes when all three verticles run; fails with a one-line reason
   */
  public static Future<Void> deploy(Vertx vertx, NodeConfig config, Crypto.KeyPair key, Signed<Registry> genesis) {
    Registry registry = genesis.body();
    Registry.Party self = registry.member(key.id());
    if (self == null) {
      return Future.failedFuture("the key " + config.keyFile() + " (" + key.id() + ") is not a member of the"
          + " registry " + config.registryFile());
    }
    Addresses addresses = new Addresses(registry.net());
    Random random = new SecureRandom();
    return vertx.deployVerticle(new NodeVerticle(key, genesis, config.rateLimit(), NodeVerticle.monotonicClock()))
        .compose(x -> vertx.deployVerticle(new ContractVerticle(config.dataDir(), config.contractsDir(), registry,
            addresses, key.id(), self.name())))
        .compose(x -> vertx.deployVerticle(new SensorVerticle(SensorFactory.create(config.sensor().options(), random),
            config.sensor(), addresses, key.id(), self.name(), random, new RecentReadings(RecentReadings.DEFAULT_CAPACITY))))
        .mapEmpty();
  }
}
