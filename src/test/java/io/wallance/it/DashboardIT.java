package io.wallance.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import io.wallance.cluster.ClusterOptions;
import io.wallance.node.BrokenRules;
import io.wallance.protocol.Registry;
import io.wallance.web.PasswordHash;
import io.wallance.web.WebConfig;
import io.wallance.web.WebVerticle;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

/**
 * The dashboard in headless Chromium against a real local network: four node processes
 * ({@link LocalNetwork}) and the real {@link WebVerticle} deployed in the fixture's clustered
 * observer (a Hazelcast lite member, as in {@code dashboard}). One network and one page load
 * for the class; the tests run in order, the last one stops two nodes. pi4 runs with a
 * deliberately broken ledger rule (the test-only switch {@code -Dwallance.brokenRules}, the
 * simulator's {@code REWARDS_BY_ARRIVAL} mutant): from the first purchase on, its ledger
 * digest differs from the others', as a real diverging node's would. Screenshots go to
 * target/screenshots/.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DashboardIT {
  private static final String PASSWORD = "dash-pw";
  private static final Duration WAIT = Duration.ofSeconds(45);
  private static final Pattern CHANGE = Pattern.compile("([0-9.]+) − ([0-9.]+) = ([0-9.]+) DCoin");
  /** The node whose ledger rules are broken. */
  private static final String MUTANT = "pi4";
  private static final String HOSTILE_TYPE = "<b>pwn</b>";

  private static LocalNetwork network;
  private static WebConfig config;
  private static String deployment;
  private static String base;
  private static Browser browser;

  @BeforeAll
  static void start() throws Exception {
    network = LocalNetwork.start("DashboardIT", LocalNetwork.options(4, 5, 1000)
        .withJvmArgs(Map.of(MUTANT, List.of("-D" + BrokenRules.PROPERTY + "=rewards-by-arrival"))));
    Path dir = network.dir();
    Path hash = dir.resolve("operator.password");
    Files.writeString(hash, PasswordHash.create(PASSWORD, 10_000).line() + "\n");
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    config = new WebConfig(dir.resolve("registry.txt"), dir.resolve("keys/operator.key"), hash, dir.resolve("web"),
        "127.0.0.1", port, ClusterOptions.loopback(network.clusterName(), List.of(1), 1, true, 5))
        .withTls(network.issueCertificate("web"));
    deployWeb();
    base = "https://127.0.0.1:" + port;
    browser = Browser.start(1280, 900, network.caFile());
  }

  private static void deployWeb() throws Exception {
    Registry registry = config.loadRegistry();
    WebVerticle web = new WebVerticle(config, registry, config.loadOperatorKey(registry), config.loadPasswordHash());
    deployment = network.observer().deployVerticle(web).await(30, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stop() {
    if (browser != null) {
      browser.close();
    }
    if (network != null) {
      network.close();
    }
  }

  @Test
  @Order(1)
  void operatorLogsInBuysAndSeesFinalityWithTheBalanceChange() throws Exception {
    browser.login(base, "not-the-password");
    browser.await("the wrong password refused", WAIT, () -> browser.all("#login-error").get(0).isDisplayed());

    browser.login(base, PASSWORD);
    browser.await("all four nodes online", WAIT, () -> browser.all("article.node .badge.ok").size() >= 4
        && browser.all("article.node").size() == 4 && browser.text("#connection").equals("live"));
    WebElement pi1 = card("pi1");
    browser.await("pi1 can afford a Receipt", WAIT, () -> balance(card("pi1")).compareTo(BigDecimal.ONE) >= 0);

    new Select(pi1.findElement(By.cssSelector("select.picker"))).selectByValue("Receipt");
    pi1.findElement(By.cssSelector("button.buy")).click();

    browser.await("pi1's Receipt final", WAIT, () -> !texts("#finality li.final[data-buyer='pi1']").isEmpty());
    String row = texts("#finality li.final[data-buyer='pi1']").get(0);
    Matcher m = CHANGE.matcher(row);
    assertThat(m.find()).as(row).isTrue();
    BigDecimal before = new BigDecimal(m.group(1));
    BigDecimal price = new BigDecimal(m.group(2));
    BigDecimal after = new BigDecimal(m.group(3));
    assertThat(price).isEqualByComparingTo("1");
    assertThat(after).as(row).isEqualByComparingTo(before.subtract(price));
    assertThat(row).containsPattern("voters pi\\d(, pi\\d)+").contains("latency");
    String request = (String) browser.script("return document.querySelector(arguments[0]).dataset.request",
        "#finality li.final[data-buyer='pi1']");

    // Who voted: the page's pending list (a final request stays there a few seconds, since it
    // was final before the page could draw it pending) and its finality row name exactly the
    // members whose votes the nodes' ledgers hold, once every ledger has them all.
    Set<String> shownPending = new TreeSet<>();
    Set<String> shownFinal = new TreeSet<>();
    Set<String> recorded = new TreeSet<>();
    browser.await("the voters shown = the voters in the ledgers", WAIT, () -> {
      recorded.clear();
      recorded.addAll(ledgerVoterNames(request));
      shownPending.clear();
      shownPending.addAll(texts("#pending li.request[data-request='" + request + "'][data-state='final'] .voter"));
      shownFinal.clear();
      shownFinal.addAll(List.of(texts("#finality li.final[data-request='" + request + "'] .voters").get(0)
          .replaceFirst("^voters ", "").split(", ")));
      return !recorded.isEmpty() && recorded.equals(shownPending) && recorded.equals(shownFinal);
    });
    assertThat(recorded).as("the votes needed (quorum 3 with the buyer)").hasSizeGreaterThanOrEqualTo(2)
        .doesNotContain("pi1");
    String pendingRow = texts("#pending li.request[data-request='" + request + "']").get(0);
    assertThat(pendingRow).startsWith("pi1 buys Receipt (1 DCoin)").contains(m.group(0))
        .contains("votes " + recorded.size() + " (2 needed): ");

    // Latency and balance change: as the buyer's node announced its finality.
    JsonObject announced = network.events(e -> "finalized".equals(e.getString("type"))
        && network.node(0).id().equals(e.getString("node")) && request.equals(e.getString("request"))).get(0);
    long latency = announced.getLong("latencyMs");
    assertThat(texts("#finality li.final[data-request='" + request + "'] .latency").get(0)).contains("pi1 " + latency
        + " ms");
    assertThat(pendingRow).contains("final in " + latency + " ms");
    long rate = network.query(network.node(0)).getLong("dcoinRate");
    assertThat(before).isEqualByComparingTo(BigDecimal.valueOf(announced.getLong("balanceBefore"))
        .divide(BigDecimal.valueOf(rate), 3, java.math.RoundingMode.HALF_EVEN));
    assertThat(after).isEqualByComparingTo(BigDecimal.valueOf(announced.getLong("balanceAfter"))
        .divide(BigDecimal.valueOf(rate), 3, java.math.RoundingMode.HALF_EVEN));
    browser.await("the contract result", WAIT, () -> texts("#results li.result[data-contract='Receipt']")
        .stream().anyMatch(r -> r.startsWith("pi1") && r.contains("succeeded")));
    browser.await("a point on the latency chart", WAIT, () -> !browser.all("#chart-latency canvas").isEmpty());
    Thread.sleep(2_500); // one more balance sample for the chart
    browser.fullScreenshot("dashboard-after-buy");
  }

  @Test
  @Order(2)
  void aPurchaseWaitingForFundsShowsWhatIsMissingAndCanBeCancelled() throws Exception {
    WebElement pi2 = card("pi2");
    new Select(pi2.findElement(By.cssSelector("select.picker"))).selectByValue("Nespresso");
    // More coffee than pi2 can pay for (it has earned for as long as the network has run):
    // buy until purchases queue up waiting for funds.
    for (int i = 0; i < 15 && texts(WAITING).size() < 2; i++) {
      List<String> before = texts(".toast");
      card("pi2").findElement(By.cssSelector("button.buy")).click();
      browser.await("the purchase answered", WAIT, () -> texts(".toast").stream()
          .anyMatch(t -> t.startsWith("pi2: purchase #") && !before.contains(t)));
    }
    browser.await("a waiting purchase with what is missing", WAIT, () -> !texts(WAITING).isEmpty());
    List<String> waiting = texts(WAITING);
    assertThat(waiting.get(0)).containsPattern("waiting for funds [0-9.]+ / 2 DCoin");
    String last = waiting.get(waiting.size() - 1);
    Matcher number = Pattern.compile("^#(\\d+)").matcher(last);
    assertThat(number.find()).as(last).isTrue();
    String id = number.group(1);
    browser.screenshot("waiting-for-funds");

    String cancel = "article.node[data-node='pi2'] li.purchase[data-purchase='" + id + "'] button.cancel";
    browser.await("the Cancel button clicked", WAIT, () -> {
      browser.driver().findElement(By.cssSelector(cancel)).click();
      return true;
    });

    browser.await("purchase " + id + " cancelled", WAIT, () -> browser.all(".toast").stream()
        .anyMatch(t -> t.getText().contains("#" + id + " cancelled")));
    browser.await("purchase " + id + " gone from the card", WAIT, () -> card("pi2")
        .findElements(By.cssSelector("li.purchase[data-purchase='" + id + "']")).isEmpty());
  }

  @Test
  @Order(3)
  void aDivergingNodeIsFlaggedLoudlyAndOnlyIt() throws Exception {
    // The nodes' own digests first: pi1-pi3 agree at their checkpoint, the mutant does not.
    LocalNetwork.awaitTrue("pi1-pi3 agree and " + MUTANT + " differs", WAIT, () -> {
      Set<String> correct = new TreeSet<>();
      for (int i = 0; i < 3; i++) {
        correct.add(checkpointDigest(network.node(i)));
      }
      return correct.size() == 1 && !correct.contains(checkpointDigest(network.node(3)));
    });

    // A digest must differ for 15 s before the page flags it.
    browser.await(MUTANT + " flagged", Duration.ofSeconds(90),
        () -> card(MUTANT).getAttribute("class").contains("diverging"));
    assertThat(card(MUTANT).findElement(By.cssSelector(".node-head .badge.agreement-diverges")).getText())
        .isEqualTo("DIVERGES");
    assertThat(texts("article.node.diverging .node-name")).containsExactly(MUTANT);
    assertThat(texts("#alerts .alert")).hasSize(1).allMatch(a -> a.startsWith(MUTANT + " DIVERGES"));
    for (String name : List.of("pi1", "pi2", "pi3")) {
      assertThat(card(name).findElement(By.cssSelector(".node-head .badge[class*='agreement-']")).getText())
          .as(name).isEqualTo("digest agrees");
    }
    browser.screenshot("diverging-node");
  }

  @Test
  @Order(4)
  void misbehaviourEvidenceAndRejectedMessagesNameTheCulpritAsText() throws Exception {
    HostileMember rogue = new HostileMember(network);
    LocalNetwork.Node pi2 = network.node(1);
    LocalNetwork.Node liar = network.node(2);
    rogue.gossip(rogue.forgedVote(pi2, network.node(0)));
    rogue.gossip(rogue.ofUnknownType(HOSTILE_TYPE));
    rogue.equivocatingVotes(liar, pi2).forEach(rogue::gossip);

    // Every node but the liar (a node ignores gossip in its own name) has the evidence.
    Set<String> witnesses = Set.of("pi1", "pi2", "pi4");
    for (String w : witnesses) {
      LocalNetwork.awaitTrue(w + " holds evidence against " + liar.name(), WAIT,
          () -> misbehaviour(network.nodes().stream().filter(n -> n.name().equals(w)).findFirst().orElseThrow()) > 0);
    }
    browser.await("the evidence shown", WAIT, () -> texts("#misbehaviour li.misbehaviour").stream()
        .filter(t -> t.startsWith("EQUIVOCATING_VOTE by pi3, seen by ")).map(t -> t.substring(t.lastIndexOf(' ') + 1))
        .collect(java.util.stream.Collectors.toSet()).equals(witnesses));
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> culprits = (List<Map<String, Object>>) browser.script("return [...document"
        + ".querySelectorAll('#misbehaviour li.misbehaviour strong')].map(e => ({text: e.textContent, title: e.title,"
        + " elements: e.children.length}))");
    assertThat(culprits).isNotEmpty().allSatisfy(c -> {
      assertThat(c.get("text")).isEqualTo("pi3");
      assertThat(c.get("title")).isEqualTo(liar.id());
      assertThat(((Number) c.get("elements")).intValue()).isZero();
    });

    // The forged vote: rejected for its signature, in pi2's name; pi2 itself ignores it.
    browser.await("the forged vote rejected", WAIT, () -> texts("#rejections li.rejection").stream()
        .filter(t -> t.matches("(?s)pi[134] rejected vote from pi2: BAD_SIGNATURE.*")).count() == 3);
    // The markup in an unknown type comes back in the reason's detail: shown as text.
    browser.await("the unknown type rejected", WAIT, () -> texts("#rejections li.rejection").stream()
        .filter(t -> t.contains("UNKNOWN_TYPE") && t.contains(HOSTILE_TYPE)).count() == 4);
    assertThat(browser.all("#rejections b, #misbehaviour b")).as("markup from the network became elements").isEmpty();
    browser.fullScreenshot("misbehaviour-and-rejections");
  }

  @Test
  @Order(5)
  void thePageReconnectsByItselfAfterTheWebVerticleRestarts() throws Exception {
    network.observer().undeploy(deployment).await(30, TimeUnit.SECONDS);
    browser.await("the page notices", WAIT, () -> !browser.text("#connection").equals("live"));
    browser.screenshot("web-down");

    deployWeb();

    browser.await("live again", WAIT, () -> browser.text("#connection").equals("live"));
    browser.await("pi3's current balance shown", WAIT, () -> {
      double shown = balance(card("pi3")).doubleValue();
      return Math.abs(shown - currentBalance(network.node(2))) <= 0.6;
    });
    int finals = browser.all("#finality li.final[data-buyer='pi3']").size();
    WebElement pi3 = card("pi3");
    new Select(pi3.findElement(By.cssSelector("select.picker"))).selectByValue("Receipt");
    pi3.findElement(By.cssSelector("button.buy")).click();
    browser.await("a purchase through the new bridge final", WAIT,
        () -> browser.all("#finality li.final[data-buyer='pi3']").size() > finals);
  }

  @Test
  @Order(6)
  void withTwoOfFourNodesStoppedAPurchaseShowsWhyItCannotFinalize() throws Exception {
    network.stop(network.node(2));
    network.stop(network.node(3));
    browser.await("pi3 and pi4 offline", WAIT, () -> browser.all("article.node .badge.bad").size() == 2
        && browser.text("#summary").contains("2 online"));
    WebElement pi1 = card("pi1");
    new Select(pi1.findElement(By.cssSelector("select.picker"))).selectByValue("Receipt");
    browser.await("pi1 can afford a Receipt", WAIT, () -> balance(card("pi1")).compareTo(BigDecimal.ONE) >= 0);
    pi1.findElement(By.cssSelector("button.buy")).click();

    // pi1's own row (a purchase pi2 queued earlier may also be stuck by now, with the same reason).
    String reason = "cannot finalize: only 2 of 4 members online, quorum is 3";
    browser.await("the reason shown with pi1's pending request", WAIT, () -> texts("#pending li.request").stream()
        .anyMatch(t -> t.startsWith("pi1 buys Receipt") && t.contains(reason)));
    String row = texts("#pending li.request").stream().filter(t -> t.startsWith("pi1 buys Receipt") && t.contains(reason))
        .findFirst().orElseThrow();
    assertThat(row).containsPattern("votes [12] \\(2 needed\\): pi");
    browser.await("and on pi1's card", WAIT, () -> card("pi1").getText().contains("cannot finalize"));
    browser.fullScreenshot("no-quorum");
  }

  /** @return the names of the members whose votes for {@code request} the nodes' ledgers hold (all of them) */
  private static Set<String> ledgerVoterNames(String request) {
    Set<Set<String>> seen = new java.util.HashSet<>();
    try {
      for (LocalNetwork.Node node : network.nodes()) {
        seen.add(network.ledgerVoters(node, request));
      }
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    if (seen.size() != 1) {
      return Set.of(); // not every ledger has every vote yet
    }
    Set<String> ids = seen.iterator().next();
    Set<String> names = new TreeSet<>();
    network.nodes().stream().filter(n -> ids.contains(n.id())).forEach(n -> names.add(n.name()));
    return names.size() == ids.size() ? names : Set.of();
  }

  private static String checkpointDigest(LocalNetwork.Node node) {
    try {
      return network.query(node).getString("checkpointDigest");
    } catch (Exception e) {
      return "unreachable";
    }
  }

  private static long misbehaviour(LocalNetwork.Node node) {
    try {
      return network.query(node).getLong("misbehaviour");
    } catch (Exception e) {
      return 0;
    }
  }

  private static double currentBalance(LocalNetwork.Node node) {
    try {
      return network.query(node).getDouble("balance");
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static WebElement card(String name) {
    return browser.driver().findElement(By.cssSelector("article.node[data-node='" + name + "']"));
  }

  private static BigDecimal balance(WebElement card) {
    String text = card.findElement(By.cssSelector(".balance")).getText();
    return text.matches("[0-9.]+") ? new BigDecimal(text) : BigDecimal.ZERO;
  }

  private static final String WAITING = "article.node[data-node='pi2'] li.purchase.waiting";

  /** The texts of every match, read in one go inside the page (the lists are redrawn live). */
  @SuppressWarnings("unchecked")
  private static List<String> texts(String css) {
    return (List<String>) browser.script("return [...document.querySelectorAll(arguments[0])].map(e => e.innerText)",
        css);
  }
}
