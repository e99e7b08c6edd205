package io.wallance.contract;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/** Writes small contract folders for tests. */
final class TestContracts {

  private TestContracts() {
  }

  /** A valid descriptor running {@code sh run.sh}; tests edit the text to break it. */
  static String descriptor(String name, long price) {
    return """
        {
          "name": "%s",
          "price": %d,
          "description": "test contract %s",
          "action": { "command": ["sh", "run.sh"], "timeoutSeconds": 5 }
        }
        """.formatted(name, price, name);
  }

  /** Writes {@code folder/contract.json} with the given text, creating the folder. */
  static Path write(Path catalogue, String folder, String descriptor) {
    try {
      Path dir = Files.createDirectories(catalogue.resolve(folder));
      Files.writeString(dir.resolve("contract.json"), descriptor);
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Writes a contract whose action runs {@code script} with {@code sh}. */
  static Contract scripted(Path catalogue, String name, int timeoutSeconds, String script) {
    String descriptor = """
        {
          "name": "%s",
          "price": 1,
          "description": "scripted test contract",
          "action": { "command": ["sh", "run.sh"], "timeoutSeconds": %d }
        }
        """.formatted(name, timeoutSeconds);
    Path dir = write(catalogue, name, descriptor);
    try {
      Files.writeString(dir.resolve("run.sh"), script);
      return ContractCatalogue.load(catalogue).find(name).orElseThrow();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (CatalogueException e) {
      throw new IllegalStateException(e);
    }
  }

  static void makeExecutable(Path file) {
    try {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
