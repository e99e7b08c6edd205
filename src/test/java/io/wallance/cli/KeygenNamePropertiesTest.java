package io.wallance.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Whatever the name, keygen either rejects it or writes exactly NAME.key and NAME.pub inside --out. */
class KeygenNamePropertiesTest {

  @Property(tries = 300)
  void keyFilesNeverLeaveTheOutDirectory(@ForAll("names") String name) throws IOException {
    Path root = Files.createTempDirectory("keygen-prop");
    try {
      Path out = Files.createDirectory(root.resolve("out"));

      CliRun run = CliRun.of("keygen", "--out", out.toString(), "--name=" + name);

      if (KeygenCommand.NAME.matcher(name).matches()) {
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(fileNames(out)).containsExactlyInAnyOrder(name + ".key", name + ".pub");
        assertThat(run.out()).startsWith("member " + name + " ");
      } else {
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(fileNames(out)).isEmpty();
      }
      assertThat(fileNames(root)).containsExactly("out");
    } finally {
      deleteRecursively(root);
    }
  }

  @Provide
  Arbitrary<String> names() {
    // Mostly plausible names, salted with separators, dots, spaces and unicode.
    Arbitrary<String> plausible = Arbitraries.strings().withCharRange('a', 'z').withCharRange('0', '9')
        .withChars('.', '_', '-', '/', ' ', '\\', 'é').ofMinLength(0).ofMaxLength(70);
    Arbitrary<String> traversal = Arbitraries.of("..", ".", "../x", "x/../../y", "/abs", "-", "--out");
    return Arbitraries.oneOf(plausible, plausible, plausible, traversal, Arbitraries.strings().ofMaxLength(20));
  }

  private static List<String> fileNames(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).toList();
    }
  }

  private static void deleteRecursively(Path root) throws IOException {
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
