package io.wallance.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Runs {@code src/test/ansible/fleet-test.sh} once: the real {@code ansible-playbook} against
 * hosts simulated on this machine (one sshd per host on 127.0.0.1), then checks each step it
 * reports. The script's full output is in {@code target/ansible-it/fleet-test.log}.
 */
class AnsibleIT {

  private static final long TIMEOUT_MINUTES = 20;
  private static final Map<String, String> STEPS = new LinkedHashMap<>();
  private static String failure;

  @BeforeAll
  static void runFleetTest() throws IOException, InterruptedException {
    Path jar = Path.of(System.getProperty("wallance.jar", "target/wallance.jar"));
    Path out = Files.createDirectories(Path.of("target", "ansible-it"));
    Path results = out.resolve("results.txt");
    Path log = out.resolve("fleet-test.log");
    Process p = new ProcessBuilder("bash", "src/test/ansible/fleet-test.sh", jar.toString(), results.toString())
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    if (!p.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
      p.destroy(); // SIGTERM: the script's trap stops the services and sshds it started
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
      failure = "fleet-test.sh did not finish within " + TIMEOUT_MINUTES + " minutes";
    } else if (p.exitValue() != 0) {
      failure = "fleet-test.sh exited " + p.exitValue();
    }
    for (String line : Files.readAllLines(results, StandardCharsets.UTF_8)) {
      int eq = line.indexOf('=');
      if (eq > 0) {
        STEPS.put(line.substring(0, eq), line.substring(eq + 1));
      }
    }
    System.out.println("AnsibleIT steps: " + STEPS + (failure == null ? "" : "; " + failure));
  }

  private static void assertStep(String step) {
    assertThat(STEPS.get(step)).as("step %s (%s; see target/ansible-it/fleet-test.log)", step,
        failure == null ? "script finished" : failure).isNotNull().startsWith("ok");
  }

  @Test
  void ansibleLintProductionProfileAndSyntaxCheckPass() {
    assertStep("lint");
  }

  @Test
  void deployFormsTheClusterOfThreeNodesAndTheDashboard() {
    assertStep("deploy");
  }

  @Test
  void renderedUnitFilesPassSystemdAnalyzeVerify() {
    assertStep("units");
  }

  @Test
  void aPurchaseThroughTheDashboardApiBecomesFinal() {
    assertStep("purchase");
  }

  @Test
  void aSecondDeployChangesNothing() {
    assertStep("idempotent");
  }

  @Test
  void statusStopAndStartPlaybooksWork() {
    assertStep("status");
  }

  @Test
  void noPrivateKeyReachesTheController() {
    assertStep("keys");
  }

  @Test
  void everyHostHasACertificateOfTheControllersCaForAKeyMadeOnTheHostAndServesHttpsOnly() {
    assertStep("tls");
  }

  @Test
  void aFourthHostJoinsByRerunningDeploy() {
    assertStep("grow");
  }
}
