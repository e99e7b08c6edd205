package io.wallance.it;

import io.wallance.tls.ProjectCa;
import io.wallance.tls.TlsFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * A project CA for a test that runs a web verticle without a {@link LocalNetwork}: {@code ca.crt}
 * and a {@code web} certificate for {@code 127.0.0.1} and {@code localhost}, as {@code demo}
 * makes them.
 */
public final class TestCa {
  private TestCa() {
  }

  /**
   * @param dir an empty or missing directory
   * @return the web server's checked TLS files ({@link TlsFiles#ca()} is what clients trust)
   */
  public static TlsFiles web(Path dir) throws IOException {
    ProjectCa ca = ProjectCa.create("test", 30);
    ca.write(dir);
    ca.issue("web", List.of("127.0.0.1", "localhost"), 30).write(dir, "web");
    return new TlsFiles(dir.resolve("ca.crt"), dir.resolve("web.crt"), dir.resolve("web.key")).check();
  }
}
