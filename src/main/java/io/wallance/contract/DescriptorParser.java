package io.wallance.contract;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.wallance.contract.CatalogueException.Reason;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Turns one {@code contract.json} into a {@link Contract}, or a {@link CatalogueException}
 * naming the field. Works on a JSON tree rather than data binding so that every rejection
 * can name the exact field and so that {@code 2.0} or {@code "2"} is not silently accepted
 * as a price.
 */
final class DescriptorParser {

  static final String DESCRIPTOR = "contract.json";

  /** A descriptor is a few hundred bytes; a huge file is a mistake, not a contract. */
  static final int MAX_DESCRIPTOR_BYTES = 64 * 1024;
  static final int MAX_DESCRIPTION_CHARS = 1000;
  static final int MAX_COMMAND_ARGS = 64;
  static final int MAX_ARG_CHARS = 4096;

  private static final Set<String> TOP_FIELDS =
      Set.of("name", "price", "description", "action", "device");
  private static final Set<String> ACTION_FIELDS = Set.of("command", "timeoutSeconds", "workingDir");
  private static final Set<String> DEVICE_FIELDS = Set.of("description", "exampleCommand");

  // Duplicate keys would let two readers of one file see different prices.
  private static final ObjectMapper JSON = JsonMapper.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .build();

  private final Path file;
  private final Path folder;

  private DescriptorParser(Path folder) {
    this.folder = folder.toAbsolutePath().normalize();
    this.file = this.folder.resolve(DESCRIPTOR);
  }

  /** Parses the descriptor of the contract in {@code folder}. */
  static Contract parse(Path folder) throws CatalogueException {
    return new DescriptorParser(folder).parse();
  }

  private Contract parse() throws CatalogueException {
    JsonNode root = readTree();
    if (!root.isObject()) {
      throw fail(Reason.MALFORMED_JSON, null, "the descriptor must be a JSON object");
    }
    checkFields(root, TOP_FIELDS, "");
    String name = name(require(root, "name"));
    long price = price(require(root, "price"));
    String description = text(require(root, "description"), "description", MAX_DESCRIPTION_CHARS);
    ContractAction action = action(require(root, "action"));
    Optional<DeviceExample> device = root.has("device")
        ? Optional.of(device(root.get("device")))
        : Optional.empty();
    return new Contract(name, price, description, action, device, folder);
  }

