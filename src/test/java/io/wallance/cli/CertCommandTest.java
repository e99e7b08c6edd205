package io.wallance.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.wallance.tls.ProjectCa;
import io.wallance.tls.TlsFiles;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cert}: {@code issue} and {@code sign} take the CA holder's choices (--ca, --host, --days)
 * from one shared option set, with the same meaning, validation and help text.
 */
class CertCommandTest {
  @TempDir
  Path dir;

  @Test
  void issueAndSignHonourTheSameCaHostAndDaysOptions() throws Exception {
    Path ca = dir.resolve("ca");
    assertThat(CliRun.of("cert", "ca", "--out", ca.toString()).exitCode()).isZero();

    CliRun issue = CliRun.of("cert", "issue", "--ca", ca.toString(), "--name", "pi1", "--host", "127.0.0.1",
        "--host", "pi1.local", "--days", "7", "--out", dir.resolve("pi1").toString());
    assertThat(issue.exitCode()).as(issue.err()).isZero();
    new TlsFiles(ca.resolve("ca.crt"), dir.resolve("pi1/pi1.crt"), dir.resolve("pi1/pi1.key")).check();
    X509Certificate issued = ProjectCa.readCertificate(dir.resolve("pi1/pi1.crt"));
    assertValidity(issued, 7);
    assertThat(names(issued)).containsExactly("127.0.0.1", "pi1.local");

    assertThat(CliRun.of("cert", "request", "--name", "pi2", "--out", dir.resolve("pi2").toString()).exitCode())
        .isZero();
    CliRun sign = CliRun.of("cert", "sign", "--ca", ca.toString(), "--csr", dir.resolve("pi2/pi2.csr").toString(),
        "--host", "10.0.0.2", "--host", "pi2.local", "--days", "9", "--out", dir.resolve("pi2/pi2.crt").toString());
    assertThat(sign.exitCode()).as(sign.err()).isZero();
    new TlsFiles(ca.resolve("ca.crt"), dir.resolve("pi2/pi2.crt"), dir.resolve("pi2/pi2.key")).check();
    X509Certificate signed = ProjectCa.readCertificate(dir.resolve("pi2/pi2.crt"));
    assertValidity(signed, 9);
    assertThat(names(signed)).containsExactly("10.0.0.2", "pi2.local");
  }

  @Test
  void bothRefuseTheSameBadValuesAndShowTheSameHelp() {
    for (String sub : List.of("issue", "sign")) {
      CliRun noCa = CliRun.of("cert", sub, "--name", "x", "--csr", "x.csr", "--host", "h", "--out", "o");
      assertThat(noCa.exitCode()).as(sub).isEqualTo(2);
      assertThat(noCa.err()).as(sub).contains("Missing required option: '--ca=DIR'");
      CliRun noHost = CliRun.of("cert", sub, "--ca", "c", "--name", "x", "--csr", "x.csr", "--out", "o");
      assertThat(noHost.err()).as(sub).contains("--host=HOST");
      String help = CliRun.of("cert", sub, "--help").out();
      assertThat(help).as(sub).contains("--ca=DIR").contains("--host=HOST").contains("--days=N")
          .contains("Default: " + ProjectCa.DEFAULT_HOST_DAYS);
    }
    Path ca = dir.resolve("ca2");
    assertThat(CliRun.of("cert", "ca", "--out", ca.toString()).exitCode()).isZero();
    assertThat(CliRun.of("cert", "request", "--name", "r", "--out", dir.toString()).exitCode()).isZero();
    CliRun issue = CliRun.of("cert", "issue", "--ca", ca.toString(), "--name", "x", "--host", "h", "--days", "0",
        "--out", dir.toString());
    CliRun sign = CliRun.of("cert", "sign", "--ca", ca.toString(), "--csr", dir.resolve("r.csr").toString(),
        "--host", "h", "--days", "0", "--out", dir.resolve("r.crt").toString());
    assertThat(issue.err()).contains("--days must be 1-36500, got 0");
    assertThat(sign.err()).contains("--days must be 1-36500, got 0");
  }

  private static void assertValidity(X509Certificate cert, int days) {
    Duration valid = Duration.between(cert.getNotBefore().toInstant(), cert.getNotAfter().toInstant());
    assertThat(valid).isBetween(ProjectCa.BACKDATE.plusDays(days).minusMinutes(5),
        ProjectCa.BACKDATE.plusDays(days).plusMinutes(5));
  }

  private static List<String> names(X509Certificate cert) throws Exception {
    return cert.getSubjectAlternativeNames().stream().map(n -> String.valueOf(n.get(1))).sorted().toList();
  }
}
