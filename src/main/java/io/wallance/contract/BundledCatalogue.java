package io.wallance.contract;

import io.wallance.contract.CatalogueException.Reason;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Copies the catalogue packaged as a resource directory to disk. Actions are real
 * processes: they need real files, a real working directory and execute permissions,
 * none of which a jar entry has.
 */
final class BundledCatalogue {

  /** Marks a directory as ours, so re-extraction may delete it and nothing else. */
  static final String MARKER = ".wallance-bundled-catalogue";

  private BundledCatalogue() {
  }

  static Path extract(ClassLoader loader, String resourceDirectory, Path extractionDirectory)
      throws CatalogueException {
    Path target = extractionDirectory.toAbsolutePath().normalize();
    // Jars built by Maven carry directory entries, so the directory itself is a resource.
    URL url = loader.getResource(resourceDirectory + "/");
    if (url == null) {
      url = loader.getResource(resourceDirectory);
    }
    if (url == null) {
      throw new CatalogueException(Reason.NO_CATALOGUE, Path.of(resourceDirectory), null,
          "no resource directory '" + resourceDirectory + "/' on the class path");
    }
    prepare(target);
    try {
      URI uri = url.toURI();
      if ("file".equals(uri.getScheme())) {
        copyTree(Path.of(uri), target);
      } else if ("jar".equals(uri.getScheme())) {
        copyFromJar(uri, target);
      } else {
        throw new CatalogueException(Reason.IO, Path.of(resourceDirectory), null,
            "cannot extract a catalogue from " + url);
      }
    } catch (URISyntaxException | IOException | RuntimeException e) {
      throw new CatalogueException(Reason.IO, target, null,
          "cannot extract the bundled catalogue from " + url + ": " + e, e);
    }
    return target;
  }

  private static void prepare(Path target) throws CatalogueException {
    try {
      if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
        if (!Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
          throw new CatalogueException(Reason.IO, target, null, "exists and is not a directory");
        }
        boolean empty;
        try (Stream<Path> entries = Files.list(target)) {
          empty = entries.findAny().isEmpty();
        }
        if (!empty && !Files.exists(target.resolve(MARKER))) {
          throw new CatalogueException(Reason.IO, target, null,
              "refusing to overwrite a non-empty directory that holds no " + MARKER);
        }
        deleteTree(target);
      }
      Files.createDirectories(target);
      Files.createFile(target.resolve(MARKER));
    } catch (IOException e) {
      throw new CatalogueException(Reason.IO, target, null, "cannot prepare: " + e, e);
    }
  }

  private static void copyFromJar(URI uri, Path target) throws IOException {
    // jar:file:/path/app.jar!/contracts/ -> the jar file and the path inside it.
    String spec = uri.getRawSchemeSpecificPart();
    int separator = spec.indexOf("!/");
    if (separator < 0) {
      throw new IOException("not a jar entry URI: " + uri);
    }
    Path jar = Path.of(URI.create(spec.substring(0, separator)));
    String inside = spec.substring(separator + 1);
    // A private file system, not the shared one behind jar: URIs, which someone else may own.
    try (FileSystem zip = FileSystems.newFileSystem(jar, (ClassLoader) null)) {
      copyTree(zip.getPath(inside), target);
    }
  }

  private static void copyTree(Path source, Path target) throws IOException {
    try (Stream<Path> paths = Files.walk(source)) {
      for (Path path : (Iterable<Path>) paths::iterator) {
        String relative = source.relativize(path).toString();
        if (relative.isEmpty()) {
          continue;
        }
        Path destination = target.resolve(relative).normalize();
        // Zip entries may carry "../" names; never write outside the target.
        if (!destination.startsWith(target)) {
          throw new IOException("entry escapes the extraction directory: " + relative);
        }
        if (Files.isDirectory(path)) {
          Files.createDirectories(destination);
        } else {
          Files.createDirectories(destination.getParent());
          try (InputStream in = Files.newInputStream(path)) {
            Files.copy(in, destination, StandardCopyOption.REPLACE_EXISTING);
          }
          if (startsWithShebang(destination)) {
            makeExecutable(destination);
          }
        }
      }
    }
  }

  /** Makes each relative program an action names ({@code ./run}, {@code bin/x}) executable. */
  static void makeProgramsExecutable(List<Contract> contracts) throws CatalogueException {
    for (Contract contract : contracts) {
      String program = contract.action().command().get(0);
      if (program.contains("/") && !program.startsWith("/")) {
        Path folder = contract.directory();
        Path file = folder.resolve(contract.action().workingDir()).resolve(program).normalize();
        if (file.startsWith(folder) && Files.isRegularFile(file)) {
          try {
            makeExecutable(file);
          } catch (IOException e) {
            throw new CatalogueException(Reason.IO, file, "action.command[0]",
                "cannot make executable: " + e, e);
          }
        }
      }
    }
  }

  private static boolean startsWithShebang(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      byte[] head = in.readNBytes(2);
      return head.length == 2 && head[0] == '#' && head[1] == '!';
    }
  }

  private static void makeExecutable(Path file) throws IOException {
    if (!file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
      return; // Not POSIX (Windows): there is no execute bit to set.
    }
    Set<PosixFilePermission> permissions = EnumSet.copyOf(Files.getPosixFilePermissions(file));
    permissions.add(PosixFilePermission.OWNER_EXECUTE);
    permissions.add(PosixFilePermission.GROUP_EXECUTE);
    permissions.add(PosixFilePermission.OTHERS_EXECUTE);
    Files.setPosixFilePermissions(file, permissions);
  }

  private static void deleteTree(Path root) throws IOException {
    // Files.walk does not follow symlinks by default, so a link inside is deleted, not its target.
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
        Files.delete(path);
      }
    }
  }
}
