package io.wallance.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wallance.contract.ContractResult.Status;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Runs real processes: the shipped contracts and small test scripts. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ContractRunnerTest {

  private static final String PURCHASE = "p-0001_abc";

  @TempDir
  Path dir;

  private Path receipts;
  private ContractRunner runner;
  private ContractCatalogue shipped;

  @BeforeEach
  void setUp() throws Exception {
    receipts = dir.resolve("receipts"); // does not exist yet: the runner creates it
    runner = new ContractRunner(RunnerOptions.defaults(receipts));
    shipped = ContractCatalogue.loadBundled(getClass().getClassLoader(), dir.resolve("catalogue"));
  }

  @AfterEach
  void tearDown() {
    runner.close();
  }

  private static ContractResult await(CompletableFuture<ContractResult> future) throws Exception {
    return future.get(20, TimeUnit.SECONDS);
  }

  @Test
  void nespressoLogsAServedCoffee() throws Exception {
    ContractResult result = await(runner.run(shipped.find("Nespresso").orElseThrow(), "node-2", PURCHASE));

    assertThat(result.status()).as(result.outputTail()).isEqualTo(Status.SUCCEEDED);
    assertThat(result.success()).isTrue();
    assertThat(result.exitCode()).isZero();
    assertThat(result.contract()).isEqualTo("Nespresso");
    assertThat(result.purchaseId()).isEqualTo(PURCHASE);
    assertThat(result.outputTail()).isEqualTo("served coffee for node-2 (purchase " + PURCHASE + ")\n");
    assertThat(result.durationMillis()).isBetween(0L, 10_000L);
    List<String> log = Files.readAllLines(receipts.resolve("coffee.log"));
    assertThat(log).singleElement().asString()
        .matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ served coffee contract=Nespresso buyer=node-2 purchase="
            + PURCHASE);
  }

  @Test
  void nespressoAppendsOneLinePerPurchase() throws Exception {
    Contract nespresso = shipped.find("Nespresso").orElseThrow();
    await(runner.run(nespresso, "node-1", "first"));
    await(runner.run(nespresso, "node-3", "second"));

    assertThat(Files.readAllLines(receipts.resolve("coffee.log")))
        .satisfiesExactly(
            line -> assertThat(line).endsWith("buyer=node-1 purchase=first"),
            line -> assertThat(line).endsWith("buyer=node-3 purchase=second"));
  }

  @Test
  void receiptWritesAFileNamedAfterThePurchase() throws Exception {
    ContractResult result = await(runner.run(shipped.find("Receipt").orElseThrow(), "node-4", PURCHASE));

    assertThat(result.success()).as(result.outputTail()).isTrue();
    Path receipt = receipts.resolve(PURCHASE + ".receipt");
    assertThat(result.outputTail()).isEqualTo("receipt written: " + receipt + "\n");
    List<String> lines = Files.readAllLines(receipt);
    assertThat(lines).hasSize(4);
    assertThat(lines.subList(0, 3)).containsExactly("contract=Receipt", "buyer=node-4", "purchase=" + PURCHASE);
    assertThat(lines.get(3)).matches("issued=\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");
    try (var files = Files.list(receipts)) {
      assertThat(files).as("no temporary file left").containsExactly(receipt);
    }
  }

  @Test
  void shellMetacharactersInTheBuyerAreNeverInterpreted() throws Exception {
    Path marker1 = dir.resolve("pwned-1");
    Path marker2 = dir.resolve("pwned-2");
    Path marker3 = dir.resolve("pwned-3");
    String buyer = "$(touch " + marker1 + "); rm -rf " + dir.resolve("catalogue") + " `touch " + marker2
        + "` && touch " + marker3 + " | ; '\"* ${HOME} %s \\n";

    ContractResult coffee = await(runner.run(shipped.find("Nespresso").orElseThrow(), buyer, "m1"));
    ContractResult receipt = await(runner.run(shipped.find("Receipt").orElseThrow(), buyer, "m2"));

    assertThat(coffee.success()).as(coffee.outputTail()).isTrue();
    assertThat(receipt.success()).as(receipt.outputTail()).isTrue();
    assertThat(marker1).doesNotExist();
    assertThat(marker2).doesNotExist();
    assertThat(marker3).doesNotExist();
    assertThat(dir.resolve("catalogue/Nespresso/serve.sh")).exists();
    assertThat(Files.readString(receipts.resolve("coffee.log"))).contains(" buyer=" + buyer + " purchase=m1\n");
    assertThat(Files.readAllLines(receipts.resolve("m2.receipt"))).contains("buyer=" + buyer);
  }

  @Test
  void theActionSeesExactlyTheDocumentedEnvironment() throws Exception {
    Contract env = TestContracts.scripted(dir.resolve("c"), "Env", 5,
        "env > \"$WALLANCE_RECEIPT_DIR/env.txt\"\npwd > \"$WALLANCE_RECEIPT_DIR/pwd.txt\"\n");

    ContractResult result = await(runner.run(env, "node-7", PURCHASE));

    assertThat(result.success()).as(result.outputTail()).isTrue();
    Map<String, String> seen = new TreeMap<>();
    for (String line : Files.readAllLines(receipts.resolve("env.txt"))) {
      int eq = line.indexOf('=');
      seen.put(line.substring(0, eq), line.substring(eq + 1));
    }
    // sh itself adds PWD; nothing of the JVM's environment (HOME, secrets...) leaks in.
    seen.remove("PWD");
    assertThat(seen).isEqualTo(Map.of(
        "PATH", RunnerOptions.DEFAULT_PATH,
        "WALLANCE_BUYER", "node-7",
        "WALLANCE_PURCHASE_ID", PURCHASE,
        "WALLANCE_CONTRACT", "Env",
        "WALLANCE_RECEIPT_DIR", receipts.toString()));
    assertThat(Files.readString(receipts.resolve("pwd.txt")).strip()).isEqualTo(env.directory().toString());
  }

  @Test
  void runsARelativeProgramInTheConfiguredWorkingDirectory() throws Exception {
    Path folder = TestContracts.write(dir.resolve("c"), "Rel", """
        {"name": "Rel", "price": 1, "description": "relative program",
         "action": {"command": ["./where", "one arg"], "timeoutSeconds": 5, "workingDir": "bin"}}
        """);
    Path program = Files.createDirectories(folder.resolve("bin")).resolve("where");
    Files.writeString(program, "#!/bin/sh\nprintf '%s|%s\\n' \"$(pwd)\" \"$1\"\n");
    TestContracts.makeExecutable(program);
    Contract rel = ContractCatalogue.load(dir.resolve("c")).find("Rel").orElseThrow();

    ContractResult result = await(runner.run(rel, "b", PURCHASE));

    assertThat(result.success()).as(result.outputTail()).isTrue();
    assertThat(result.outputTail()).isEqualTo(folder.resolve("bin") + "|one arg\n");
  }

  @Test
  void aFailingActionReportsItsExitCodeAndOutput() throws Exception {
    Contract failing = TestContracts.scripted(dir.resolve("c"), "Fail", 5, "echo out; echo err >&2; exit 3\n");

    ContractResult result = await(runner.run(failing, "b", PURCHASE));

    assertThat(result.status()).isEqualTo(Status.FAILED);
    assertThat(result.success()).isFalse();
    assertThat(result.exitCode()).isEqualTo(3);
    assertThat(result.outputTail()).contains("out\n").contains("err\n");
    assertThat(result.toJson().getString("status")).isEqualTo("failed");
    assertThat(result.toJson().getInteger("exitCode")).isEqualTo(3);
  }

  @Test
  void aMissingProgramIsReportedNotThrown() throws Exception {
    Path folder = TestContracts.write(dir.resolve("c"), "Missing", """
        {"name": "Missing", "price": 1, "description": "no such program",
         "action": {"command": ["wallance-no-such-program"], "timeoutSeconds": 5}}
        """);
    Contract missing = ContractCatalogue.load(folder.getParent()).find("Missing").orElseThrow();

    ContractResult result = await(runner.run(missing, "b", PURCHASE));

    assertThat(result.status()).isEqualTo(Status.NOT_STARTED);
    assertThat(result.exitCode()).isEqualTo(ContractResult.NO_EXIT_CODE);
    assertThat(result.outputTail()).contains("wallance-no-such-program");
    assertThat(result.toJson().getValue("exitCode")).isNull();
  }

  @Test
  void theTimeoutKillsTheWholeProcessTree() throws Exception {
    // The background sleep inherits stdout: if it survived, the output pipe would stay open.
    Contract slow = TestContracts.scripted(dir.resolve("c"), "Slow", 1, """
        sleep 60 &
        echo $! > "$WALLANCE_RECEIPT_DIR/child.pid"
        echo started
        wait
        echo never
        """);

    long start = System.nanoTime();
    ContractResult result = await(runner.run(slow, "b", PURCHASE));
    long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

    assertThat(result.status()).isEqualTo(Status.TIMED_OUT);
    assertThat(result.timedOut()).isTrue();
    assertThat(result.exitCode()).isEqualTo(ContractResult.NO_EXIT_CODE);
    assertThat(result.durationMillis()).isBetween(1_000L, 4_000L);
    assertThat(elapsedMillis).isLessThan(8_000L);
    assertThat(result.outputTail()).isEqualTo("started\n");
    long child = Long.parseLong(Files.readString(receipts.resolve("child.pid")).strip());
    assertGone(child);
  }

  @Test
  void closingTheRunnerKillsRunningActions() throws Exception {
    Contract slow = TestContracts.scripted(dir.resolve("c"), "Slow", 60, """
        sleep 60 &
        echo $! > "$WALLANCE_RECEIPT_DIR/child.pid"
        wait
        """);
    CompletableFuture<ContractResult> running = runner.run(slow, "b", PURCHASE);
    Path pidFile = receipts.resolve("child.pid");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!(Files.exists(pidFile) && Files.size(pidFile) > 0) && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    Thread.sleep(100); // let the shell reach "wait"

    runner.close();
    ContractResult result = await(running);

    assertThat(result.status()).isEqualTo(Status.CANCELLED);
    assertGone(Long.parseLong(Files.readString(pidFile).strip()));
    assertThatThrownBy(() -> runner.run(slow, "b", PURCHASE).get(5, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(RejectedExecutionException.class);
  }

  @Test
  void keepsOnlyABoundedTailOfTheOutput() throws Exception {
    // 200 000 bytes of 'x' lines, then a multi-byte character and a last line.
    Contract chatty = TestContracts.scripted(dir.resolve("c"), "Chatty", 10, """
        i=0
        while [ $i -lt 2000 ]; do
          printf '%099d\\n' 0
          i=$((i + 1))
        done
        printf 'caf\\303\\251 END\\n'
        """);

    ContractResult result = await(runner.run(chatty, "b", PURCHASE));

    assertThat(result.success()).isTrue();
    assertThat(result.outputTruncated()).isTrue();
    assertThat(result.outputTail().getBytes(java.nio.charset.StandardCharsets.UTF_8).length)
        .isLessThanOrEqualTo(RunnerOptions.DEFAULT_OUTPUT_TAIL_BYTES);
    assertThat(result.outputTail()).endsWith("0\ncaf\u00e9 END\n").doesNotContain("\ufffd");
  }

  @Test
  void rejectsUnsafeBuyersAndPurchaseIdsWithoutRunningAnything() throws Exception {
    Contract receipt = shipped.find("Receipt").orElseThrow();
    for (String purchase : List.of("../escape", "a/b", "", "with space", "a.b", "x".repeat(129))) {
      assertThatThrownBy(() -> runner.run(receipt, "b", purchase).get(5, TimeUnit.SECONDS))
          .as(purchase).hasCauseInstanceOf(IllegalArgumentException.class);
    }
    for (String buyer : List.of("", "line\nforged line", "tab\tbell\u0007", "x".repeat(257))) {
      assertThatThrownBy(() -> runner.run(receipt, buyer, PURCHASE).get(5, TimeUnit.SECONDS))
          .as(buyer).hasCauseInstanceOf(IllegalArgumentException.class);
    }
    assertThat(receipts).doesNotExist();
  }

  @Test
  void runsInParallelWithoutBlockingTheCaller() throws Exception {
    Contract slow = TestContracts.scripted(dir.resolve("c"), "Nap", 10, "sleep 2\necho \"$WALLANCE_PURCHASE_ID\"\n");

    long start = System.nanoTime();
    CompletableFuture<ContractResult> a = runner.run(slow, "b", "a");
    CompletableFuture<ContractResult> b = runner.run(slow, "b", "b");
    long callMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

    assertThat(callMillis).as("run() returns at once").isLessThan(500);
    assertThat(await(a).outputTail()).isEqualTo("a\n");
    assertThat(await(b).outputTail()).isEqualTo("b\n");
    // One after the other would take at least 4 s.
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(3500));
  }

  private static void assertGone(long pid) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
        .as("process " + pid + " was killed").isFalse();
  }
}
