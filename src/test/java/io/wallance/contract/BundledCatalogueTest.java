package io.wallance.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.wallance.contract.CatalogueException.Reason;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Extraction of the packaged catalogue, from a classes directory and from a real jar. */
class BundledCatalogueTest {

  @TempDir
  Path dir;

  /** The shipped catalogue as Maven copied it to the test class path: relative path -> bytes. */
  private static Map<String, byte[]> shippedFiles() throws Exception {
    Path root = Path.of(BundledCatalogueTest.class.getClassLoader().getResource("contracts/").toURI());
    Map<String, byte[]> files = new TreeMap<>();
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.filter(Files::isRegularFile).toList()) {
        files.put(root.relativize(p).toString(), Files.readAllBytes(p));
      }
    }
    return files;
  }

  /** Writes a jar with directory entries, as Maven's jar and shade plugins do. */
  private Path jar(Map<String, byte[]> contractFiles) throws IOException {
    Path jar = dir.resolve("app.jar");
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
      List<String> written = new java.util.ArrayList<>();
      for (Map.Entry<String, byte[]> file : contractFiles.entrySet()) {
        String path = "contracts/" + file.getKey();
        for (int slash = path.indexOf('/'); slash >= 0; slash = path.indexOf('/', slash + 1)) {
          String parent = path.substring(0, slash + 1);
          if (!written.contains(parent)) {
            out.putNextEntry(new JarEntry(parent));
            out.closeEntry();
            written.add(parent);
          }
        }
        out.putNextEntry(new JarEntry(path));
        out.write(file.getValue());
        out.closeEntry();
      }
    }
    return jar;
  }

  @Test
  void extractsTheShippedCatalogueFromAJar() throws Exception {
    Map<String, byte[]> shipped = shippedFiles();
    Path target = dir.resolve("data/contracts");

    ContractCatalogue catalogue;
    try (URLClassLoader loader = new URLClassLoader(new URL[] {jar(shipped).toUri().toURL()}, null)) {
      catalogue = ContractCatalogue.loadBundled(loader, target);
    }

    assertThat(catalogue.contracts()).extracting(Contract::name).containsExactly("Nespresso", "Receipt");
    assertThat(catalogue.directory()).isEqualTo(target);
    for (Map.Entry<String, byte[]> file : shipped.entrySet()) {
      assertThat(target.resolve(file.getKey())).hasBinaryContent(file.getValue());
    }
    // Jar entries have no permissions; scripts with a shebang must come out executable.
    assertThat(target.resolve("Nespresso/serve.sh")).isExecutable();
    assertThat(target.resolve("Receipt/write-receipt.sh")).isExecutable();
    assertThat(target.resolve("Nespresso/README.md")).isReadable().satisfies(p -> assertThat(Files.isExecutable(p)).isFalse());
  }

  @Test
  void makesARelativeProgramNamedByTheActionExecutable() throws Exception {
    String descriptor = """
        {"name": "Direct", "price": 1, "description": "runs ./run directly",
         "action": {"command": ["./run", "x"], "timeoutSeconds": 5}}
        """;
    Map<String, byte[]> files = Map.of(
        "Direct/contract.json", descriptor.getBytes(),
        "Direct/run", "printf 'ran %s' \"$1\"\n".getBytes()); // no shebang: only the action names it
    Path target = dir.resolve("x");

    try (URLClassLoader loader = new URLClassLoader(new URL[] {jar(new TreeMap<>(files)).toUri().toURL()}, null)) {
      ContractCatalogue.loadBundled(loader, target);
    }

    assertThat(target.resolve("Direct/run")).isExecutable();
  }

  @Test
  void reExtractionReplacesAnEarlierExtraction() throws Exception {
    Path target = dir.resolve("contracts");
    ContractCatalogue.loadBundled(getClass().getClassLoader(), target);
    Files.writeString(target.resolve("Nespresso/stale.txt"), "from an older jar");
    TestContracts.write(target, "Old", TestContracts.descriptor("Old", 3));

    ContractCatalogue again = ContractCatalogue.loadBundled(getClass().getClassLoader(), target);

    assertThat(again.contracts()).extracting(Contract::name).containsExactly("Nespresso", "Receipt");
    assertThat(target.resolve("Nespresso/stale.txt")).doesNotExist();
  }

  @Test
  void refusesToOverwriteADirectoryItDidNotCreate() throws Exception {
    Path target = Files.createDirectories(dir.resolve("precious"));
    Files.writeString(target.resolve("keep.txt"), "mine");

    CatalogueException e = catchThrowableOfType(CatalogueException.class,
        () -> ContractCatalogue.loadBundled(getClass().getClassLoader(), target));

    assertThat(e.reason()).isEqualTo(Reason.IO);
    assertThat(e.file()).isEqualTo(target);
    assertThat(target.resolve("keep.txt")).hasContent("mine");
  }

  @Test
  void extractsIntoAnExistingEmptyDirectory() throws Exception {
    Path target = Files.createDirectories(dir.resolve("empty"));
    assertThat(ContractCatalogue.loadBundled(getClass().getClassLoader(), target).contracts()).hasSize(2);
  }
}
