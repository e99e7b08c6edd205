package io.wallance.cli;

import io.wallance.tls.ProjectCa;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code wallance cert}: the project CA for mutual TLS on the event bus and HTTPS
 * (see {@link ProjectCa} and docs/SECURITY.md). Four subcommands:
 * <ul>
 *   <li>{@code ca}: a new CA ({@code ca.crt}, {@code ca.key});</li>
 *   <li>{@code issue}: a host key and certificate, made where the CA is;</li>
 *   <li>{@code request}: a host key and certificate request, made on the host;</li>
 *   <li>{@code sign}: the CA holder signs a host's request.</li>
 * </ul>
 * None of them overwrites an existing file.
 */
@Command(
    name = "cert",
    mixinStandardHelpOptions = true,
    description = {
        "The project CA: certificates for mutual TLS between members and for HTTPS.",
        "Keys are EC P-256; certificates are valid from a day before they are made."
    },
    subcommands = {CertCommand.Ca.class, CertCommand.Issue.class, CertCommand.Request.class, CertCommand.Sign.class})
final class CertCommand implements Callable<Integer> {
  @Spec
  private CommandSpec spec;

  @Override
  public Integer call() {
    throw new ParameterException(spec.commandLine(), "Missing subcommand: ca, issue, request or sign");
  }

  /** Validates a validity period in days. */
  static int days(CommandSpec spec, int days) {
    if (days < 1 || days > 36_500) {
      throw new ParameterException(spec.commandLine(), "--days must be 1-36500, got " + days);
    }
    return days;
  }

  /** Validates a name (file base name and common name). */
  static String name(CommandSpec spec, String name) {
    if (!ProjectCa.NAME.matcher(name).matches()) {
      throw new ParameterException(spec.commandLine(), "Invalid value for option '--name': '" + name
          + "' (letters, digits, '.', '_', '-'; start with a letter or digit; at most 64 characters)");
    }
    return name;
  }

  /** What the CA holder decides when certifying a host ({@code issue} and {@code sign}): which CA, names, validity. */
  static final class Signing {
    @Option(names = "--ca", required = true, paramLabel = "DIR", description = "The CA directory (ca.crt, ca.key).")
    Path caDir;

    @Option(names = "--host", required = true, paramLabel = "HOST",
        description = "A DNS name or IP address the host is reached by; repeat for several.")
    List<String> hosts;

    @Option(names = "--days", defaultValue = "" + ProjectCa.DEFAULT_HOST_DAYS, paramLabel = "N",
        description = "Validity in days (never beyond the CA's). Default: ${DEFAULT-VALUE}.")
    int days;
  }

  @Command(name = "ca", mixinStandardHelpOptions = true,
      description = {"Creates a new CA: DIR/ca.crt (give it to every host) and DIR/ca.key (mode 600, keep it safe)."})
  static final class Ca implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Directory for ca.crt and ca.key.")
    private Path out;

    @Option(names = "--name", defaultValue = "wallance", paramLabel = "NAME",
        description = "The CA's name (e.g. the network id). Default: ${DEFAULT-VALUE}.")
    private String name;

    @Option(names = "--days", defaultValue = "" + ProjectCa.DEFAULT_CA_DAYS, paramLabel = "N",
        description = "Validity in days. Default: ${DEFAULT-VALUE}.")
    private int days;

    @Override
    public Integer call() throws IOException {
      ProjectCa ca = ProjectCa.create(name(spec, name), days(spec, days));
      ca.write(out);
      spec.commandLine().getErr().println("cert: wrote " + out.resolve("ca.crt") + " and " + out.resolve("ca.key")
          + " (secret), valid until " + ca.certificate().getNotAfter().toInstant());
      return 0;
    }
  }

  @Command(name = "issue", mixinStandardHelpOptions = true,
      description = {"Issues a host certificate with a fresh key: DIR/NAME.crt and DIR/NAME.key (mode 600).",
          "To keep the key on the host instead, use 'cert request' there and 'cert sign' here."})
  static final class Issue implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Mixin
    private Signing signing;

    @Option(names = "--name", required = true, paramLabel = "NAME", description = "The host's name.")
    private String name;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Directory for the files.")
    private Path out;

    @Override
    public Integer call() throws IOException {
      ProjectCa ca = ProjectCa.read(signing.caDir);
      ca.issue(name(spec, name), signing.hosts, days(spec, signing.days)).write(out, name);
      spec.commandLine().getErr().println("cert: wrote " + out.resolve(name + ".crt") + " and "
          + out.resolve(name + ".key") + " (secret) for " + String.join(", ", signing.hosts));
      return 0;
    }
  }

  @Command(name = "request", mixinStandardHelpOptions = true,
      description = {"On the host: a fresh key DIR/NAME.key (mode 600) and a request DIR/NAME.csr for the CA holder."})
  static final class Request implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Option(names = "--name", required = true, paramLabel = "NAME", description = "The host's name.")
    private String name;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Directory for the files.")
    private Path out;

    @Override
    public Integer call() throws IOException {
      ProjectCa.request(name(spec, name)).write(out, name);
      spec.commandLine().getErr().println("cert: wrote " + out.resolve(name + ".key") + " (secret) and "
          + out.resolve(name + ".csr"));
      return 0;
    }
  }

  @Command(name = "sign", mixinStandardHelpOptions = true,
      description = {"The CA holder signs a host's request: writes the certificate to FILE.",
          "The names in it are the --host values given here, not the request's."})
  static final class Sign implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Mixin
    private Signing signing;

    @Option(names = "--csr", required = true, paramLabel = "FILE", description = "The host's request (PEM).")
    private Path csr;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "The certificate file to write.")
    private Path out;

    @Override
    public Integer call() throws IOException {
      ProjectCa ca = ProjectCa.read(signing.caDir);
      String pem;
      try {
        pem = Files.readString(csr, StandardCharsets.US_ASCII);
      } catch (IOException e) {
        throw new IllegalArgumentException("cannot read --csr " + csr + ": " + e.getMessage(), e);
      }
      ProjectCa.writeCertificate(out, ca.sign(pem, signing.hosts, days(spec, signing.days)));
      spec.commandLine().getErr().println("cert: wrote " + out + " for " + String.join(", ", signing.hosts));
      return 0;
    }
  }
}
