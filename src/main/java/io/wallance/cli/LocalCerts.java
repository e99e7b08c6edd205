package io.wallance.cli;

import io.wallance.tls.ProjectCa;
import io.wallance.tls.TlsFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The certificates of a local network ({@code demo}, {@code bench}, {@code chaos}): a project
 * CA in {@code DIR/tls/} ({@code ca.crt}, {@code ca.key}) and one key and certificate per
 * member ({@code NAME.crt}, {@code NAME.key}), made at start. Files already there are reused
 * (a restart in the same directory keeps its CA, so a browser that trusts it keeps trusting
 * it); a host certificate that no longer checks out against the CA (another CA, expired) is
 * an error rather than silently replaced.
 */
final class LocalCerts {
  /** The sub-directory of a network's directory holding the CA and the certificates. */
  static final String DIR = "tls";

  private final Path dir;
  private final ProjectCa ca;

  private LocalCerts(Path dir, ProjectCa ca) {
    this.dir = dir;
    this.ca = ca;
  }

  /**
   * Opens the CA in {@code networkDir/tls/}, creating it when there is none.
   *
   * @param networkDir the network's directory
   * @param name the CA's name (the network id)
   * @return the certificates of that network
   */
  static LocalCerts open(Path networkDir, String name) throws IOException {
    Path dir = networkDir.resolve(DIR);
    if (!Files.exists(dir.resolve("ca.crt"))) {
      ProjectCa.create(name, ProjectCa.DEFAULT_CA_DAYS).write(dir);
    }
    return new LocalCerts(dir, ProjectCa.read(dir));
  }

  /** @return the CA certificate file: what clients (browser, status, Prometheus) trust */
  Path caFile() {
    return dir.resolve("ca.crt");
  }

  /**
   * A member's TLS files: issued now for {@code hosts} (plus {@code 127.0.0.1} and
   * {@code localhost}) unless {@code NAME.crt} and {@code NAME.key} already exist.
   *
   * @param name the member's name (file base name, common name)
   * @param hosts the addresses it is reached by
   * @return its checked TLS files
   */
  TlsFiles host(String name, List<String> hosts) throws IOException {
    Path cert = dir.resolve(name + ".crt");
    Path key = dir.resolve(name + ".key");
    if (!Files.exists(cert) || !Files.exists(key)) {
      Set<String> names = new LinkedHashSet<>(hosts);
      names.add(LocalFleet.HOST);
      names.add("localhost");
      Files.deleteIfExists(cert); // a key without its certificate (an interrupted start) is of no use
      Files.deleteIfExists(key);
      ca.issue(name, List.copyOf(names), ProjectCa.DEFAULT_HOST_DAYS).write(dir, name);
    }
    return new TlsFiles(caFile(), cert, key).check();
  }
}
