package io.wallance.tls;

import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.util.Objects;

/**
 * A host's TLS material, as named in {@code node.json} / {@code web.json} ({@code "tls": {"ca":
 * ..., "cert": ..., "key": ...}}): the project CA's certificate (the only trust anchor), the
 * host's certificate issued by it, and the host's private key, all PEM.
 *
 * <p>{@link #check()} reads all three up front and fails with one clear line (which file, what
 * is wrong), so a node never joins the cluster with material that TLS would refuse later.
 *
 * @param ca the project CA certificate
 * @param cert this host's certificate, issued by {@code ca}
 * @param key this host's private key (the certificate's)
 */
public record TlsFiles(Path ca, Path cert, Path key) {
  private static final java.util.concurrent.atomic.AtomicBoolean WARMED = new java.util.concurrent.atomic.AtomicBoolean();

  /** Validates the paths are given; {@link #check()} validates the contents. */
  public TlsFiles {
    Objects.requireNonNull(ca, "tls.ca");
    Objects.requireNonNull(cert, "tls.cert");
    Objects.requireNonNull(key, "tls.key");
  }

  /**
   * Reads the three files and checks they fit together: the certificate is issued by the CA
   * and valid now, and the key belongs to the certificate.
   *
   * @return this
   * @throws IllegalArgumentException naming the file and the problem
   */
  public TlsFiles check() {
    X509Certificate caCert = ProjectCa.readCertificate(ca);
    if (caCert.getBasicConstraints() < 0) {
      throw new IllegalArgumentException("tls.ca " + ca + " is not a CA certificate");
    }
    X509Certificate own = ProjectCa.readCertificate(cert);
    PrivateKey privateKey = ProjectCa.readPrivateKey(key);
    try {
      own.verify(caCert.getPublicKey());
    } catch (Exception e) {
      throw new IllegalArgumentException("tls.cert " + cert + " is not issued by the CA in " + ca, e);
    }
    try {
      own.checkValidity();
    } catch (CertificateExpiredException e) {
      throw new IllegalArgumentException("tls.cert " + cert + " expired on " + own.getNotAfter(), e);
    } catch (CertificateNotYetValidException e) {
      throw new IllegalArgumentException("tls.cert " + cert + " is not valid before " + own.getNotBefore()
          + " (is this host's clock right?)", e);
    }
    if (!Keys.matches(privateKey, own.getPublicKey())) {
      throw new IllegalArgumentException("tls.key " + key + " does not belong to tls.cert " + cert);
    }
    return this;
  }

  /**
   * Mutual TLS on the clustered event bus: every member presents its certificate and accepts
   * only peers whose certificate the project CA issued.
   *
   * @param options the event-bus options to change
   * @return {@code options}
   */
  public EventBusOptions applyTo(EventBusOptions options) {
    options.setSsl(true)
        // EventBusOptions trusts every server certificate by default (trustAll = true): a
        // member would then send to a rogue member's event bus. Only the project CA counts.
        .setTrustAll(false)
        .setClientAuth(ClientAuth.REQUIRED)
        .setKeyCertOptions(keyCert())
        .setTrustOptions(trust());
    return options;
  }

  /**
   * HTTPS for a server (the dashboard, a node's metrics and health): the host's certificate;
   * clients are not asked for one.
   *
   * @param options the server options to change
   * @return {@code options}
   */
  public HttpServerOptions applyTo(HttpServerOptions options) {
    options.setSsl(true).setKeyCertOptions(keyCert());
    return options;
  }

  /**
   * Starts, on a daemon thread, the JDK's one-time TLS set-up that Vert.x would otherwise do
   * on an event loop at the first TLS connection: building the default {@code SSLContext}
   * reads the JVM's whole {@code cacerts} store (Vert.x lists the supported cipher suites that
   * way), which takes seconds on a small or busy machine, long enough to stall the event loop
   * while the node joins the cluster. Our trust anchors are unaffected (only the project CA).
   * Idempotent.
   */
  public static void warmUp() {
    if (WARMED.compareAndSet(false, true)) {
      Thread t = new Thread(() -> {
        try {
          javax.net.ssl.SSLContext context = javax.net.ssl.SSLContext.getInstance("TLS");
          context.init(null, null, null);
          context.createSSLEngine().getSupportedCipherSuites();
        } catch (java.security.GeneralSecurityException | RuntimeException e) {
          // only a warm-up: Vert.x reports any real problem when it sets TLS up itself
        }
      }, "tls-warm-up");
      t.setDaemon(true);
      t.start();
    }
  }

  /** @return the host's key and certificate for Vert.x */
  public PemKeyCertOptions keyCert() {
    return new PemKeyCertOptions().setKeyPath(key.toString()).setCertPath(cert.toString());
  }

  /** @return the project CA as the only trust anchor for Vert.x */
  public PemTrustOptions trust() {
    return new PemTrustOptions().addCertPath(ca.toString());
  }
}
