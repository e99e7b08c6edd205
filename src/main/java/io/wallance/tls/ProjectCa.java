package io.wallance.tls;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.io.StringWriter;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.PKCSException;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/**
 * The project's small certificate authority: one self-signed CA per fleet (or per local
 * network) that issues each host a certificate for mutual TLS on the event bus and for
 * HTTPS.
 *
 * <p>Keys are ECDSA P-256 and signatures SHA256withECDSA: the JDK's TLS, Chromium and
 * Prometheus all accept them (Ed25519 certificates are not accepted by browsers). Every
 * certificate is valid from {@link #BACKDATE} before its issue time, so a host whose clock
 * is behind by minutes or hours still accepts a freshly issued one. A host certificate is
 * for both TLS server and client authentication (a member is both), carries the host's
 * names and IP addresses as subject alternative names, and is never a CA.
 *
 * <p>Files are PEM: {@code ca.crt} / {@code ca.key}, {@code NAME.crt} / {@code NAME.key},
 * and PKCS#10 requests ({@code NAME.csr}) so a host's key can stay on the host: the host
 * writes a request, the CA holder signs it ({@link #sign}).
 */
public final class ProjectCa {
  /** How far before the issue time every certificate is valid from (clock skew between hosts). */
  public static final Duration BACKDATE = Duration.ofDays(1);
  /** Default validity of the CA certificate. */
  public static final int DEFAULT_CA_DAYS = 3650;
  /** Default validity of a host certificate. */
  public static final int DEFAULT_HOST_DAYS = 825;
  /** A certificate name: also a file name and a common name. */
  public static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
  private static final Pattern DNS_NAME = Pattern.compile(
      "(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*");
  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
  private static final String SIGNATURE = "SHA256withECDSA";
  private static final SecureRandom RANDOM = new SecureRandom();

  private final X509Certificate certificate;
  private final PrivateKey key;

  private ProjectCa(X509Certificate certificate, PrivateKey key) {
    this.certificate = certificate;
    this.key = key;
  }

  /** @return the CA's certificate (what every host trusts) */
  public X509Certificate certificate() {
    return certificate;
  }

