package io.wallance.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import io.wallance.cli.Main;
import io.wallance.cluster.ClusterFactory;
import io.wallance.cluster.ClusterOptions;
import io.wallance.cluster.EventFrames;
import io.wallance.it.LocalNetwork.Node;
import io.wallance.protocol.Command;
import io.wallance.protocol.Registry;
import io.wallance.tls.TlsFiles;
import io.wallance.web.PasswordHash;
import io.wallance.web.WebConfig;
import io.wallance.web.WebVerticle;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Four node processes from the real jar with mutual TLS on the event bus (certificates of a
 * project CA made by the {@code cert} command), and the web verticle serving HTTPS: purchases
 * finalize over TLS, a cluster member without a certificate joins Hazelcast but hears nothing
 * and reaches no node, and the {@code status} client works over HTTPS only with the CA given.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class TlsNetworkIT {
  private static final String PASSWORD = "tls-pw";
  private static LocalNetwork network;
  private static Vertx intruder;
  private static String base;

  @BeforeAll
  static void start() throws Exception {
    network = LocalNetwork.startWithTls("TlsNetworkIT", 4, 5, 300);
    Path dir = network.dir();
    Path hash = dir.resolve("operator.password");
    Files.writeString(hash, PasswordHash.create(PASSWORD, 10_000).line() + "\n");
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    Path tls = network.tlsDir();
    WebConfig config = new WebConfig(dir.resolve("registry.txt"), List.of(), dir.resolve("keys/operator.key"), hash,
        dir.resolve("web"), "127.0.0.1", port, ClusterOptions.loopback(network.clusterName(), List.of(1), 1, true, 5),
        null).withTls(new TlsFiles(tls.resolve("ca.crt"), tls.resolve("observer.crt"), tls.resolve("observer.key"))
        .check());
    Registry registry = config.loadRegistry();
    network.observer().deployVerticle(new WebVerticle(config, registry, config.loadOperatorKey(registry),
        config.loadPasswordHash())).await(30, TimeUnit.SECONDS);
    base = "https://127.0.0.1:" + port;
  }

  @AfterAll
  static void stop() throws Exception {
    if (intruder != null) {
      intruder.close().await(30, TimeUnit.SECONDS);
    }
    if (network != null) {
      network.close();
    }
  }

  @Test
  void purchasesFinalizeOverTlsAndAMemberWithoutCertificateHearsAndReachesNothing() throws Exception {
    // The intruder: a full Hazelcast member of the same cluster, plain event bus.
    ClusterOptions own;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      own = network.outsiderOptions(s.getLocalPort());
    }
    var manager = ClusterFactory.clusterManager(own);
    intruder = ClusterFactory.start(own, manager).await(60, TimeUnit.SECONDS);
    // It is in: Hazelcast (not TLS) admitted it and it sees every node and the observer.
    LocalNetwork.awaitTrue("the intruder sees the whole cluster", Duration.ofSeconds(30),
        () -> manager.getNodes().size() == network.nodes().size() + 2);
    ConcurrentLinkedQueue<JsonObject> heard = new ConcurrentLinkedQueue<>();
    intruder.eventBus().consumer(network.addresses().events(), m -> EventFrames.each(m.body(), heard::add)).completion()
        .await(10, TimeUnit.SECONDS);

    Node buyer = network.node(0);
    assertThat(network.command(buyer, Command.Action.BUY, "Receipt", 1).getBoolean("accepted")).isTrue();
    String request = PurchaseIT.awaitRequest(network, buyer, 1);
    PurchaseIT.awaitFinalEverywhere(network, request);
    PurchaseIT.awaitSameCheckpoint(network);

    // The intruder tries the operator's command address and a node's query address.
    Node target = network.node(1);
    long chainBefore = network.query(target).getLong("chain");
    for (String address : List.of(network.addresses().query(target.id()), network.addresses().command(target.id()))) {
      assertNoReplyWithoutCertificate(intruder, address);
    }
    // Honest traffic went on the whole time; the intruder heard none of it.
    assertThat(network.events(e -> "finalized".equals(e.getString("type")))).isNotEmpty();
    assertThat(heard).isEmpty();
    assertThat(network.query(target).getLong("chain")).isEqualTo(chainBefore);
  }

  @Test
  void statusWorksOverHttpsWithTheProjectCaAndFailsClearlyWithoutIt() throws Exception {
    Path ca = network.tlsDir().resolve("ca.crt");
    LocalNetwork.awaitTrue("status over https", Duration.ofSeconds(60), () -> run("status", "--url", base, "--password", PASSWORD, "--ca",
        ca.toString()).code == 0);
    Result ok = run("status", "--url", base, "--password", PASSWORD, "--ca", ca.toString());
    assertThat(ok.out).contains("pi1", "pi2", "pi3", "pi4");

    Result untrusted = run("status", "--url", base, "--password", PASSWORD);
    assertThat(untrusted.code).isNotZero();
    assertThat(untrusted.err).contains("not trusted").contains("--ca");

    Result plain = run("status", "--url", base.replace("https://", "http://"), "--password", PASSWORD);
    assertThat(plain.code).isNotZero();

    Result wrongScheme = run("status", "--url", base.replace("https://", "http://"), "--password", PASSWORD,
        "--ca", ca.toString());
    assertThat(wrongScheme.code).isNotZero();
    assertThat(wrongScheme.err).contains("--ca is for an https://");

    // registry --continue-from reads the live heads from the dashboard: over HTTPS, with --ca only.
    List<String> continuing = List.of("registry", "--operator-key", network.dir().resolve("keys/operator.key")
        .toString(), "--previous", network.dir().resolve("registry.txt").toString(), "--remove", "pi4",
        "--continue-from", base, "--password", PASSWORD);
    Path out = network.dir().resolve("continuing.txt");
    List<String> noCa = new java.util.ArrayList<>(continuing);
    noCa.addAll(List.of("--out", out.toString()));
    Result untrustedHeads = run(noCa.toArray(String[]::new));
    assertThat(untrustedHeads.code).isNotZero();
    assertThat(untrustedHeads.err).contains("not trusted");
    assertThat(out).doesNotExist();
    List<String> withCa = new java.util.ArrayList<>(noCa);
    withCa.addAll(List.of("--ca", ca.toString()));
    // With the CA the heads are read over HTTPS; the command then applies the protocol's own rule
    // (pi4 answers, so it may not be removed by a continuing epoch): proof that the live views came in.
    Result heads = run(withCa.toArray(String[]::new));
    assertThat(heads.err).doesNotContain("not trusted").contains("pi4 is online but removed");
    assertThat(out).doesNotExist();
  }

  private record Result(int code, String out, String err) {}

  private static Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.commandLine().setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true)).execute(args);
    return new Result(code, out.toString(), err.toString());
  }

  /**
   * A request from a member without a certificate times out: not "no handlers" (it knows the
   * node's handler, Hazelcast told it), the node never answered because the TLS handshake
   * without a certificate failed.
   */
  static void assertNoReplyWithoutCertificate(io.vertx.core.Vertx intruder, String address) {
    Throwable failure = null;
    try {
      intruder.eventBus().request(address, new JsonObject(), new DeliveryOptions().setSendTimeout(3_000))
          .await(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      failure = e;
    }
    assertThat(failure).as("a reply from %s without a certificate", address).isInstanceOf(ReplyException.class);
    assertThat(((ReplyException) failure).failureType()).isEqualTo(io.vertx.core.eventbus.ReplyFailure.TIMEOUT);
  }
}
