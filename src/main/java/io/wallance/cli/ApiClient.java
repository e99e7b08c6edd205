package io.wallance.cli;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.net.URI;
import java.util.concurrent.TimeUnit;

/**
 * A small blocking client of the operator API (docs/API.md) for the command-line clients,
 * built on the Vert.x Web Client. Every call is bounded.
 */
final class ApiClient implements AutoCloseable {
  /** Default API address (the demo's dashboard, HTTPS). */
  static final String DEFAULT_URL = "https://127.0.0.1:8080";
  private static final long TIMEOUT_MS = 15_000;
  private static final String OPERATOR = "operator";

  /** An HTTP answer: status and JSON body (empty when the body was not JSON). */
  record Answer(int status, JsonObject body) {
    String message() {
      String text = body.getValue("message") instanceof String m ? m : "HTTP " + status;
      return Terminal.safe(text);
    }
  }

  private final Vertx vertx;
  private final WebClient client;
  private final URI base;
  private final java.nio.file.Path ca;

  ApiClient(String url) {
    this(url, null);
  }

  /**
   * @param url the dashboard's base URL, http:// or https://
   * @param ca for https: the project CA certificate (PEM) to trust, instead of the JVM's public
   *     CAs; the server's name must match its certificate either way
   */
  ApiClient(String url, java.nio.file.Path ca) {
    URI uri;
    try {
      uri = URI.create(url.endsWith("/") ? url.substring(0, url.length() - 1) : url);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--url " + url + " is not a URL");
    }
    if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
      throw new IllegalArgumentException("--url must be https://HOST:PORT (or http:// for a dashboard without TLS), got " + url);
    }
    this.base = uri;
    this.vertx = Vertx.vertx();
    WebClientOptions options = new WebClientOptions().setConnectTimeout(5_000).setUserAgent("wallance-cli");
    if (ca != null) {
      if (!"https".equals(uri.getScheme())) {
        throw new IllegalArgumentException("--ca is for an https:// --url, got " + url);
      }
      io.wallance.tls.ProjectCa.readCertificate(ca); // a clear error now rather than a handshake failure
      options.setTrustOptions(new io.vertx.core.net.PemTrustOptions().addCertPath(ca.toString()));
    }
    this.ca = ca;
    this.client = WebClient.create(vertx, options);
  }

  Answer get(String path, String password) {
    return send(client.getAbs(base + path).basicAuthentication(OPERATOR, password), null);
  }

  Answer post(String path, JsonObject body, String password) {
    return send(client.postAbs(base + path).basicAuthentication(OPERATOR, password), body);
  }

  Answer delete(String path, String password) {
    return send(client.deleteAbs(base + path).basicAuthentication(OPERATOR, password), null);
  }

  private Answer send(HttpRequest<Buffer> request, JsonObject body) {
    request.timeout(TIMEOUT_MS);
    HttpResponse<Buffer> response;
    try {
      response = (body == null ? request.send() : request.sendJsonObject(body))
          .await(TIMEOUT_MS + 1_000, TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      if (Main.describe(e).contains("PKIX") || e instanceof javax.net.ssl.SSLException
          || e.getCause() instanceof javax.net.ssl.SSLException) {
        throw new IllegalStateException("the dashboard at " + base + " presented a certificate that is not trusted: "
            + Main.describe(e) + (ca == null ? " (pass --ca with the project CA certificate, e.g. ca.crt)"
            : " (is it issued by " + ca + " for this host name?)"));
      }
      throw new IllegalStateException("cannot reach the dashboard at " + base + ": " + Main.describe(e)
          + " (is `demo` or `dashboard` running?)");
    }
    JsonObject json;
    try {
      json = response.body() == null ? new JsonObject() : response.bodyAsJsonObject();
    } catch (DecodeException | ClassCastException e) {
      json = new JsonObject();
    }
    return new Answer(response.statusCode(), json == null ? new JsonObject() : json);
  }

  /** @return the base URL */
  String base() {
    return base.toString();
  }

  @Override
  public void close() {
    try {
      vertx.close().await(5, TimeUnit.SECONDS);
    } catch (Exception ignored) {
      // exiting anyway
    }
  }
}
