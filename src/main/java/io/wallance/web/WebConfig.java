package io.wallance.web;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.wallance.cluster.ClusterOptions;
import io.wallance.config.ConfigException;
import io.wallance.config.StrictJson;
import io.wallance.protocol.Codec;
import io.wallance.protocol.Crypto;
import io.wallance.protocol.ProtocolException;
import io.wallance.protocol.Registry;
import io.wallance.protocol.Signed;
import io.wallance.tls.TlsFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * The dashboard's configuration ({@code dashboard --config web.json}), read once and passed
 * down. The file format is documented in {@code docs/ARCHITECTURE.md}:
 *
 * <pre>{@code
 * {
 *   "registryFile": "registry.txt",
 *   "registryUpdates": ["registry-2.txt"],
 *   "operatorKeyFile": "keys/operator.key",
 *   "passwordHashFile": "operator.password",
 *   "dataDir": "data/web",
 *   "http": {"host": "127.0.0.1", "port": 8080},
 *   "session": {"idleSeconds": 1800, "absoluteSeconds": 43200},
 *   "cluster": {"name": "wallance-demo", "host": "127.0.0.1", "port": 5805,
 *               "members": ["127.0.0.1:5801", "127.0.0.1:5805"], "eventBusPort": 0,
 *               "failureDetectionSeconds": 5}
 * }
 * }</pre>
 * Relative paths resolve against the config file's directory. The web verticle always joins
 * as a Hazelcast lite member (an observer that holds no cluster data and never votes).
 *
 * @param registryFile the signed genesis registry (wire text)
 * @param registryUpdates signed registries of later epochs (optional, any order); the dashboard
 *     uses the newest one of the chain (its members, catalogue and quorum)
 * @param operatorKeyFile the operator's private key (hex seed, as written by {@code keygen})
 * @param passwordHashFile the operator password's hash line ({@link PasswordHash})
 * @param dataDir where the web verticle keeps its durable command counters and purchase ids
 * @param httpHost the address the HTTP server binds to
 * @param httpPort the HTTP port
 * @param cluster how to join the cluster (always a lite member)
 * @param webroot a directory to serve the dashboard page from, or null for the page in the jar
 * @param sessions when a dashboard login session expires (optional {@code session}; default
 *     {@link Sessions#defaults()})
 * @param tls the dashboard host's certificate, key and the project CA ({@code "tls": {"ca", "cert",
 *     "key"}}): HTTPS for the page and API, mutual TLS on the event bus; null for plain HTTP
 */
