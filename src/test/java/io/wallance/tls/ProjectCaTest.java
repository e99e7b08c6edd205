package io.wallance.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The project CA against the JDK's certificate checks and OpenSSL's own verifier. */
class ProjectCaTest {
  @TempDir
  Path dir;

  @Test
  void issuedCertificateVerifiesAgainstTheCaForServerAndClientUseAndIsBackdated() throws Exception {
    ProjectCa ca = ProjectCa.create("fleet", 30);
    ca.write(dir.resolve("ca"));
    ProjectCa.read(dir.resolve("ca")).issue("pi1", List.of("127.0.0.1", "pi1.local"), 10).write(dir, "pi1");
    TlsFiles files = new TlsFiles(dir.resolve("ca/ca.crt"), dir.resolve("pi1.crt"), dir.resolve("pi1.key")).check();

    X509Certificate cert = ProjectCa.readCertificate(files.cert());
    cert.verify(ca.certificate().getPublicKey());
    assertThat(cert.getBasicConstraints()).isEqualTo(-1);
    assertThat(cert.getExtendedKeyUsage()).contains("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2");
    assertThat(cert.getSubjectAlternativeNames()).extracting(n -> (Object) n.get(1)).containsExactly("127.0.0.1", "pi1.local");
    assertThat(cert.getNotBefore().toInstant()).isBefore(Instant.now().minus(Duration.ofHours(23)));
    assertThat(Files.getPosixFilePermissions(dir.resolve("pi1.key")))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    assertThat(Files.getPosixFilePermissions(dir.resolve("ca/ca.key")))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));

    // OpenSSL agrees: the chain verifies for TLS server and client use, and the host name matches.
    assertThat(openssl("verify", "-CAfile", dir.resolve("ca/ca.crt").toString(), "-purpose", "sslserver",
        "-verify_ip", "127.0.0.1", dir.resolve("pi1.crt").toString())).contains("OK");
    assertThat(openssl("verify", "-CAfile", dir.resolve("ca/ca.crt").toString(), "-purpose", "sslclient",
        "-verify_hostname", "pi1.local", dir.resolve("pi1.crt").toString())).contains("OK");
  }

  @Test
  void requestSignedByTheCaKeepsTheKeyOnTheHostAndTakesTheCaHoldersNames() throws Exception {
    ProjectCa ca = ProjectCa.create("fleet", 30);
    ProjectCa.Request request = ProjectCa.request("pi7");
    request.write(dir, "pi7");
    X509Certificate cert = ca.sign(Files.readString(dir.resolve("pi7.csr")), List.of("10.0.0.7"), 5);
    ProjectCa.writeCertificate(dir.resolve("pi7.crt"), cert);
    Files.writeString(dir.resolve("ca.crt"), ProjectCa.Pem.encode(ca.certificate()));

    new TlsFiles(dir.resolve("ca.crt"), dir.resolve("pi7.crt"), dir.resolve("pi7.key")).check();
    assertThat(cert.getSubjectX500Principal().getName()).contains("CN=pi7");
    assertThat(cert.getSubjectAlternativeNames()).extracting(n -> (Object) n.get(1)).containsExactly("10.0.0.7");
  }

  @Test
  void aTamperedRequestIsRefused() throws Exception {
    String pem = ProjectCa.request("pi7").csrPem();
    String body = pem.replace("-----BEGIN CERTIFICATE REQUEST-----", "").replace("-----END CERTIFICATE REQUEST-----", "")
        .replaceAll("\\s", "");
    byte[] der = java.util.Base64.getDecoder().decode(body);
    der[40] ^= 1; // inside the subject / public key: the request's signature no longer matches
    String tampered = "-----BEGIN CERTIFICATE REQUEST-----\n" + java.util.Base64.getMimeEncoder().encodeToString(der)
        + "\n-----END CERTIFICATE REQUEST-----\n";
    ProjectCa ca = ProjectCa.create("fleet", 30);
    assertThatThrownBy(() -> ca.sign(tampered, List.of("10.0.0.7"), 5)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ca.sign("not pem", List.of("10.0.0.7"), 5))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("certificate request");
  }

  @Test
  void mismatchedOrForeignMaterialFailsWithTheFileNamed() throws Exception {
    ProjectCa ca = ProjectCa.create("fleet", 30);
    ca.write(dir.resolve("ca"));
    ca.issue("pi1", List.of("127.0.0.1"), 10).write(dir, "pi1");
    ca.issue("pi2", List.of("127.0.0.1"), 10).write(dir, "pi2");
    ProjectCa other = ProjectCa.create("other", 30);
    other.write(dir.resolve("other"));
    other.issue("pi3", List.of("127.0.0.1"), 10).write(dir, "pi3");

    assertThatThrownBy(() -> new TlsFiles(dir.resolve("ca/ca.crt"), dir.resolve("pi1.crt"), dir.resolve("pi2.key")).check())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("pi2.key does not belong to");
    assertThatThrownBy(() -> new TlsFiles(dir.resolve("ca/ca.crt"), dir.resolve("pi3.crt"), dir.resolve("pi3.key")).check())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not issued by the CA");
    assertThatThrownBy(() -> new TlsFiles(dir.resolve("pi1.crt"), dir.resolve("pi1.crt"), dir.resolve("pi1.key")).check())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a CA certificate");
    assertThatThrownBy(() -> new TlsFiles(dir.resolve("ca/ca.crt"), dir.resolve("missing.crt"), dir.resolve("pi1.key")).check())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("missing.crt");
    Files.writeString(dir.resolve("garbage.crt"), "hello\n", StandardCharsets.US_ASCII);
    assertThatThrownBy(() -> new TlsFiles(dir.resolve("ca/ca.crt"), dir.resolve("garbage.crt"), dir.resolve("pi1.key")).check())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("garbage.crt");
    assertThatThrownBy(() -> {
      Files.copy(dir.resolve("other/ca.key"), dir.resolve("ca-mixed.key"));
      Files.createDirectories(dir.resolve("mixed"));
      Files.copy(dir.resolve("ca/ca.crt"), dir.resolve("mixed/ca.crt"));
      Files.copy(dir.resolve("other/ca.key"), dir.resolve("mixed/ca.key"));
      ProjectCa.read(dir.resolve("mixed"));
    }).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not belong to");
  }

  @Test
  void neverOverwritesAndRefusesBadNamesHostsAndDays() throws Exception {
    ProjectCa ca = ProjectCa.create("fleet", 30);
    ca.write(dir);
    assertThatThrownBy(() -> ca.write(dir)).isInstanceOf(FileAlreadyExistsException.class);
    assertThatThrownBy(() -> ca.issue("bad/name", List.of("127.0.0.1"), 5)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ca.issue("pi1", List.of(), 5)).hasMessageContaining("at least one");
    assertThatThrownBy(() -> ca.issue("pi1", List.of("300.1.2.3"), 5)).hasMessageContaining("300.1.2.3");
    assertThatThrownBy(() -> ca.issue("pi1", List.of("bad host"), 5)).hasMessageContaining("bad host");
    assertThatThrownBy(() -> ca.issue("pi1", List.of("127.0.0.1"), 0)).hasMessageContaining("1-36500");
    // A host certificate never outlives its CA.
    X509Certificate cert = ca.issue("pi1", List.of("127.0.0.1"), 3650).certificate();
    assertThat(cert.getNotAfter()).isEqualTo(ca.certificate().getNotAfter());
  }

  private static String openssl(String... args) throws Exception {
    List<String> command = new java.util.ArrayList<>(List.of("openssl"));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(output).isZero();
    return output;
  }
}