  /**
   * Creates a new CA.
   *
   * @param name the CA's common name, e.g. the fleet's network id
   * @param days validity in days, 1..36500
   * @return the CA, with a fresh key
   */
  public static ProjectCa create(String name, int days) {
    checkName(name);
    checkDays(days);
    KeyPair pair = newKeyPair();
    X500Name subject = subject(name + " Wallance CA");
    try {
      Instant now = Instant.now();
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject, serial(),
          Date.from(now.minus(BACKDATE)), Date.from(now.plus(Duration.ofDays(days))), subject, pair.getPublic())
          .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
          .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
          .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(pair.getPublic()));
      return new ProjectCa(toCertificate(builder.build(signer(pair.getPrivate()))), pair.getPrivate());
    } catch (GeneralSecurityException | IOException | OperatorCreationException e) {
      throw new IllegalStateException("cannot create the CA certificate: " + e.getMessage(), e);
    }
  }

  /**
   * Reads a CA written by {@link #write}.
   *
   * @param dir the directory holding {@code ca.crt} and {@code ca.key}
   * @return the CA
   * @throws IllegalArgumentException when a file is missing, unreadable, or not a matching CA
   */
  public static ProjectCa read(Path dir) {
    X509Certificate cert = readCertificate(dir.resolve("ca.crt"));
    PrivateKey key = readPrivateKey(dir.resolve("ca.key"));
    if (cert.getBasicConstraints() < 0) {
      throw new IllegalArgumentException(dir.resolve("ca.crt") + " is not a CA certificate");
    }
    if (!Keys.matches(key, cert.getPublicKey())) {
      // A key that does not belong to the certificate would issue certificates nobody trusts.
      throw new IllegalArgumentException(dir.resolve("ca.key") + " does not belong to " + dir.resolve("ca.crt"));
    }
    return new ProjectCa(cert, key);
  }

  /**
   * Writes {@code ca.crt} and {@code ca.key} (mode 600) into {@code dir}; never overwrites.
   *
   * @param dir the directory, created if missing
   */
  public void write(Path dir) throws IOException {
    Pem.writeNew(dir.resolve("ca.key"), Pem.encode(key), true);
    Pem.writeNew(dir.resolve("ca.crt"), Pem.encode(certificate), false);
  }

  /**
   * Issues a host certificate with a fresh key (for {@code demo}, tests, and an operator who
   * keeps every key in one place); see {@link #sign} to keep the key on the host.
   *
   * @param name the host's name (common name and file base name)
   * @param hosts the host's DNS names and IP addresses (subject alternative names), at least one
   * @param days validity in days
   * @return the key and the certificate
   */
  public Issued issue(String name, List<String> hosts, int days) {
    KeyPair pair = newKeyPair();
    return new Issued(pair.getPrivate(), certify(name, hosts, pair.getPublic(), days));
  }

  /**
   * Signs a host's certificate request: the request's subject common name and the given
   * hosts go into the certificate; the request's own extensions are ignored (the CA holder
   * decides the names, not the requester).
   *
   * @param csrPem a PKCS#10 request in PEM, as written by {@link #request}
   * @param hosts the host's DNS names and IP addresses, at least one
   * @param days validity in days
   * @return the certificate
   * @throws IllegalArgumentException when the request is malformed, not self-signed, or not P-256
   */
  public X509Certificate sign(String csrPem, List<String> hosts, int days) {
    PKCS10CertificationRequest csr;
    try (PEMParser parser = new PEMParser(new StringReader(csrPem))) {
      Object object = parser.readObject();
      if (!(object instanceof PKCS10CertificationRequest request)) {
        throw new IllegalArgumentException("not a PEM certificate request (BEGIN CERTIFICATE REQUEST)");
      }
      csr = request;
    } catch (IOException e) {
      throw new IllegalArgumentException("unreadable certificate request: " + e.getMessage(), e);
    }
    try {
      if (!org.bouncycastle.asn1.x9.X9ObjectIdentifiers.id_ecPublicKey.equals(
          csr.getSubjectPublicKeyInfo().getAlgorithm().getAlgorithm())) {
        throw new IllegalArgumentException("the request's key is not an EC key (expected EC P-256)");
      }
      PublicKey publicKey = java.security.KeyFactory.getInstance("EC")
          .generatePublic(new java.security.spec.X509EncodedKeySpec(csr.getSubjectPublicKeyInfo().getEncoded()));
      if (!csr.isSignatureValid(new JcaContentVerifierProviderBuilder().build(publicKey))) {
        throw new IllegalArgumentException("the certificate request's signature is invalid");
      }
      String name = commonName(csr.getSubject());
      return certify(name, hosts, publicKey, days);
    } catch (GeneralSecurityException | OperatorCreationException | PKCSException | IOException e) {
      throw new IllegalArgumentException("bad certificate request: " + e.getMessage(), e);
    }
  }

  /**
   * Makes a fresh key and a certificate request for it (on the host, so the key never leaves it).
   *
   * @param name the host's name, the request's common name
   * @return the key and the request in PEM
   */
  public static Request request(String name) {
    checkName(name);
    KeyPair pair = newKeyPair();
    try {
      PKCS10CertificationRequest csr = new JcaPKCS10CertificationRequestBuilder(subject(name), pair.getPublic())
          .build(signer(pair.getPrivate()));
      StringWriter text = new StringWriter();
      try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
        writer.writeObject(csr);
      }
      return new Request(pair.getPrivate(), text.toString());
    } catch (IOException | OperatorCreationException e) {
      throw new IllegalStateException("cannot create a certificate request: " + e.getMessage(), e);
    }
  }

  private X509Certificate certify(String name, List<String> hosts, PublicKey publicKey, int days) {
    checkName(name);
    checkDays(days);
    GeneralNames names = subjectAltNames(hosts);
    try {
      Instant now = Instant.now();
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      Instant notAfter = now.plus(Duration.ofDays(days));
      if (notAfter.isAfter(certificate.getNotAfter().toInstant())) {
        notAfter = certificate.getNotAfter().toInstant(); // never outlive the CA
      }
      X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(certificate, serial(),
          Date.from(now.minus(BACKDATE)), Date.from(notAfter), new X500Principal(subject(name).toString()), publicKey)
          .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
          .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyAgreement))
          .addExtension(Extension.extendedKeyUsage, false,
              new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}))
          .addExtension(Extension.subjectAlternativeName, false, names)
          .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(publicKey))
          .addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(certificate));
      return toCertificate(builder.build(signer(key)));
    } catch (GeneralSecurityException | IOException | OperatorCreationException e) {
      throw new IllegalStateException("cannot issue a certificate for " + name + ": " + e.getMessage(), e);
    }
  }

  /** A host's key and certificate. */
  public record Issued(PrivateKey key, X509Certificate certificate) {
    /**
     * Writes {@code NAME.key} (mode 600) and {@code NAME.crt} into {@code dir}; never overwrites.
     *
     * @param dir the directory, created if missing
     * @param name the files' base name
     */
    public void write(Path dir, String name) throws IOException {
      checkName(name);
      Pem.writeNew(dir.resolve(name + ".key"), Pem.encode(key), true);
      Pem.writeNew(dir.resolve(name + ".crt"), Pem.encode(certificate), false);
    }
  }

  /** A host's fresh key and its certificate request (PEM). */
  public record Request(PrivateKey key, String csrPem) {
    /**
     * Writes {@code NAME.key} (mode 600) and {@code NAME.csr} into {@code dir}; never overwrites.
     *
     * @param dir the directory, created if missing
     * @param name the files' base name
     */
    public void write(Path dir, String name) throws IOException {
      checkName(name);
      Pem.writeNew(dir.resolve(name + ".key"), Pem.encode(key), true);
      Pem.writeNew(dir.resolve(name + ".csr"), csrPem, false);
    }
  }

  /**
   * Writes a certificate as PEM into a new file (never overwrites).
   *
   * @param file the file
   * @param certificate the certificate
   */
  public static void writeCertificate(Path file, X509Certificate certificate) throws IOException {
    Pem.writeNew(file, Pem.encode(certificate), false);
  }

  /**
   * Reads one PEM certificate.
   *
   * @param file the file
   * @return the certificate
   * @throws IllegalArgumentException with the file name when missing or not a certificate
   */
  public static X509Certificate readCertificate(Path file) {
    Object object = Pem.readObject(file, "certificate");
    if (!(object instanceof X509CertificateHolder holder)) {
      throw new IllegalArgumentException(file + " is not a PEM certificate (BEGIN CERTIFICATE)");
    }
    try {
      return new JcaX509CertificateConverter().getCertificate(holder);
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException(file + ": bad certificate: " + e.getMessage(), e);
    }
  }

  /**
   * Reads one PEM private key (PKCS#8 or SEC1 EC).
   *
   * @param file the file
   * @return the key
   * @throws IllegalArgumentException with the file name when missing or not a key
   */
  public static PrivateKey readPrivateKey(Path file) {
    Object object = Pem.readObject(file, "private key");
    try {
      JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
      if (object instanceof PEMKeyPair pair) {
        return converter.getKeyPair(pair).getPrivate();
      }
      if (object instanceof org.bouncycastle.asn1.pkcs.PrivateKeyInfo info) {
        return converter.getPrivateKey(info);
      }
    } catch (IOException e) {
      throw new IllegalArgumentException(file + ": bad private key: " + e.getMessage(), e);
    }
    throw new IllegalArgumentException(file + " is not an unencrypted PEM private key (BEGIN PRIVATE KEY)");
  }

  private static GeneralNames subjectAltNames(List<String> hosts) {
    Objects.requireNonNull(hosts, "hosts");
    if (hosts.isEmpty()) {
      throw new IllegalArgumentException("a host certificate needs at least one DNS name or IP address");
    }
    List<GeneralName> names = new ArrayList<>();
    for (String host : hosts) {
      if (IPV4.matcher(host).matches() || host.contains(":")) {
        try {
          InetAddress address = InetAddress.getByName(host); // a literal: no look-up
          if (!host.contains(":") && !address.getHostAddress().equals(host)) {
            throw new IllegalArgumentException("bad IP address '" + host + "'");
          }
        } catch (UnknownHostException e) {
          throw new IllegalArgumentException("bad IP address '" + host + "'", e);
        }
        names.add(new GeneralName(GeneralName.iPAddress, host));
      } else if (DNS_NAME.matcher(host).matches()) {
        names.add(new GeneralName(GeneralName.dNSName, host));
      } else {
        throw new IllegalArgumentException("bad host name '" + host + "' (a DNS name or an IP address)");
      }
    }
    return new GeneralNames(names.toArray(GeneralName[]::new));
  }

  private static String commonName(X500Name subject) {
    var rdns = subject.getRDNs(BCStyle.CN);
    if (rdns.length != 1) {
      throw new IllegalArgumentException("the certificate request must have exactly one common name");
    }
    String name = rdns[0].getFirst().getValue().toString();
    checkName(name);
    return name;
  }

  private static X500Name subject(String commonName) {
    return new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.O, "Wallance").addRDN(BCStyle.CN, commonName).build();
  }

  private static void checkName(String name) {
    if (name == null || !NAME.matcher(name.replace(" Wallance CA", "")).matches()) {
      throw new IllegalArgumentException("bad name '" + name + "' (letters, digits, '.', '_', '-'; at most 64)");
    }
  }

  private static void checkDays(int days) {
    if (days < 1 || days > 36_500) {
      throw new IllegalArgumentException("validity must be 1-36500 days, got " + days);
    }
  }

  private static KeyPair newKeyPair() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JVM cannot make EC P-256 keys: " + e.getMessage(), e);
    }
  }

  private static ContentSigner signer(PrivateKey key) throws OperatorCreationException {
    return new JcaContentSignerBuilder(SIGNATURE).build(key);
  }

  private static BigInteger serial() {
    return new BigInteger(127, RANDOM).add(BigInteger.ONE);
  }

  private static X509Certificate toCertificate(X509CertificateHolder holder) throws GeneralSecurityException {
    return new JcaX509CertificateConverter().getCertificate(holder);
  }

  /** PEM reading and writing. */
  static final class Pem {
    private Pem() {
    }

    static String encode(Object object) {
      StringWriter text = new StringWriter();
      try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
        writer.writeObject(object instanceof PrivateKey key
            ? new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(key, null) : object);
      } catch (IOException e) {
        throw new IllegalStateException("cannot encode PEM: " + e.getMessage(), e);
      }
      return text.toString();
    }

    static Object readObject(Path file, String what) {
      String text;
      try {
        text = Files.readString(file, StandardCharsets.US_ASCII);
      } catch (IOException e) {
        throw new IllegalArgumentException("cannot read " + what + " " + file + ": " + e.getMessage(), e);
      }
      try (Reader reader = new StringReader(text); PEMParser parser = new PEMParser(reader)) {
        Object object = parser.readObject();
        if (object == null) {
          throw new IllegalArgumentException(file + " holds no PEM " + what);
        }
        return object;
      } catch (IOException | RuntimeException e) {
        if (e instanceof IllegalArgumentException iae) {
          throw iae;
        }
        throw new IllegalArgumentException(file + ": bad PEM " + what + ": " + e.getMessage(), e);
      }
    }

    static void writeNew(Path file, String text, boolean secret) throws IOException {
      Path dir = file.toAbsolutePath().getParent();
      Files.createDirectories(dir);
      if (Files.exists(file)) {
        throw new java.nio.file.FileAlreadyExistsException(file + " exists; refusing to overwrite it");
      }
      Path tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
      try {
        if (secret) {
          try {
            Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
          } catch (UnsupportedOperationException notPosix) {
            // best effort on non-POSIX file systems
          }
        }
        Files.writeString(tmp, text, StandardCharsets.US_ASCII);
        Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      } finally {
        Files.deleteIfExists(tmp);
      }
    }
  }
}
