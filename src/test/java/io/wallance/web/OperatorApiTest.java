package io.wallance.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.wallance.cluster.ClusterOptions;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator API's validation and error paths, on a plain (non-clustered) Vert.x with no node
 * anywhere: every case here is answered before a node would be asked, or finds no node at all.
 * The paths that reach real nodes are covered end to end by {@code DemoIT}.
 */
class OperatorApiTest {
  private static final String PASSWORD = "s3cret";
  private static final TestRegistry NET = TestRegistry.of(4);

  @TempDir
  static Path dir;

  private static Vertx vertx;
  private static WebClient client;
  private static int port;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    WebConfig config = new WebConfig(dir.resolve("r"), dir.resolve("k"), dir.resolve("p"), dir.resolve("data"),
        "127.0.0.1", 0, ClusterOptions.loopback("unused", List.of(5701), 5701, true, 5));
    WebVerticle verticle = new WebVerticle(config, NET.registry(), NET.operator(),
        PasswordHash.create(PASSWORD, 1_000));
    vertx.deployVerticle(verticle).await(20, TimeUnit.SECONDS);
    port = verticle.actualPort();
    client = WebClient.create(vertx);
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().await(20, TimeUnit.SECONDS);
  }

  private static HttpResponse<Buffer> call(HttpMethod method, String path, String password, String contentType,
      String body) throws Exception {
    HttpRequest<Buffer> r = client.request(method, port, "127.0.0.1", path);
    if (password != null) {
      r.basicAuthentication("operator", password);
    }
    if (contentType != null) {
      r.putHeader("Content-Type", contentType);
    }
    return (body == null ? r.send() : r.sendBuffer(Buffer.buffer(body))).await(20, TimeUnit.SECONDS);
  }

  private static HttpResponse<Buffer> buy(String node, String password, String body) throws Exception {
    return call(HttpMethod.POST, "/api/nodes/" + node + "/purchases", password, "application/json", body);
  }

  private static void assertError(HttpResponse<Buffer> r, int status, String code) {
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(status);
    assertThat(r.getHeader("Content-Type")).startsWith("application/json");
    assertThat(r.bodyAsJsonObject().getString("error")).isEqualTo(code);
    assertThat(r.bodyAsJsonObject().getString("message")).isNotBlank();
  }

  @Test
  void healthIsUp() throws Exception {
    HttpResponse<Buffer> r = call(HttpMethod.GET, "/health", null, null, null);

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.bodyAsJsonObject().getString("status")).isEqualTo("UP");
  }

  @Test
  void stateListsEveryMemberOfflineWhenNoNodeAnswers() throws Exception {
    HttpResponse<Buffer> r = call(HttpMethod.GET, "/api/state", PASSWORD, null, null);

    assertThat(r.statusCode()).isEqualTo(200);
    JsonObject state = r.bodyAsJsonObject();
    assertThat(state.getJsonArray("nodes")).hasSize(4);
    assertThat(state.getJsonArray("nodes").getJsonObject(0).getBoolean("online")).isFalse();
    assertThat(state.getJsonArray("contracts")).hasSize(2);
  }

  @Test
  void readsNeedTheOperatorPasswordToo() throws Exception {
    HttpResponse<Buffer> none = call(HttpMethod.GET, "/api/state", null, null, null);
    assertError(none, 401, "UNAUTHORIZED");
    assertThat(none.getHeader("WWW-Authenticate")).startsWith("Basic realm=");
    assertError(call(HttpMethod.GET, "/api/nodes/pi1/purchases/1", null, null, null), 401, "UNAUTHORIZED");
  }

  @Test
  void mutationsNeedTheOperatorPassword() throws Exception {
    HttpResponse<Buffer> none = buy(NET.id("pi1"), null, "{\"contract\":\"Receipt\"}");
    assertError(none, 401, "UNAUTHORIZED");
    assertThat(none.getHeader("WWW-Authenticate")).startsWith("Basic realm=");
    assertError(buy(NET.id("pi1"), "wrong", "{\"contract\":\"Receipt\"}"), 401, "UNAUTHORIZED");
    assertError(call(HttpMethod.DELETE, "/api/nodes/pi1/purchases/1", null, null, null), 401, "UNAUTHORIZED");
    HttpResponse<Buffer> otherUser = client.request(HttpMethod.POST, port, "127.0.0.1", "/api/nodes/pi1/purchases")
        .basicAuthentication("admin", PASSWORD).putHeader("Content-Type", "application/json")
        .sendBuffer(Buffer.buffer("{\"contract\":\"Receipt\"}")).await(20, TimeUnit.SECONDS);
    assertError(otherUser, 401, "UNAUTHORIZED");
  }

  @Test
  void unknownNodeIs404() throws Exception {
    assertError(buy("00".repeat(32), PASSWORD, "{\"contract\":\"Receipt\"}"), 404, "UNKNOWN_NODE");
    assertError(buy("pi9", PASSWORD, "{\"contract\":\"Receipt\"}"), 404, "UNKNOWN_NODE");
    assertError(call(HttpMethod.GET, "/api/nodes/nobody/purchases/1", PASSWORD, null, null), 404, "UNKNOWN_NODE");
  }

  @Test
  void badBodiesAre400() throws Exception {
    String pi1 = NET.id("pi1");
    assertError(buy(pi1, PASSWORD, "{\"contract\":"), 400, "BAD_JSON");
    assertError(buy(pi1, PASSWORD, "[\"Receipt\"]"), 400, "BAD_JSON");
    assertError(buy(pi1, PASSWORD, "{\"contract\": 3}"), 400, "BAD_JSON");
    assertError(buy(pi1, PASSWORD, "{\"contract\": \"Receipt\", \"price\": 0}"), 400, "BAD_JSON");
    assertError(buy(pi1, PASSWORD, ""), 400, "BAD_JSON");
    HttpResponse<Buffer> unknown = buy(pi1, PASSWORD, "{\"contract\": \"<script>alert(1)</script>\"}");
    assertError(unknown, 400, "UNKNOWN_CONTRACT");
    assertThat(unknown.bodyAsString()).doesNotContain("<script>");
  }

  @Test
  void onlyJsonBodiesAreAccepted() throws Exception {
    assertError(call(HttpMethod.POST, "/api/nodes/pi1/purchases", PASSWORD, "text/plain", "{\"contract\":\"Receipt\"}"),
        415, "UNSUPPORTED_MEDIA_TYPE");
    assertError(call(HttpMethod.POST, "/api/nodes/pi1/purchases", PASSWORD, "application/json",
        "{\"contract\":\"" + "x".repeat(5000) + "\"}"), 413, "TOO_LARGE");
  }

  @Test
  void aNodeThatIsNotThereIs503() throws Exception {
    assertError(buy("pi2", PASSWORD, "{\"contract\":\"Receipt\"}"), 503, "NODE_UNREACHABLE");
  }

  @Test
  void unknownPurchasesAndPathsAre404() throws Exception {
    assertError(call(HttpMethod.DELETE, "/api/nodes/pi1/purchases/abc", PASSWORD, null, null), 404, "UNKNOWN_PURCHASE");
    assertError(call(HttpMethod.DELETE, "/api/nodes/pi1/purchases/0", PASSWORD, null, null), 404, "UNKNOWN_PURCHASE");
    assertError(call(HttpMethod.DELETE, "/api/nodes/pi1/purchases/99", PASSWORD, null, null), 404, "UNKNOWN_PURCHASE");
    assertError(call(HttpMethod.GET, "/api/nope", null, null, null), 404, "NOT_FOUND");
    assertError(call(HttpMethod.GET, "/nope", null, null, null), 401, "UNAUTHORIZED"); // no page file without a login
    assertError(call(HttpMethod.PUT, "/api/state", null, null, null), 405, "METHOD_NOT_ALLOWED");
  }
}
