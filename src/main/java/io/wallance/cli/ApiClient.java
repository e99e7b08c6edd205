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
  /** Default API address (the dashboard's default). */
  static final String DEFAULT_URL = "http://127.0.0.1:8080";
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

  ApiClient(String url) {
    URI uri;
    try {
      uri = URI.create(url.endsWith("/") ? url.substring(0, url.length() - 1) : url);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--url " + url + " is not a URL");
    }
    if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
      throw new IllegalArgumentException("--url must be http://HOST:PORT, got " + url);
    }
    this.base = uri;
    this.vertx = Vertx.vertx();
    this.client = WebClient.create(vertx, new WebClientOptions().setConnectTimeout(5_000)
        .setUserAgent("wallance-cli"));
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
