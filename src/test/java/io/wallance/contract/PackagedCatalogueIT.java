package io.wallance.contract;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The catalogue inside the real fat jar that {@code mvn package} builds. */
class PackagedCatalogueIT {

  @TempDir
  Path dir;

  @Test
  void theFatJarCarriesTheShippedCatalogueAndItRuns() throws Exception {
    Path jar = Path.of(System.getProperty("wallance.jar", "target/wallance.jar"));
    assertThat(jar).as("built by mvn package").isRegularFile();

    ContractCatalogue catalogue;
    // No parent: only the jar's resources are visible, not target/classes.
    try (URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, null)) {
      catalogue = ContractCatalogue.loadBundled(loader, dir.resolve("contracts"));
    }
    assertThat(catalogue.contracts()).extracting(Contract::name).containsExactly("Nespresso", "Receipt");

    try (ContractRunner runner = new ContractRunner(RunnerOptions.defaults(dir.resolve("receipts")))) {
      ContractResult result = runner.run(catalogue.find("Receipt").orElseThrow(), "node-1", "from-jar")
          .get(20, TimeUnit.SECONDS);
      assertThat(result.success()).as(result.outputTail()).isTrue();
    }
    assertThat(Files.readAllLines(dir.resolve("receipts/from-jar.receipt"))).contains("buyer=node-1");
  }
}
