package io.wallance.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import io.wallance.it.LocalNetwork.Node;
import io.wallance.ledger.LedgerChange;
import io.wallance.protocol.Command;
import io.wallance.store.LedgerStore;
import io.wallance.store.StoreOptions;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A real node whose data directory is on a tiny file system that fills up while purchases run
 * (a tmpfs mounted on pi4's data directory; needs root, as CI runs). What a demanding user
 * expects: the node stops publishing, voting and reporting finality (durable before
 * published, PROTOCOL.md 9.6), says why in its log and its view, keeps running without
 * showing ledger data it may not have stored; the other nodes keep finalizing; once space is
 * freed it resumes by itself, catches up and its checkpoint digest matches the others'. Full
 * a second time and killed with SIGKILL while full, its database is intact and holds every
 * finality it announced and every vote anyone saw from it; restarted with space it catches up.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class DiskFullIT {

  /** The tmpfs; most of it is then taken by a filler file. */
  private static final String SIZE = "8m";
  /** Space left free for the node when the filler is written. */
  private static final long FREE = 192 * 1024;
  private static final Duration FILL = Duration.ofSeconds(90);
  private static final Duration SETTLE = Duration.ofSeconds(60);

  private static LocalNetwork network;
  private static Path mounted;

  @BeforeAll
  static void startNetwork() throws Exception {
    String uid = run("id", "-u").strip();
    assertThat(uid).as("DiskFullIT mounts a tmpfs on a node's data directory and must run as root (id -u is "
        + uid + ")").isEqualTo("0");
    network = LocalNetwork.start("DiskFullIT", LocalNetwork.options(4, 5, 300)
        .beforeNodesStart(net -> mountTmpfs(net.node(3).dataDir())));
  }

  @AfterAll
  static void stopNetwork() throws Exception {
    try {
      if (network != null) {
        network.close();
      }
    } finally {
      if (mounted != null) {
        Process umount = new ProcessBuilder("umount", mounted.toString()).redirectErrorStream(true).start();
        if (!umount.waitFor(20, TimeUnit.SECONDS) || umount.exitValue() != 0) {
          run("umount", "-l", mounted.toString()); // still busy: detach it now, freed when the last user goes
        }
      }
    }
  }

  @Test
  void aNodeWhoseDiskFillsPublishesNothingItCouldNotStoreAndResumesWhenSpaceIsFreed() throws Exception {
    Node pi1 = network.node(0);
    Node pi4 = network.node(3);
    Path filler = pi4.dataDir().resolve("filler");
    fill(filler);

    // Purchases run while the disk fills: each node queues three Receipts.
    for (Node n : network.nodes()) {
      for (long p = 1; p <= 3; p++) {
        try {
          network.command(n, Command.Action.BUY, "Receipt", p);
        } catch (ReplyException e) {
          // Refused once failed (503), or accepted just before: then its reply waits until the
          // counter and the purchase are durable, i.e. after the space is freed (a time-out here).
          assertThat(n).as("only the full node may refuse: " + e.getMessage()).isEqualTo(pi4);
          assertThat(e.failureCode()).as(e.getMessage()).isIn(503, -1);
        }
      }
    }
    LocalNetwork.awaitTrue("pi4 reports its store failed", FILL, () -> !healthy(pi4));
    JsonObject failed = network.query(pi4);
    assertThat(failed.getString("storeError")).as(failed.encode()).startsWith("DISK_FULL");
    assertThat(failed.containsKey("wallets") || failed.containsKey("chain") || failed.containsKey("ledgerDigest"))
        .as("no ledger data that may not be durable: " + failed.encode()).isFalse();
    assertThat(Files.readString(pi4.log())).contains("STOPPED: its ledger store failed (DISK_FULL: storing")
        .contains("[SQLITE_FULL]");
    try {
      network.command(pi4, Command.Action.BUY, "Receipt", 9);
      throw new AssertionError("a failed node accepted a command");
    } catch (ReplyException e) {
      assertThat(e.failureCode()).isEqualTo(503);
      assertThat(e.getMessage()).startsWith("STORE_FAILED: DISK_FULL");
    }

    // While the disk stays full: pi4 runs, publishes nothing but its health, and the others finalize.
    Thread.sleep(1000); // events pi4 published before it failed are delivered by now
    int mark = network.events().size();
    network.command(pi1, Command.Action.BUY, "Receipt", 10);
    String during = PurchaseIT.awaitRequest(network, pi1, 10);
    LocalNetwork.awaitTrue("pi1..pi3 finalize without pi4", SETTLE,
        () -> PurchaseIT.finalizedOn(network, during).containsAll(network.nodes().subList(0, 3).stream()
            .map(Node::id).toList()));
    LocalNetwork.awaitTrue("pi4's periodic summary", SETTLE, () -> network.events().subList(mark,
        network.events().size()).stream().anyMatch(e -> pi4.id().equals(e.getString("node"))
            && "node".equals(e.getString("type"))));
    List<JsonObject> later = network.events().subList(mark, network.events().size());
    assertThat(later.stream().filter(e -> pi4.id().equals(e.getString("node")) && !"node".equals(e.getString("type"))))
        .as("events from pi4 while its store fails").isEmpty();
    assertThat(later.stream().filter(e -> "vote".equals(e.getString("type")) && pi4.id().equals(e.getString("voter"))))
        .as("votes by pi4 seen while its store fails").isEmpty();
    assertThat(later.stream().filter(e -> pi4.id().equals(e.getString("node")) && "node".equals(e.getString("type"))))
        .as("pi4's summaries say it is unhealthy").isNotEmpty()
        .allMatch(e -> Boolean.FALSE.equals(e.getBoolean("healthy")));
    assertThat(pi4.process().isAlive()).as("no exit, no crash loop").isTrue();
    assertThat(healthy(pi4)).isFalse();

    // Space is freed: the retried write commits, pi4 resumes, catches up and agrees.
    Files.delete(filler);
    LocalNetwork.awaitTrue("pi4 resumes by itself", SETTLE, () -> healthy(pi4));
    assertThat(Files.readString(pi4.log())).contains("RESUMED: its ledger store accepts writes again");
    LocalNetwork.awaitTrue("pi4 catches up on " + during, SETTLE,
        () -> PurchaseIT.finalizedOn(network, during).contains(pi4.id()));
    PurchaseIT.awaitSameCheckpoint(network);
    network.command(pi4, Command.Action.BUY, "Receipt", 11);
    String after = PurchaseIT.awaitRequest(network, pi4, 11);
    LocalNetwork.awaitTrue("pi4's purchase after it resumed is final everywhere", SETTLE,
        () -> PurchaseIT.finalizedOn(network, after).size() == 4);

    // Full again, and this time killed (SIGKILL) while full: its database is intact and holds
    // everything it ever announced final and every vote of it anyone saw; restarted with
    // space, it catches up and agrees.
    fill(filler);
    LocalNetwork.awaitTrue("pi4 fails again", FILL, () -> !healthy(pi4));
    network.kill(pi4);
    Files.delete(filler);
    Set<String> announcedFinal = network.events(e -> "finalized".equals(e.getString("type"))
        && pi4.id().equals(e.getString("node"))).stream().map(e -> e.getString("request")).collect(Collectors.toSet());
    Set<String> votesSeen = network.events(e -> "vote".equals(e.getString("type"))
        && pi4.id().equals(e.getString("voter"))).stream().map(e -> e.getString("request")).collect(Collectors.toSet());
    assertThat(announcedFinal).contains(during, after);
    assertThat(votesSeen).isNotEmpty();
    try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + pi4.dataDir().resolve(StoreOptions.FILE));
        ResultSet rs = db.createStatement().executeQuery("PRAGMA integrity_check")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).isEqualTo("ok");
    }
    List<LedgerChange> stored;
    try (LedgerStore store = LedgerStore.open(StoreOptions.in(pi4.dataDir()))) {
      stored = store.load();
    }
    Set<String> storedFinal = stored.stream().filter(c -> c instanceof LedgerChange.Finalized)
        .map(c -> ((LedgerChange.Finalized) c).request().hash()).collect(Collectors.toSet());
    Set<String> storedVotes = stored.stream().filter(c -> c instanceof LedgerChange.MyVote)
        .map(c -> ((LedgerChange.MyVote) c).vote().body().request()).collect(Collectors.toSet());
    assertThat(storedFinal).as("every finality pi4 announced is durable").containsAll(announcedFinal);
    assertThat(storedVotes).as("every vote of pi4 anyone saw is durable").containsAll(votesSeen);

    network.restart(pi4, List.of());
    assertThat(healthy(pi4)).isTrue();
    PurchaseIT.awaitSameCheckpoint(network);
  }

  private static boolean healthy(Node n) {
    try {
      return network.query(n).getBoolean("healthy", false);
    } catch (Exception e) {
      throw new AssertionError("pi4 must keep answering queries: " + e, e);
    }
  }

  /** Mounts a tmpfs of {@link #SIZE} on a (new, empty) data directory. */
  private static void mountTmpfs(Path data) throws Exception {
    Files.createDirectories(data);
    run("mount", "-t", "tmpfs", "-o", "size=" + SIZE + ",mode=0700", "wallance-diskfull", data.toString());
    mounted = data;
  }

  /** Writes zeros until only {@link #FREE} bytes of the file system are left. */
  private static void fill(Path filler) throws IOException {
    long usable = Files.getFileStore(filler.getParent()).getUsableSpace();
    assertThat(usable).as("tmpfs space").isGreaterThan(FREE);
    byte[] chunk = new byte[64 * 1024];
    long left = usable - FREE;
    try (OutputStream out = Files.newOutputStream(filler)) {
      while (left > 0) {
        int n = (int) Math.min(chunk.length, left);
        out.write(chunk, 0, n);
        left -= n;
      }
    }
  }

  private static String run(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(20, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", command) + " failed: " + out.strip());
    }
    return out;
  }
}
