package io.wallance.contract;

import io.wallance.contract.CatalogueException.Reason;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * An immutable, validated contract catalogue.
 *
 * <h2>Layout</h2>
 * A catalogue is a directory with one folder per contract. Each folder holds a
 * {@code contract.json} and the files its action needs:
 * <pre>{@code
 * {
 *   "name": "Nespresso",                       // 1-32 chars of [A-Za-z0-9_.-], unique ignoring case
 *   "price": 2,                                // integer DCoin, 1 .. 1000000
 *   "description": "One espresso",             // 1-1000 chars, for people
 *   "action": {
 *     "command": ["sh", "serve.sh"],           // argv, never a shell line
 *     "timeoutSeconds": 10,                    // 1 .. 3600
 *     "workingDir": "."                        // optional, relative to the contract folder
 *   },
 *   "device": {                                // optional, documentation only, never run
 *     "description": "...",
 *     "exampleCommand": ["gatttool", "-b", "<MAC>", "--char-write-req", "-a", "0x000b", "-n", "01"]
 *   }
 * }
 * }</pre>
 * (The {@code //} remarks explain the fields here; a descriptor is plain JSON without comments.)
 * Loading is strict: an unknown, missing or ill-typed field, a bad name or price, or a
 * duplicate name fails with a {@link CatalogueException} naming the file and the field.
 * Entries of the catalogue directory whose names start with {@code .} and plain files
 * (such as a {@code README.md}) are ignored; every other entry must be a contract folder.
 *
 * <h2>Where it comes from</h2>
 * Either a configured directory ({@link #load(Path)}) or the {@code contracts/} resource
 * directory packaged in the jar ({@link #loadBundled(ClassLoader, Path)}), which is first
 * extracted to a directory on disk because actions need real files to run. The working
 * directory of the process is never consulted.
 *
 * <h2>Digest</h2>
 * {@link #digest()} lets nodes compare catalogues: it is the lowercase hex SHA-256 of the
 * UTF-8 bytes of, for each contract in ascending order of name (compared by
 * {@link String#compareTo}, which for these ASCII names is byte order):
 * <pre>{@code name=<name>\nprice=<price in decimal, no sign, no leading zeros>\n}</pre>
 * concatenated with no separator and no trailing extra newline. For example a catalogue of
 * {@code Nespresso} at 2 and {@code Receipt} at 1 hashes the 44 bytes
 * {@code "name=Nespresso\nprice=2\nname=Receipt\nprice=1\n"}. Only names and prices are
 * covered, since only they affect the validity of a purchase; descriptions and actions may
 * differ per node (a Pi with a coffee machine runs a different command than a laptop).
 */
public final class ContractCatalogue {

  /** The resource directory (and top-level source folder) holding the bundled catalogue. */
  public static final String RESOURCE_DIRECTORY = "contracts";

  private final Path directory;
  private final List<Contract> contracts;
  private final Map<String, Contract> byName;
  private final String digest;

  private ContractCatalogue(Path directory, List<Contract> contracts) {
    this.directory = directory;
    this.contracts = List.copyOf(contracts);
    Map<String, Contract> index = new HashMap<>();
    contracts.forEach(c -> index.put(c.name(), c));
    this.byName = Map.copyOf(index);
    this.digest = digestOf(this.contracts);
  }

  /**
   * Loads the catalogue in a directory.
   *
   * @param directory the catalogue directory
   * @return the validated catalogue
   * @throws CatalogueException if the directory is missing or empty, or any contract is invalid
   */
  public static ContractCatalogue load(Path directory) throws CatalogueException {
    Path root = Objects.requireNonNull(directory, "directory").toAbsolutePath().normalize();
    if (!Files.isDirectory(root)) {
      throw new CatalogueException(Reason.NO_CATALOGUE, root, null, "not a directory");
    }
    List<Path> folders = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(root)) {
      for (Path entry : entries) {
        String fileName = entry.getFileName().toString();
        if (!fileName.startsWith(".") && Files.isDirectory(entry)) {
          folders.add(entry);
        }
      }
    } catch (IOException e) {
      throw new CatalogueException(Reason.IO, root, null, "cannot list: " + e, e);
    }
    // Sorted so the first of two duplicates, and thus the error, is the same on every node.
    folders.sort(Comparator.comparing(p -> p.getFileName().toString()));
    List<Contract> contracts = new ArrayList<>();
    Map<String, Contract> seen = new HashMap<>();
    for (Path folder : folders) {
      Contract contract = DescriptorParser.parse(folder);
      Contract previous = seen.putIfAbsent(contract.name().toLowerCase(Locale.ROOT), contract);
      if (previous != null) {
        throw new CatalogueException(Reason.DUPLICATE_NAME,
            folder.resolve(DescriptorParser.DESCRIPTOR), "name", "'" + contract.name()
                + "' is already defined in " + previous.directory().resolve(DescriptorParser.DESCRIPTOR)
                + " (names are compared ignoring case)");
      }
      contracts.add(contract);
    }
    if (contracts.isEmpty()) {
      throw new CatalogueException(Reason.EMPTY_CATALOGUE, root, null,
          "no contract folders (each needs a " + DescriptorParser.DESCRIPTOR + ")");
    }
    contracts.sort(Comparator.comparing(Contract::name));
    return new ContractCatalogue(root, contracts);
  }

  /**
   * Extracts the catalogue packaged as the {@value #RESOURCE_DIRECTORY}{@code /} resource
   * directory (from the jar, or from a classes directory in development) into
   * {@code extractionDirectory} and loads it from there.
   *
   * <p>{@code extractionDirectory} must be absent, empty, or a directory this method
   * extracted to before (it leaves a marker file); in the last case it is replaced, so an
   * upgraded jar never runs stale contract files. Scripts starting with {@code #!} and a
   * relative program named by an action are made executable, since jar entries carry no
   * permissions.
   *
   * @param loader the class loader whose resources hold the catalogue
   * @param extractionDirectory where to put the files, e.g. under the node's data directory
   * @return the validated catalogue, whose contracts live under {@code extractionDirectory}
   * @throws CatalogueException if there is no bundled catalogue, extraction fails or it is invalid
   */
  public static ContractCatalogue loadBundled(ClassLoader loader, Path extractionDirectory)
      throws CatalogueException {
    Path target = BundledCatalogue.extract(loader, RESOURCE_DIRECTORY, extractionDirectory);
    ContractCatalogue catalogue = load(target);
    BundledCatalogue.makeProgramsExecutable(catalogue.contracts());
    return catalogue;
  }

  /** @return the catalogue directory on disk (absolute) */
  public Path directory() {
    return directory;
  }

  /** @return every contract, sorted by name */
  public List<Contract> contracts() {
    return contracts;
  }

  /**
   * @param name a contract name, compared exactly
   * @return the contract with that name, if any
   */
  public Optional<Contract> find(String name) {
    return Optional.ofNullable(byName.get(name));
  }

  /** @return the catalogue digest: 64 lowercase hex characters, see the class documentation */
  public String digest() {
    return digest;
  }

  /**
   * Computes the digest of a list of contracts exactly as {@link #digest()} does.
   *
   * @param contracts the contracts, in any order
   * @return 64 lowercase hex characters
   */
  public static String digestOf(List<Contract> contracts) {
    StringBuilder canonical = new StringBuilder();
    contracts.stream()
        .sorted(Comparator.comparing(Contract::name))
        .forEach(c -> canonical.append("name=").append(c.name()).append('\n')
            .append("price=").append(c.price()).append('\n'));
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256")
          .digest(canonical.toString().getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(hash);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }

  @Override
  public String toString() {
    return "ContractCatalogue[" + directory + ", " + contracts.size() + " contracts, digest "
        + digest + "]";
  }
}