public record WebConfig(Path registryFile, List<Path> registryUpdates, Path operatorKeyFile, Path passwordHashFile,
    Path dataDir, String httpHost, int httpPort, ClusterOptions cluster, Path webroot, Sessions sessions,
    TlsFiles tls) {

  /**
   * Expiry of the dashboard's login sessions ({@code session} in web.json, in seconds).
   *
   * @param idleMillis a session no request has used for this long is gone ({@code idleSeconds}, default 30 min)
   * @param absoluteMillis a session this old is gone, used or not ({@code absoluteSeconds}, default 12 h)
   */
  public record Sessions(long idleMillis, long absoluteMillis) {
    /** Checks both are positive. */
    public Sessions {
      if (idleMillis < 1 || absoluteMillis < 1) {
        throw new IllegalArgumentException("session expiry must be positive");
      }
    }

    /** @return 30 minutes idle, 12 hours absolute */
    public static Sessions defaults() {
      return new Sessions(30 * 60_000L, 12 * 3_600_000L);
    }
  }

  /** A config with later registry epochs and a webroot, with the default session expiry. */
  public WebConfig(Path registryFile, List<Path> registryUpdates, Path operatorKeyFile, Path passwordHashFile,
      Path dataDir, String httpHost, int httpPort, ClusterOptions cluster, Path webroot) {
    this(registryFile, registryUpdates, operatorKeyFile, passwordHashFile, dataDir, httpHost, httpPort, cluster,
        webroot, Sessions.defaults(), null);
  }

  /** A config without TLS. */
  public WebConfig(Path registryFile, List<Path> registryUpdates, Path operatorKeyFile, Path passwordHashFile,
      Path dataDir, String httpHost, int httpPort, ClusterOptions cluster, Path webroot, Sessions sessions) {
    this(registryFile, registryUpdates, operatorKeyFile, passwordHashFile, dataDir, httpHost, httpPort, cluster,
        webroot, sessions, null);
  }

  /** @return this config with the TLS files {@code t} (null: plain HTTP and event bus) */
  public WebConfig withTls(TlsFiles t) {
    return new WebConfig(registryFile, registryUpdates, operatorKeyFile, passwordHashFile, dataDir, httpHost,
        httpPort, cluster, webroot, sessions, t);
  }

  /** @return this config with the session expiry {@code s} */
  public WebConfig withSessions(Sessions s) {
    return new WebConfig(registryFile, registryUpdates, operatorKeyFile, passwordHashFile, dataDir, httpHost,
        httpPort, cluster, webroot, s, tls);
  }

  /** A config with later registry epochs that serves the dashboard page bundled in the jar. */
  public WebConfig(Path registryFile, List<Path> registryUpdates, Path operatorKeyFile, Path passwordHashFile,
      Path dataDir, String httpHost, int httpPort, ClusterOptions cluster) {
    this(registryFile, registryUpdates, operatorKeyFile, passwordHashFile, dataDir, httpHost, httpPort, cluster,
        null);
  }

  /** A config with the genesis registry only, serving the page from {@code webroot} (null: the jar). */
  public WebConfig(Path registryFile, Path operatorKeyFile, Path passwordHashFile, Path dataDir, String httpHost,
      int httpPort, ClusterOptions cluster, Path webroot) {
    this(registryFile, List.of(), operatorKeyFile, passwordHashFile, dataDir, httpHost, httpPort, cluster, webroot);
  }

  /** Checks that nothing is missing. */
  public WebConfig {
    Objects.requireNonNull(registryFile, "registryFile");
    registryUpdates = List.copyOf(registryUpdates);
    Objects.requireNonNull(operatorKeyFile, "operatorKeyFile");
    Objects.requireNonNull(passwordHashFile, "passwordHashFile");
    Objects.requireNonNull(dataDir, "dataDir");
    Objects.requireNonNull(httpHost, "httpHost");
    Objects.requireNonNull(cluster, "cluster");
    Objects.requireNonNull(sessions, "sessions");
    if (!cluster.liteMember()) {
      throw new IllegalArgumentException("the web verticle joins as a lite member");
    }
  }

  /** A config with the genesis registry only. */
  public WebConfig(Path registryFile, Path operatorKeyFile, Path passwordHashFile, Path dataDir, String httpHost,
      int httpPort, ClusterOptions cluster) {
    this(registryFile, List.of(), operatorKeyFile, passwordHashFile, dataDir, httpHost, httpPort, cluster);
  }

  /**
   * Reads and validates a config file.
   *
   * @param file the JSON file
   * @return the config, with paths resolved against the file's directory
   * @throws ConfigException naming the file and field when anything is wrong
   */
  public static WebConfig load(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new ConfigException("config file " + file + " does not exist");
    } catch (IOException e) {
      throw new ConfigException("cannot read config file " + file + ": " + e.getMessage(), e);
    }
    return parse(file.toString(), text, file.toAbsolutePath().getParent());
  }

  /**
   * Parses config text.
   *
   * @param name the file name, for messages
   * @param text the JSON text
   * @param base the directory relative paths resolve against
   * @return the config
   */
  static WebConfig parse(String name, String text, Path base) {
    StrictJson json = StrictJson.parse(name, text);
    Sessions sessions = Sessions.defaults();
    StrictJson session = json.object("session", false);
    if (session != null) {
      sessions = new Sessions(
          session.integer("idleSeconds", false, 1, 7 * 86_400, sessions.idleMillis() / 1000) * 1000L,
          session.integer("absoluteSeconds", false, 1, 30 * 86_400, sessions.absoluteMillis() / 1000) * 1000L);
      session.noOthers();
    }
    StrictJson http = json.object("http", true);
    String httpHost = http.string("host", true);
    int httpPort = (int) http.integer("port", true, 1, 65_535, 0);
    http.noOthers();
    StrictJson cluster = json.object("cluster", true);
    ClusterOptions options;
    String host = cluster.string("host", true);
    String clusterName = cluster.string("name", true);
    List<String> members = cluster.strings("members", true, "\"host:port\" strings");
    int port = (int) cluster.integer("port", true, 1, 65_535, 0);
    int eventBusPort = (int) cluster.integer("eventBusPort", false, 0, 65_535, 0);
    int failure = (int) cluster.integer("failureDetectionSeconds", false, 2, 600,
        ClusterOptions.DEFAULT_FAILURE_DETECTION_SECONDS);
    cluster.noOthers();
    try {
      options = new ClusterOptions(clusterName, members, host, port, host, eventBusPort, true, failure);
    } catch (IllegalArgumentException e) {
      throw json.error("cluster: " + e.getMessage());
    }
    List<Path> updates = new ArrayList<>();
    for (String u : json.strings("registryUpdates", false, "file names")) {
      updates.add(json.resolve("registryUpdates", base, u));
    }
    TlsFiles tls = null;
    StrictJson t = json.object("tls", false);
    if (t != null) {
      tls = new TlsFiles(t.path("ca", true, base, null), t.path("cert", true, base, null),
          t.path("key", true, base, null));
      t.noOthers();
      try {
        tls.check();
      } catch (IllegalArgumentException e) {
        throw json.error(e.getMessage());
      }
    }
    WebConfig config = new WebConfig(json.path("registryFile", true, base, null), updates,
        json.path("operatorKeyFile", true, base, null), json.path("passwordHashFile", true, base, null),
        json.path("dataDir", true, base, null), httpHost, httpPort, options,
        json.path("webroot", false, base, null), sessions, tls);
    json.noOthers();
    return config;
  }

  /** @return this config in the file format (absolute paths), e.g. for the demo to write */
  public JsonObject toJson() {
    ClusterOptions c = cluster;
    JsonObject json = new JsonObject()
        .put("registryFile", registryFile.toString())
        .put("registryUpdates", new JsonArray(registryUpdates.stream().map(Path::toString).toList()))
        .put("operatorKeyFile", operatorKeyFile.toString())
        .put("passwordHashFile", passwordHashFile.toString())
        .put("dataDir", dataDir.toString())
        .put("http", new JsonObject().put("host", httpHost).put("port", httpPort))
        .put("cluster", new JsonObject().put("name", c.clusterName()).put("host", c.bindHost())
            .put("port", c.hazelcastPort()).put("members", new JsonArray(c.members()))
            .put("eventBusPort", c.eventBusPort()).put("failureDetectionSeconds", c.failureDetectionSeconds()));
    if (webroot != null) {
      json.put("webroot", webroot.toString());
    }
    json.put("session", new JsonObject().put("idleSeconds", sessions.idleMillis() / 1000)
        .put("absoluteSeconds", sessions.absoluteMillis() / 1000));
    if (tls != null) {
      json.put("tls", new JsonObject().put("ca", tls.ca().toString()).put("cert", tls.cert().toString())
          .put("key", tls.key().toString()));
    }
    return json;
  }

  /**
   * Reads the signed genesis registry and the {@code registryUpdates}, checks their rules and
   * signatures and that the updates form a chain of successors of the genesis.
   *
   * @return the newest registry of the chain
   * @throws ConfigException when a file is missing or a registry is invalid or out of the chain
   */
  public Registry loadRegistry() {
    Registry current = readRegistry(registryFile);
    List<Registry> later = new ArrayList<>();
    for (Path file : registryUpdates) {
      later.add(readRegistry(file));
    }
    later.sort(Comparator.comparingLong(Registry::epoch));
    for (Registry next : later) {
      try {
        next.validateSuccessorOf(current);
      } catch (ProtocolException e) {
        throw new ConfigException("registryUpdates: epoch " + next.epoch() + ": " + e.getMessage(), e);
      }
      current = next;
    }
    return current;
  }

  private static Registry readRegistry(Path file) {
    byte[] wire = readFile(file, "registry file");
    try {
      Signed<Registry> signed = Codec.decode(wire, Registry.class);
      if (!signed.verifies()) {
        throw new ConfigException("registry file " + file + ": the signature does not verify");
      }
      signed.body().validate();
      return signed.body();
    } catch (ProtocolException e) {
      throw new ConfigException("registry file " + file + ": " + e.reason() + ": " + e.getMessage(), e);
    }
  }

  /**
   * Reads the operator's key and checks it is an operator of {@code registry}.
   *
   * @param registry the registry the key must be listed in
   * @return the key pair
   */
  public Crypto.KeyPair loadOperatorKey(Registry registry) {
    Crypto.KeyPair key = readKey(operatorKeyFile, "operator key");
    if (registry.operator(key.id()) == null) {
      throw new ConfigException("operator key " + operatorKeyFile + " (" + key.id().substring(0, 12)
          + "…) is not an operator of the registry " + registryFile);
    }
    return key;
  }

  /** @return the operator password's hash */
  public PasswordHash loadPasswordHash() {
    String line = new String(readFile(passwordHashFile, "password hash file"), StandardCharsets.US_ASCII).strip();
    try {
      return PasswordHash.parse(line);
    } catch (IllegalArgumentException e) {
      throw new ConfigException("password hash file " + passwordHashFile + ": " + e.getMessage(), e);
    }
  }

  /**
   * Reads a private key file as written by {@code keygen}: the 32-byte seed as hex on one line.
   *
   * @param file the key file
   * @param what what the key is, for messages
   * @return the key pair
   */
  public static Crypto.KeyPair readKey(Path file, String what) {
    String hex = new String(readFile(file, what + " file"), StandardCharsets.US_ASCII).strip();
    if (!hex.matches("[0-9a-fA-F]{64}")) {
      throw new ConfigException(what + " file " + file + " must hold a 32-byte private key as 64 hex digits");
    }
    return Crypto.KeyPair.fromSeed(Crypto.unhex(hex));
  }

  private static byte[] readFile(Path file, String what) {
    try {
      return Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new ConfigException(what + " " + file + " does not exist");
    } catch (IOException e) {
      throw new ConfigException("cannot read " + what + " " + file + ": " + e.getMessage(), e);
    }
  }
}
