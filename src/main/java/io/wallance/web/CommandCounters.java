package io.wallance.web;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.wallance.config.ConfigException;
import io.wallance.protocol.Canon;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.TreeMap;

/**
 * The web verticle's durable operator state: the last command counter used per node and the
 * last purchase id, in {@value #FILE} of its data directory.
 *
 * <p>Every new value is written (to a temporary file, forced to disk, then atomically renamed)
 * <em>before</em> it is returned, so a command is never sent with a counter a restart could
 * hand out again. Nodes refuse a counter not above the last they accepted, so a lost file
 * makes commands fail as replays until {@link #raise(String, long)} resynchronises them from
 * the node's view. Methods block on the disk: call them off the event loop.
 */
public final class CommandCounters {
  /** The file name in the data directory. */
  public static final String FILE = "operator-counters.json";

  private final Path file;
  private final Map<String, Long> counters = new TreeMap<>();
  private long lastPurchase;

  private CommandCounters(Path file) {
    this.file = file;
  }

  /**
   * Opens (or creates) the state in {@code dataDir}.
   *
   * @param dataDir the web verticle's data directory; created if missing
   * @return the state
   * @throws ConfigException when the file exists but is not valid
   */
  public static CommandCounters open(Path dataDir) throws IOException {
    Files.createDirectories(dataDir);
    CommandCounters c = new CommandCounters(dataDir.resolve(FILE));
    if (Files.exists(c.file)) {
      c.read();
    }
    return c;
  }

  /**
   * @param node the node id
   * @return the next counter for a command to {@code node}, already stored durably
   */
  public synchronized long next(String node) throws IOException {
    long value = counters.getOrDefault(node, 0L) + 1;
    counters.put(node, value);
    write();
    return value;
  }

  /**
   * Makes the next counter for {@code node} exceed {@code atLeast} (resynchronising after a
   * refused replay, e.g. when the data directory was lost).
   *
   * @param node the node id
   * @param atLeast the last counter the node has accepted
   */
  public synchronized void raise(String node, long atLeast) throws IOException {
    if (counters.getOrDefault(node, 0L) < atLeast) {
      counters.put(node, atLeast);
      write();
    }
  }

  /** @return the next purchase id (increasing for this data directory), already stored durably */
  public synchronized long nextPurchase() throws IOException {
    lastPurchase++;
    write();
    return lastPurchase;
  }

  /** @return the last counter used for {@code node}, 0 if none */
  public synchronized long last(String node) {
    return counters.getOrDefault(node, 0L);
  }

  private void read() throws IOException {
    String text = Files.readString(file, StandardCharsets.UTF_8);
    try {
      JsonObject json = new JsonObject(text);
      lastPurchase = json.getLong("lastPurchase", 0L);
      JsonObject map = json.getJsonObject("counters", new JsonObject());
      for (String node : map.fieldNames()) {
        Long v = map.getLong(node);
        if (!Canon.isHex64(node) || v == null || v < 0) {
          throw new ConfigException(file + ": counters." + node + " is not a node id with a counter");
        }
        counters.put(node, v);
      }
      if (lastPurchase < 0) {
        throw new ConfigException(file + ": lastPurchase must not be negative");
      }
    } catch (DecodeException | ClassCastException e) {
      throw new ConfigException(file + ": not a valid counter file (" + e.getMessage() + ")", e);
    }
  }

  private void write() throws IOException {
    JsonObject json = new JsonObject().put("lastPurchase", lastPurchase);
    JsonObject map = new JsonObject();
    counters.forEach(map::put);
    json.put("counters", map);
    Path tmp = file.resolveSibling(FILE + ".tmp");
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      ch.write(StandardCharsets.UTF_8.encode(json.encodePrettily() + "\n"));
      ch.force(true);
    }
    try {
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
    }
  }
}
