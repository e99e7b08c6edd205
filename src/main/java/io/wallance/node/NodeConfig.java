package io.wallance.node;

import io.wallance.cluster.ClusterOptions;
import io.wallance.config.ConfigException;
import io.wallance.config.StrictJson;
import io.wallance.sensor.SensorKind;
import io.wallance.sensor.SensorOptions;
import io.wallance.sensor.ThermalZoneSensor;
import io.wallance.store.StoreOptions;
import io.wallance.tls.TlsFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The configuration of one node ({@code node --config node.json}), read once and passed down.
 * The format is documented in {@code docs/ARCHITECTURE.md}. Parsing is strict: an unknown,
 * missing or ill-typed field fails with a {@link ConfigException} naming the file and the
 * field. Relative paths resolve against the directory of the config file, never against the
 * working directory.
 *
 * @param name the node's display name in logs (the registry's name is what observers see)
 * @param keyFile the member's private key file
 * @param registryFile the signed genesis registry (wire text)
 * @param dataDir the node's own directory: its ledger database, extracted contracts, receipts
 * @param contractsDir the contract catalogue directory, or null for the catalogue bundled in the jar
 * @param sensor which sensor to read and how often
 * @param cluster how to join the cluster
 * @param rateLimit the per-sender limit applied before signatures are verified
 * @param registryUpdates signed registries of epochs after the genesis (wire text files), in
 *     any order: adopted at start and published to the peers (the way a new member, absent from
 *     the genesis, learns that it is one, and the way an epoch reaches nodes that missed it)
 * @param storeSync the ledger database's fsync policy ({@code store.sync}: {@code normal} or {@code full})
 * @param crashAt test only: the crash point from the system property {@value CrashPoint#PROPERTY}, or null
 * @param metrics where to serve {@code /metrics}, {@code /health} and {@code /readiness}, or
 *     null (the default) for no such server
 * @param tls the node's certificate, key and the project CA ({@code "tls": {"ca", "cert", "key"}}):
 *     mutual TLS on the event bus, HTTPS for the metrics server; null (the default) for neither
 */
public record NodeConfig(String name, Path keyFile, Path registryFile, Path dataDir, Path contractsDir,
    Sensor sensor, ClusterOptions cluster, RateLimit rateLimit, List<Path> registryUpdates,
    StoreOptions.Sync storeSync, CrashPoint crashAt, Metrics metrics, TlsFiles tls) {

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,32}");

  /** Checks the required parts are present. */
  public NodeConfig {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(keyFile, "keyFile");
    Objects.requireNonNull(registryFile, "registryFile");
    Objects.requireNonNull(dataDir, "dataDir");
    Objects.requireNonNull(sensor, "sensor");
    Objects.requireNonNull(cluster, "cluster");
    Objects.requireNonNull(rateLimit, "rateLimit");
    registryUpdates = List.copyOf(registryUpdates);
    Objects.requireNonNull(storeSync, "storeSync");
  }

  /** A config without TLS. */
  public NodeConfig(String name, Path keyFile, Path registryFile, Path dataDir, Path contractsDir,
      Sensor sensor, ClusterOptions cluster, RateLimit rateLimit, List<Path> registryUpdates,
      StoreOptions.Sync storeSync, CrashPoint crashAt, Metrics metrics) {
    this(name, keyFile, registryFile, dataDir, contractsDir, sensor, cluster, rateLimit, registryUpdates, storeSync,
        crashAt, metrics, null);
  }

  /** A config without registry updates, with the default fsync policy and no crash point. */
  public NodeConfig(String name, Path keyFile, Path registryFile, Path dataDir, Path contractsDir, Sensor sensor,
      ClusterOptions cluster, RateLimit rateLimit) {
    this(name, keyFile, registryFile, dataDir, contractsDir, sensor, cluster, rateLimit, List.of(),
        StoreOptions.Sync.NORMAL, null, null);
  }

  /** @return this config with the test-only crash point {@code point} (null: none) */
  public NodeConfig withCrashAt(CrashPoint point) {
    return new NodeConfig(name, keyFile, registryFile, dataDir, contractsDir, sensor, cluster, rateLimit,
        registryUpdates, storeSync, point, metrics, tls);
  }

  /** @return this config serving its observability endpoints at {@code where} (null: none) */
  public NodeConfig withMetrics(Metrics where) {
    return new NodeConfig(name, keyFile, registryFile, dataDir, contractsDir, sensor, cluster, rateLimit,
        registryUpdates, storeSync, crashAt, where, tls);
  }

  /**
   * The node's observability HTTP server ({@code io.wallance.metrics.NodeMetrics}).
   *
   * @param host the address to bind, e.g. 127.0.0.1 or the Pi's LAN address
   * @param port the TCP port (1 .. 65535)
   */
  public record Metrics(String host, int port) {
    /** Checks the host is given. */
    public Metrics {
      Objects.requireNonNull(host, "host");
    }
  }

  /**
   * How the sensor is read.
   *
   * @param options which source
   * @param periodMillis the fixed period, when {@code randomPeriod} is false (100 .. 3600000)
   * @param randomPeriod the prototype's behaviour: a random period of 1 to 9 s before each reading
   */
  public record Sensor(SensorOptions options, long periodMillis, boolean randomPeriod) {
    /** The defaults: the virtual sensor at a random 1–9 s period, as in the prototype. */
    public static Sensor defaults() {
      return new Sensor(SensorOptions.virtual(), 1000, true);
    }
  }

  /**
   * A token bucket per claimed sender: {@code burst} messages at once, refilled at
   * {@code perSecond}. Generous, since honest bursts exist (a pull answer is up to 64 messages).
   *
   * @param burst bucket capacity (1 .. 1000000)
   * @param perSecond refill rate (1 .. 1000000)
   */
  public record RateLimit(int burst, int perSecond) {
    /** 512 messages at once, 256 per second, per claimed sender. */
    public static RateLimit defaults() {
      return new RateLimit(512, 256);
    }
  }

  /**
   * Reads and validates a config file.
   *
   * @param file the JSON config file
   * @return the configuration, with absolute paths
   * @throws ConfigException with a one-line message naming the file and the field
   */
  public static NodeConfig load(Path file) throws ConfigException {
    Path absolute = file.toAbsolutePath().normalize();
    String text;
    try {
      text = Files.readString(absolute, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new ConfigException("config file " + absolute + " does not exist");
    } catch (IOException e) {
      throw new ConfigException("cannot read config file " + absolute + ": " + e.getMessage());
    }
    NodeConfig config = parse(text, absolute.getParent(), absolute.toString());
    try {
      // Test only: read once here, carried in the record, never looked up elsewhere.
      return config.withCrashAt(CrashPoint.parse(System.getProperty(CrashPoint.PROPERTY)));
    } catch (IllegalArgumentException e) {
      throw new ConfigException("system property " + CrashPoint.PROPERTY + ": " + e.getMessage());
    }
  }

  /**
   * Parses config text.
   *
   * @param text the JSON text
   * @param baseDir the directory relative paths resolve against
   * @param source the file name used in messages
   * @return the configuration
   * @throws ConfigException with a one-line message naming the source and the field
   */
  public static NodeConfig parse(String text, Path baseDir, String source) throws ConfigException {
    StrictJson root = StrictJson.parse(source, text);
    String name = root.string("name", true);
    if (!NAME.matcher(name).matches()) {
      throw root.error("name", "must be 1-32 characters [A-Za-z0-9_.-]");
    }
    Path keyFile = root.path("keyFile", true, baseDir, null);
    Path registryFile = root.path("registryFile", true, baseDir, null);
    Path dataDir = root.path("dataDir", true, baseDir, null);
    Path contractsDir = root.path("contractsDir", false, baseDir, null);

    Sensor sensor = Sensor.defaults();
    StrictJson s = root.object("sensor", false);
    if (s != null) {
      String kind = s.string("kind", false);
      SensorKind sensorKind;
      try {
        sensorKind = kind == null ? SensorKind.VIRTUAL : SensorKind.parse(kind);
      } catch (IllegalArgumentException e) {
        throw s.error("kind", e.getMessage());
      }
      Path thermalPath = s.path("thermalPath", false, baseDir, ThermalZoneSensor.DEFAULT_PATH);
      long period = s.integer("periodMillis", false, 100, 3_600_000, 1000);
      Boolean random = s.bool("randomPeriod", false);
      sensor = new Sensor(new SensorOptions(sensorKind, thermalPath), period, random == null || random);
      s.noOthers();
    }

    StrictJson c = root.object("cluster", true);
    String clusterName = c.string("name", true);
    String host = c.string("host", true);
    int port = (int) c.integer("port", true, 1, 65_535, 0);
    List<String> members = c.strings("members", true, "\"host:port\" strings");
    int eventBusPort = (int) c.integer("eventBusPort", false, 0, 65_535, 0);
    int failure = (int) c.integer("failureDetectionSeconds", false, 2, 600,
        ClusterOptions.DEFAULT_FAILURE_DETECTION_SECONDS);
    c.noOthers();
    ClusterOptions cluster;
    try {
      cluster = new ClusterOptions(clusterName, members, host, port, host, eventBusPort, false, failure);
    } catch (IllegalArgumentException e) {
      throw root.error("cluster: " + e.getMessage());
    }

    RateLimit rateLimit = RateLimit.defaults();
    StrictJson l = root.object("rateLimit", false);
    if (l != null) {
      rateLimit = new RateLimit((int) l.integer("burst", false, 1, 1_000_000, rateLimit.burst()),
          (int) l.integer("perSecond", false, 1, 1_000_000, rateLimit.perSecond()));
      l.noOthers();
    }
    List<Path> updates = new ArrayList<>();
    for (String u : root.strings("registryUpdates", false, "file names")) {
      updates.add(root.resolve("registryUpdates", baseDir, u));
    }

    StoreOptions.Sync sync = StoreOptions.Sync.NORMAL;
    StrictJson st = root.object("store", false);
    if (st != null) {
      String value = st.string("sync", false);
      if (value != null) {
        switch (value) {
          case "normal" -> sync = StoreOptions.Sync.NORMAL;
          case "full" -> sync = StoreOptions.Sync.FULL;
          default -> throw st.error("sync", "must be \"normal\" or \"full\", got \"" + value + "\"");
        }
      }
      st.noOthers();
    }
    Metrics metrics = null;
    StrictJson m = root.object("metrics", false);
    if (m != null) {
      metrics = new Metrics(m.string("host", true), (int) m.integer("port", true, 1, 65_535, 0));
      m.noOthers();
    }
    TlsFiles tls = null;
    StrictJson t = root.object("tls", false);
    if (t != null) {
      tls = new TlsFiles(t.path("ca", true, baseDir, null), t.path("cert", true, baseDir, null),
          t.path("key", true, baseDir, null));
      t.noOthers();
      try {
        tls.check();
      } catch (IllegalArgumentException e) {
        throw root.error(e.getMessage());
      }
    }
    root.noOthers();
    return new NodeConfig(name, keyFile, registryFile, dataDir, contractsDir, sensor, cluster, rateLimit, updates,
        sync, null, metrics, tls);
  }
}
