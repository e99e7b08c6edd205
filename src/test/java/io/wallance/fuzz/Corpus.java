package io.wallance.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The committed inputs of one fuzz test: {@code src/test/resources/<package>/<Class>Inputs/<method>/},
 * where Jazzer's JUnit integration replays them in regression mode and saves any crash it
 * finds while fuzzing. The seeds among them are built by code ({@code seeds()} of each fuzz
 * test) and checked here to be committed byte for byte, so a change of an encoding cannot
 * leave a stale corpus behind.
 */
public final class Corpus {
  /** Set to true to (re)write the seeds into {@code src/test/resources} instead of checking them. */
  public static final String WRITE_SEEDS = "fuzz.writeSeeds";

  private Corpus() {}

  /** @return the resource directory of {@code method}'s inputs, relative to the classpath root */
  public static String directory(Class<?> test, String method) {
    return test.getPackageName().replace('.', '/') + "/" + test.getSimpleName() + "Inputs/" + method;
  }

  /** @return every committed input of {@code method}, in file-name order */
  public static List<byte[]> inputs(Class<?> test, String method) {
    URL url = test.getClassLoader().getResource(directory(test, method));
    if (url == null) {
      throw new AssertionError("no committed corpus at src/test/resources/" + directory(test, method));
    }
    try (Stream<Path> files = Files.list(Path.of(url.toURI()))) {
      List<byte[]> out = new ArrayList<>();
      for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
        out.add(Files.readAllBytes(f));
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Checks that each seed is committed as {@code seed-<name>} with exactly these bytes; with
   * {@code -Dfuzz.writeSeeds=true} writes them instead.
   */
  public static void checkSeeds(Class<?> test, String method, Map<String, byte[]> seeds) throws IOException {
    Path dir = Path.of(System.getProperty("basedir", "."), "src/test/resources", directory(test, method));
    if (Boolean.getBoolean(WRITE_SEEDS)) {
      Files.createDirectories(dir);
      for (Map.Entry<String, byte[]> s : seeds.entrySet()) {
        Files.write(dir.resolve("seed-" + s.getKey()), s.getValue());
      }
      return;
    }
    for (Map.Entry<String, byte[]> s : seeds.entrySet()) {
      Path file = dir.resolve("seed-" + s.getKey());
      assertThat(file).as("seed %s (write the seeds with -D%s=true)", file, WRITE_SEEDS).exists();
      assertThat(Files.readAllBytes(file)).as("seed %s is stale (rewrite with -D%s=true)", file, WRITE_SEEDS)
          .isEqualTo(s.getValue());
    }
  }
}