  private JsonNode readTree() throws CatalogueException {
    if (!Files.isRegularFile(file)) {
      throw fail(Reason.MISSING_DESCRIPTOR, null, "no " + DESCRIPTOR + " in the contract folder");
    }
    byte[] bytes;
    try (InputStream in = Files.newInputStream(file)) {
      bytes = in.readNBytes(MAX_DESCRIPTOR_BYTES + 1);
    } catch (IOException e) {
      throw new CatalogueException(Reason.IO, file, null, "cannot read: " + e, e);
    }
    if (bytes.length > MAX_DESCRIPTOR_BYTES) {
      throw fail(Reason.MALFORMED_JSON, null, "larger than " + MAX_DESCRIPTOR_BYTES + " bytes");
    }
    try {
      JsonNode root = JSON.readTree(bytes);
      if (root == null || root.isMissingNode()) {
        throw fail(Reason.MALFORMED_JSON, null, "empty file");
      }
      return root;
    } catch (JsonProcessingException e) {
      throw new CatalogueException(
          Reason.MALFORMED_JSON, file, null, "not valid JSON: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new CatalogueException(Reason.IO, file, null, "cannot parse: " + e, e);
    }
  }

  private void checkFields(JsonNode object, Set<String> allowed, String prefix)
      throws CatalogueException {
    for (Iterator<String> it = object.fieldNames(); it.hasNext(); ) {
      String field = it.next();
      if (!allowed.contains(field)) {
        throw fail(Reason.UNKNOWN_FIELD, prefix + field,
            "unknown field (allowed: " + String.join(", ", allowed.stream().sorted().toList()) + ")");
      }
    }
  }

  private JsonNode require(JsonNode object, String field) throws CatalogueException {
    return require(object, field, "");
  }

  private JsonNode require(JsonNode object, String field, String prefix) throws CatalogueException {
    JsonNode value = object.get(field);
    if (value == null) {
      throw fail(Reason.MISSING_FIELD, prefix + field, "required field is missing");
    }
    return value;
  }

  private String name(JsonNode node) throws CatalogueException {
    if (!node.isTextual() || !Contract.NAME_PATTERN.matcher(node.textValue()).matches()) {
      throw fail(Reason.BAD_NAME, "name", "must be a string of 1-32 characters [A-Za-z0-9_.-], got " + node);
    }
    return node.textValue();
  }

  private long price(JsonNode node) throws CatalogueException {
    // canConvertToLong rejects integers too big for a long before we compare them.
    if (!node.isIntegralNumber() || !node.canConvertToLong()
        || node.longValue() < Contract.MIN_PRICE || node.longValue() > Contract.MAX_PRICE) {
      throw fail(Reason.BAD_PRICE, "price", "must be an integer DCoin amount from "
          + Contract.MIN_PRICE + " to " + Contract.MAX_PRICE + ", got " + node);
    }
    return node.longValue();
  }

  private String text(JsonNode node, String field, int maxChars) throws CatalogueException {
    if (!node.isTextual()) {
      throw fail(Reason.BAD_VALUE, field, "must be a string, got " + node.getNodeType());
    }
    String value = node.textValue();
    if (value.isBlank() || value.length() > maxChars) {
      throw fail(Reason.BAD_VALUE, field, "must be 1-" + maxChars + " characters and not blank");
    }
    return value;
  }

  private ContractAction action(JsonNode node) throws CatalogueException {
    if (!node.isObject()) {
      throw fail(Reason.BAD_VALUE, "action", "must be an object");
    }
    checkFields(node, ACTION_FIELDS, "action.");
    List<String> command = argv(require(node, "command", "action."), "action.command");
    JsonNode timeout = require(node, "timeoutSeconds", "action.");
    if (!timeout.isIntegralNumber() || !timeout.canConvertToInt()
        || timeout.intValue() < 1 || timeout.intValue() > ContractAction.MAX_TIMEOUT_SECONDS) {
      throw fail(Reason.BAD_VALUE, "action.timeoutSeconds",
          "must be an integer from 1 to " + ContractAction.MAX_TIMEOUT_SECONDS + ", got " + timeout);
    }
    String workingDir = node.has("workingDir") ? workingDir(node.get("workingDir")) : ".";
    return new ContractAction(command, timeout.intValue(), workingDir);
  }

  private List<String> argv(JsonNode node, String field) throws CatalogueException {
    if (!node.isArray() || node.isEmpty() || node.size() > MAX_COMMAND_ARGS) {
      throw fail(Reason.BAD_VALUE, field,
          "must be a non-empty array of at most " + MAX_COMMAND_ARGS + " strings");
    }
    List<String> argv = new ArrayList<>(node.size());
    for (int i = 0; i < node.size(); i++) {
      JsonNode arg = node.get(i);
      // A NUL cannot cross execve(2); an empty program name is never what was meant.
      if (!arg.isTextual() || arg.textValue().length() > MAX_ARG_CHARS
          || arg.textValue().indexOf('\0') >= 0 || (i == 0 && arg.textValue().isEmpty())) {
        throw fail(Reason.BAD_VALUE, field + "[" + i + "]",
            "must be a string without NUL of at most " + MAX_ARG_CHARS + " characters");
      }
      argv.add(arg.textValue());
    }
    return argv;
  }

  private String workingDir(JsonNode node) throws CatalogueException {
    String field = "action.workingDir";
    if (!node.isTextual() || node.textValue().isEmpty() || node.textValue().indexOf('\0') >= 0) {
      throw fail(Reason.BAD_WORKING_DIR, field, "must be a non-empty relative path");
    }
    Path relative;
    try {
      relative = Path.of(node.textValue()).normalize();
    } catch (RuntimeException e) {
      throw fail(Reason.BAD_WORKING_DIR, field, "not a path: " + node.textValue());
    }
    if (relative.isAbsolute() || relative.startsWith("..")) {
      throw fail(Reason.BAD_WORKING_DIR, field, "must stay inside the contract folder");
    }
    Path dir = folder.resolve(relative);
    try {
      // Compare real paths so a symlink cannot lead the action out of the contract folder.
      if (!Files.isDirectory(dir) || !dir.toRealPath().startsWith(folder.toRealPath())) {
        throw fail(Reason.BAD_WORKING_DIR, field,
            "must be an existing directory inside the contract folder: " + node.textValue());
      }
    } catch (IOException e) {
      throw new CatalogueException(Reason.IO, file, field, "cannot resolve: " + e, e);
    }
    String normalized = relative.toString();
    return normalized.isEmpty() ? "." : normalized;
  }

  private DeviceExample device(JsonNode node) throws CatalogueException {
    if (!node.isObject()) {
      throw fail(Reason.BAD_VALUE, "device", "must be an object");
    }
    checkFields(node, DEVICE_FIELDS, "device.");
    String description =
        text(require(node, "description", "device."), "device.description", MAX_DESCRIPTION_CHARS);
    List<String> command = argv(require(node, "exampleCommand", "device."), "device.exampleCommand");
    return new DeviceExample(description, command);
  }

  private CatalogueException fail(Reason reason, String field, String detail) {
    return new CatalogueException(reason, file, field, detail);
  }
}
