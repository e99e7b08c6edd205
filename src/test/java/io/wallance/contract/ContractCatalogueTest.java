package io.wallance.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.wallance.contract.CatalogueException.Reason;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContractCatalogueTest {

  /** sha256sum of printf 'name=Nespresso\nprice=2\nname=Receipt\nprice=1\n', computed outside Java. */
  private static final String SHIPPED_DIGEST =
      "b81622bf145a2dfb06510f5fcf3b792e54556e4535de331f04fb97d1733e58ba";

  @TempDir
  Path dir;

  private ContractCatalogue shipped() throws CatalogueException {
    return ContractCatalogue.loadBundled(getClass().getClassLoader(), dir.resolve("extracted"));
  }

  @Test
  void loadsTheShippedCatalogueFromTheClassPath() throws Exception {
    ContractCatalogue catalogue = shipped();

    assertThat(catalogue.contracts()).extracting(Contract::name).containsExactly("Nespresso", "Receipt");
    Contract nespresso = catalogue.find("Nespresso").orElseThrow();
    assertThat(nespresso.price()).isEqualTo(2);
    assertThat(nespresso.action().command()).containsExactly("sh", "serve.sh");
    assertThat(nespresso.device().orElseThrow().exampleCommand()).containsExactly("gatttool", "-b", "AA:BB:CC:DD:EE:FF", "--char-write-req", "-a", "0x000b", "-n", "01");
    assertThat(nespresso.directory()).isEqualTo(dir.resolve("extracted/Nespresso"));
    assertThat(nespresso.directory().resolve("serve.sh")).isExecutable();
    assertThat(catalogue.find("Receipt").orElseThrow().price()).isEqualTo(1);
    assertThat(catalogue.directory()).isEqualTo(dir.resolve("extracted"));
  }

  @Test
  void digestIsTheDocumentedHashOfNamesAndPrices() throws Exception {
    assertThat(shipped().digest()).isEqualTo(SHIPPED_DIGEST);
  }

  @Test
  void digestDoesNotDependOnOrderOrDescriptions() throws Exception {
    List<Contract> contracts = new ArrayList<>(shipped().contracts());
    Collections.shuffle(contracts, new Random(7));
    Contract first = contracts.get(0);
    contracts.set(0, new Contract(first.name(), first.price(), "another description",
        first.action(), Optional.empty(), first.directory()));

    assertThat(ContractCatalogue.digestOf(contracts)).isEqualTo(SHIPPED_DIGEST);
  }

  @Test
  void digestChangesWithAPriceOrAName() throws Exception {
    Path catalogue = dir.resolve("c");
    TestContracts.write(catalogue, "a", TestContracts.descriptor("Coffee", 2));
    TestContracts.write(catalogue, "b", TestContracts.descriptor("Tea", 1));
    String before = ContractCatalogue.load(catalogue).digest();
    assertThat(ContractCatalogue.load(catalogue).digest()).as("stable").isEqualTo(before);

    TestContracts.write(catalogue, "b", TestContracts.descriptor("Tea", 3));
    String repriced = ContractCatalogue.load(catalogue).digest();
    TestContracts.write(catalogue, "b", TestContracts.descriptor("Teas", 1));
    String renamed = ContractCatalogue.load(catalogue).digest();

    assertThat(repriced).isNotEqualTo(before);
    assertThat(renamed).isNotEqualTo(before).isNotEqualTo(repriced);
  }

  @Test
  void ignoresPlainFilesAndHiddenEntries() throws Exception {
    Path catalogue = dir.resolve("c");
    TestContracts.write(catalogue, "a", TestContracts.descriptor("Coffee", 2));
    Files.writeString(catalogue.resolve("README.md"), "notes");
    Files.createDirectories(catalogue.resolve(".git"));

    assertThat(ContractCatalogue.load(catalogue).contracts()).extracting(Contract::name).containsExactly("Coffee");
  }

  @Test
  void acceptsAWorkingDirectoryInsideTheFolder() throws Exception {
    Path catalogue = dir.resolve("c");
    Path folder = TestContracts.write(catalogue, "a", TestContracts.descriptor("Coffee", 2)
        .replace("\"timeoutSeconds\": 5", "\"timeoutSeconds\": 5, \"workingDir\": \"bin/../bin\""));
    Files.createDirectories(folder.resolve("bin"));

    assertThat(ContractCatalogue.load(catalogue).find("Coffee").orElseThrow().action().workingDir())
        .isEqualTo("bin");
  }

  @Test
  void findIsExact() throws Exception {
    ContractCatalogue catalogue = shipped();
    assertThat(catalogue.find("nespresso")).isEmpty();
    assertThat(catalogue.find("Nespresso")).isPresent();
  }

  // ---- rejections: each names the reason, the file and the field ----

  private CatalogueException rejected(String descriptor) {
    TestContracts.write(dir.resolve("bad"), "x", descriptor);
    CatalogueException e = catchThrowableOfType(CatalogueException.class,
        () -> ContractCatalogue.load(dir.resolve("bad")));
    assertThat(e).as("must be rejected:\n" + descriptor).isNotNull();
    assertThat(e.file()).isEqualTo(dir.resolve("bad/x/contract.json"));
    assertThat(e.getMessage()).startsWith(e.file().toString());
    return e;
  }

  private void assertRejected(String descriptor, Reason reason, String field) {
    CatalogueException e = rejected(descriptor);
    assertThat(e.reason()).as(e.getMessage()).isEqualTo(reason);
    assertThat(e.field()).as(e.getMessage()).isEqualTo(field);
    if (field != null) {
      assertThat(e.getMessage()).contains("'" + field + "'");
    }
  }

  private static final String VALID = TestContracts.descriptor("Coffee", 2);

  @Test
  void rejectsUnknownFields() {
    assertRejected(VALID.replace("\"price\"", "\"colour\": \"red\", \"price\""), Reason.UNKNOWN_FIELD, "colour");
    assertRejected(VALID.replace("\"timeoutSeconds\"", "\"shell\": true, \"timeoutSeconds\""),
        Reason.UNKNOWN_FIELD, "action.shell");
    assertRejected(VALID.replace("\"price\"",
            "\"device\": {\"description\": \"d\", \"exampleCommand\": [\"x\"], \"mac\": \"1\"}, \"price\""),
        Reason.UNKNOWN_FIELD, "device.mac");
  }

  @Test
  void rejectsMissingFields() {
    assertRejected(VALID.replace("\"name\": \"Coffee\",", ""), Reason.MISSING_FIELD, "name");
    assertRejected(VALID.replace("\"price\": 2,", ""), Reason.MISSING_FIELD, "price");
    assertRejected(VALID.replace("\"description\": \"test contract Coffee\",", ""), Reason.MISSING_FIELD, "description");
    assertRejected("""
        {"name": "Coffee", "price": 2, "description": "d"}
        """, Reason.MISSING_FIELD, "action");
    assertRejected(VALID.replace("\"command\": [\"sh\", \"run.sh\"], ", ""), Reason.MISSING_FIELD, "action.command");
    assertRejected(VALID.replace(", \"timeoutSeconds\": 5", ""), Reason.MISSING_FIELD, "action.timeoutSeconds");
    assertRejected(VALID.replace("\"price\"", "\"device\": {\"description\": \"d\"}, \"price\""),
        Reason.MISSING_FIELD, "device.exampleCommand");
  }

  @Test
  void rejectsBadNames() {
    for (String name : List.of("", "A".repeat(33), "Ne$presso", "two words", "caf\u00e9", "a/b")) {
      assertRejected(TestContracts.descriptor(name, 2), Reason.BAD_NAME, "name");
    }
    assertRejected(VALID.replace("\"Coffee\"", "42"), Reason.BAD_NAME, "name");
    assertRejected(VALID.replace("\"Coffee\"", "null"), Reason.BAD_NAME, "name");
  }

  @Test
  void acceptsNamesAtTheLimits() throws Exception {
    Path catalogue = dir.resolve("ok");
    TestContracts.write(catalogue, "a", TestContracts.descriptor("A".repeat(32), 1_000_000));
    TestContracts.write(catalogue, "b", TestContracts.descriptor("x", 1));
    TestContracts.write(catalogue, "c", TestContracts.descriptor("a-b_c.D9", 5));
    assertThat(ContractCatalogue.load(catalogue).contracts()).hasSize(3);
  }

  @Test
  void rejectsBadPrices() {
    for (String price : List.of("0", "-1", "1000001", "2.0", "2.5", "1e3", "\"2\"", "null", "true",
        "99999999999999999999", "[2]")) {
      assertRejected(VALID.replace("\"price\": 2", "\"price\": " + price), Reason.BAD_PRICE, "price");
    }
  }

  @Test
  void rejectsBadValues() {
    assertRejected(VALID.replace("\"test contract Coffee\"", "7"), Reason.BAD_VALUE, "description");
    assertRejected(VALID.replace("\"test contract Coffee\"", "\"  \""), Reason.BAD_VALUE, "description");
    assertRejected(VALID.replace("\"test contract Coffee\"", "\"" + "d".repeat(1001) + "\""),
        Reason.BAD_VALUE, "description");
    assertRejected(VALID.replace("{ \"command\": [\"sh\", \"run.sh\"], \"timeoutSeconds\": 5 }", "\"sh run.sh\""),
        Reason.BAD_VALUE, "action");
    assertRejected(VALID.replace("[\"sh\", \"run.sh\"]", "[]"), Reason.BAD_VALUE, "action.command");
    assertRejected(VALID.replace("[\"sh\", \"run.sh\"]", "\"sh run.sh\""), Reason.BAD_VALUE, "action.command");
    assertRejected(VALID.replace("[\"sh\", \"run.sh\"]", "[\"sh\", 1]"), Reason.BAD_VALUE, "action.command[1]");
    assertRejected(VALID.replace("[\"sh\", \"run.sh\"]", "[\"\"]"), Reason.BAD_VALUE, "action.command[0]");
    assertRejected(VALID.replace("[\"sh\", \"run.sh\"]", "[\"sh\", \"a\\u0000b\"]"), Reason.BAD_VALUE, "action.command[1]");
    for (String timeout : List.of("0", "3601", "\"5\"", "1.5", "null")) {
      assertRejected(VALID.replace("\"timeoutSeconds\": 5", "\"timeoutSeconds\": " + timeout),
          Reason.BAD_VALUE, "action.timeoutSeconds");
    }
    assertRejected(VALID.replace("\"price\"", "\"device\": \"gatttool\", \"price\""), Reason.BAD_VALUE, "device");
    assertRejected(VALID.replace("\"price\"", "\"device\": {\"description\": \"d\", \"exampleCommand\": []}, \"price\""),
        Reason.BAD_VALUE, "device.exampleCommand");
  }

  @Test
  void rejectsWorkingDirectoriesOutsideTheFolder() throws Exception {
    Files.createDirectories(dir.resolve("outside"));
    for (String workingDir : List.of("/tmp", "..", "../outside", "sub/../../outside", "missing", "")) {
      assertRejected(VALID.replace("\"timeoutSeconds\": 5", "\"timeoutSeconds\": 5, \"workingDir\": \"" + workingDir + "\""),
          Reason.BAD_WORKING_DIR, "action.workingDir");
    }
  }

  @Test
  void rejectsAWorkingDirectorySymlinkLeavingTheFolder() throws Exception {
    Path folder = TestContracts.write(dir.resolve("bad"), "x",
        VALID.replace("\"timeoutSeconds\": 5", "\"timeoutSeconds\": 5, \"workingDir\": \"link\""));
    Files.createSymbolicLink(folder.resolve("link"), Files.createDirectories(dir.resolve("elsewhere")));

    CatalogueException e = catchThrowableOfType(CatalogueException.class, () -> ContractCatalogue.load(dir.resolve("bad")));
    assertThat(e.reason()).isEqualTo(Reason.BAD_WORKING_DIR);
    assertThat(e.field()).isEqualTo("action.workingDir");
  }

  @Test
  void rejectsMalformedJson() {
    assertRejected(VALID + "{}", Reason.MALFORMED_JSON, null);
    assertRejected(VALID.replace("\"price\": 2", "\"price\": 2, \"price\": 1"), Reason.MALFORMED_JSON, null);
    assertRejected("[1, 2]", Reason.MALFORMED_JSON, null);
    assertRejected("", Reason.MALFORMED_JSON, null);
    assertRejected("{\"name\": ", Reason.MALFORMED_JSON, null);
    assertRejected("{ " + " ".repeat(70_000) + "}", Reason.MALFORMED_JSON, null);
  }

  @Test
  void rejectsAFolderWithoutDescriptor() throws Exception {
    TestContracts.write(dir.resolve("c"), "a", VALID);
    Files.createDirectories(dir.resolve("c/b"));

    CatalogueException e = catchThrowableOfType(CatalogueException.class, () -> ContractCatalogue.load(dir.resolve("c")));
    assertThat(e.reason()).isEqualTo(Reason.MISSING_DESCRIPTOR);
    assertThat(e.file()).isEqualTo(dir.resolve("c/b/contract.json"));
  }

  @Test
  void rejectsDuplicateNamesIgnoringCase() {
    TestContracts.write(dir.resolve("c"), "a", TestContracts.descriptor("Coffee", 2));
    TestContracts.write(dir.resolve("c"), "b", TestContracts.descriptor("coffee", 3));

    CatalogueException e = catchThrowableOfType(CatalogueException.class, () -> ContractCatalogue.load(dir.resolve("c")));
    assertThat(e.reason()).isEqualTo(Reason.DUPLICATE_NAME);
    assertThat(e.field()).isEqualTo("name");
    assertThat(e.file()).isEqualTo(dir.resolve("c/b/contract.json"));
    assertThat(e.getMessage()).contains(dir.resolve("c/a/contract.json").toString());
  }

  @Test
  void rejectsMissingAndEmptyCatalogues() throws Exception {
    assertThatThrownBy(() -> ContractCatalogue.load(dir.resolve("nope")))
        .isInstanceOfSatisfying(CatalogueException.class, e -> assertThat(e.reason()).isEqualTo(Reason.NO_CATALOGUE));
    Files.createDirectories(dir.resolve("empty"));
    Files.writeString(dir.resolve("empty/README.md"), "nothing");
    assertThatThrownBy(() -> ContractCatalogue.load(dir.resolve("empty")))
        .isInstanceOfSatisfying(CatalogueException.class, e -> assertThat(e.reason()).isEqualTo(Reason.EMPTY_CATALOGUE));
  }

  @Test
  void bundledCatalogueMissingFromTheClassPathIsReported() {
    ClassLoader empty = new ClassLoader(null) { };
    assertThatThrownBy(() -> ContractCatalogue.loadBundled(empty, dir.resolve("x")))
        .isInstanceOfSatisfying(CatalogueException.class, e -> assertThat(e.reason()).isEqualTo(Reason.NO_CATALOGUE));
  }
}
