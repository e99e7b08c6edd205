package io.wallance.node;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.wallance.cluster.Addresses;
import io.wallance.contract.Contract;
import io.wallance.contract.ContractCatalogue;
import io.wallance.contract.ContractResult;
import io.wallance.contract.ContractRunner;
import io.wallance.contract.RunnerOptions;
import io.wallance.protocol.Registry;
import io.wallance.store.LedgerStore;
import io.wallance.store.PurchaseRecord;
import io.wallance.store.StoreException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads the contract catalogue (the configured directory, or the one bundled in the jar,
 * extracted under the data directory), reports its digest and whether it differs from the
 * registry's catalogue ({@code catalogue} event, and to the node for its view), and runs the
 * action of each of the node's own finalized purchases once, on the runner's threads
 * ({@code contract} event with the result).
 *
 * <p>Finalized purchases arrive only on the in-JVM address {@link Addresses#localPurchased},
 * never from the cluster, so no other member can make this node run anything.
 *
 * <p>Runs are durable ({@link ContractRunLog}): a run is recorded before the contract starts
 * and completed after it ends; a request already in the log (completed, or interrupted by a
 * crash) is never started again by itself. At start, a purchase the store shows final whose
 * run was never recorded (the node died between finality and the start) is run now: that is
 * its first run, not a repeat.
 */
public final class ContractVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(ContractVerticle.class);
  /** Request hashes already run; bounded, and far larger than purchases in flight. */
  private static final int REMEMBER = 4096;

  private final Path dataDir;
  private final Path contractsDir;
  private final Registry registry;
  private final Addresses addresses;
  private final String me;
  private final String name;
  private final Set<String> ran = new LinkedHashSet<>();
  private final LedgerStore store;
  private final CrashPoint crashAt;
  private ContractCatalogue catalogue;
  private ContractRunner runner;
  private ObserverEvents events;

  /**
   * @param dataDir the node's data directory (receipts, extracted bundled contracts)
   * @param contractsDir the catalogue directory, or null for the bundled one
   * @param registry the registry whose catalogue this node's must match
   * @param addresses the network's addresses
   * @param me the node's id
   * @param name the node's registry name
   * @param store the node's ledger store (its contract-run log)
   * @param crashAt test only: the crash point, or null
   */
  public ContractVerticle(Path dataDir, Path contractsDir, Registry registry, Addresses addresses, String me,
      String name, LedgerStore store, CrashPoint crashAt) {
    this.store = Objects.requireNonNull(store, "store");
    this.crashAt = crashAt;
    this.dataDir = Objects.requireNonNull(dataDir, "dataDir");
    this.contractsDir = contractsDir;
    this.registry = Objects.requireNonNull(registry, "registry");
    this.addresses = Objects.requireNonNull(addresses, "addresses");
    this.me = Objects.requireNonNull(me, "me");
    this.name = Objects.requireNonNull(name, "name");
  }

  @Override
  public Future<?> start() {
    events = new ObserverEvents(vertx.eventBus(), addresses, me, name);
    runner = new ContractRunner(RunnerOptions.defaults(dataDir.resolve("receipts")));
    ClassLoader loader = ContractVerticle.class.getClassLoader();
    return vertx.executeBlocking(() -> contractsDir == null
            ? ContractCatalogue.loadBundled(loader, dataDir.resolve("contracts"))
            : ContractCatalogue.load(contractsDir))
        .compose(loaded -> {
          catalogue = loaded;
          report();
          MessageConsumer<Object> consumer = vertx.eventBus().localConsumer(addresses.localPurchased(me),
              this::onPurchased);
          return consumer.completion();
        })
        .compose(x -> vertx.executeBlocking(this::finalNeverStarted))
        .onSuccess(missed -> missed.forEach(p -> run(p.id(), p.request(), p.contract())));
  }

  /** Own purchases the store shows final whose run was never recorded. */
  private List<PurchaseRecord> finalNeverStarted() throws StoreException {
    List<PurchaseRecord> out = new ArrayList<>();
    for (PurchaseRecord p : store.loadPurchases()) {
      if ("final".equals(p.state()) && p.request() != null && store.runs().find(p.request()).isEmpty()) {
        out.add(p);
      }
    }
    return out;
  }

  @Override
  public Future<?> stop() {
    if (runner != null) {
      runner.close();
    }
    return Future.succeededFuture();
  }

  private void report() {
    boolean differs = !catalogue.digest().equals(registry.catalogueDigest());
    if (differs) {
      LOG.warn("contract catalogue {} differs from the registry's (digest {} vs {}): purchases of changed"
          + " contracts will not match the other nodes", catalogue.directory(), catalogue.digest(),
          registry.catalogueDigest());
    }
    events.publish("catalogue", new JsonObject().put("digest", catalogue.digest()).put("differs", differs)
        .put("registryDigest", registry.catalogueDigest()));
    JsonArray contracts = new JsonArray();
    catalogue.contracts().forEach(c -> contracts.add(new JsonObject().put("name", c.name()).put("price", c.price())
        .put("description", c.description())));
    vertx.eventBus().send(addresses.localCatalogue(me), new JsonObject().put("digest", catalogue.digest())
        .put("differs", differs).put("contracts", contracts), new DeliveryOptions().setLocalOnly(true));
  }

  private void onPurchased(Message<Object> m) {
    if (!(m.body() instanceof JsonObject body) || !(body.getValue("request") instanceof String request)
        || !(body.getValue("contract") instanceof String contractName)
        || !(body.getValue("purchase") instanceof Number purchase)) {
      LOG.error("ignoring a malformed purchase notice: {}", m.body());
      return;
    }
    run(purchase.longValue(), request, contractName);
  }

  private void run(long purchase, String request, String contractName) {
    if (!ran.add(request)) {
      return; // exactly once per purchase
    }
    if (ran.size() > REMEMBER) {
      ran.remove(ran.iterator().next());
    }
    JsonObject event = new JsonObject().put("purchase", purchase).put("request", request)
        .put("contract", contractName);
    Optional<Contract> contract = catalogue.find(contractName);
    if (contract.isEmpty()) {
      events.publish("contract", event.put("status", "missing").putNull("exitCode").put("durationMs", 0)
          .put("output", "contract " + contractName + " is not in this node's catalogue"));
      return;
    }
    vertx.executeBlocking(() -> store.runs().begin(purchase, request, contractName, System.currentTimeMillis()))
        .onFailure(e -> LOG.error("cannot record the start of the run of purchase {}; not running it", purchase, e))
        .onSuccess(begun -> {
          if (!begun) {
            LOG.info("the run of purchase {} (request {}) is already recorded; not running it again", purchase,
                request);
            return;
          }
          Future<ContractResult> result = Future.fromCompletionStage(runner.run(contract.get(), me,
              Long.toString(purchase)), context);
          CrashPoint.CONTRACT_RUN.haltIf(crashAt);
          result.onComplete(ar -> {
            JsonObject done;
            if (ar.succeeded()) {
              ContractResult r = ar.result();
              done = event.put("status", r.status().name().toLowerCase(Locale.ROOT))
                  .put("exitCode", r.exitCode() == ContractResult.NO_EXIT_CODE ? null : r.exitCode())
                  .put("durationMs", r.durationMillis()).put("output", r.outputTail());
            } else {
              done = event.put("status", "not_started").putNull("exitCode").put("durationMs", 0)
                  .put("output", String.valueOf(ar.cause().getMessage()));
            }
            String outcome = done.getString("status") + (done.getValue("exitCode") == null ? ""
                : " exit=" + done.getValue("exitCode"));
            vertx.executeBlocking(() -> store.runs().complete(request, outcome, System.currentTimeMillis()))
                .onFailure(e -> LOG.error("cannot record the end of the run of purchase {}", purchase, e))
                .onComplete(x -> events.publish("contract", done));
          });
        });
  }
}
