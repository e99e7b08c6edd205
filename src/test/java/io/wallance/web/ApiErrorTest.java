package io.wallance.web;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** A node's typed refusal ({@code <REASON>: <detail>}, docs/ARCHITECTURE.md) becomes the API's error. */
class ApiErrorTest {

  @Test
  void reasonsTheApiNamesKeepTheirStatus() {
    assertThat(ApiError.refused("NOT_CANCELLABLE: purchase 3 is published").status).isEqualTo(409);
    assertThat(ApiError.refused("NOT_CANCELLABLE: x").code).isEqualTo("NOT_CANCELLABLE");
    assertThat(ApiError.refused("UNKNOWN_PURCHASE: no purchase 9").status).isEqualTo(404);
    assertThat(ApiError.refused("RATE_LIMITED: slow down").status).isEqualTo(429);
    assertThat(ApiError.refused("INTERNAL_ERROR: boom").status).isEqualTo(502);
  }

  @Test
  void otherRefusalsAre409WithTheReason() {
    ApiError e = ApiError.refused("BAD_COMMAND: replayed command: counter 3 <= 7");

    assertThat(e.status).isEqualTo(409);
    assertThat(e.code).isEqualTo("NODE_REFUSED");
    assertThat(e.reason).isEqualTo("BAD_COMMAND");
    assertThat(e.toJson().getString("message")).isEqualTo("the node refused: BAD_COMMAND: replayed command: counter 3 <= 7");
  }

  @Test
  void aMessageWithoutAReasonIsStillAnError() {
    assertThat(ApiError.refused(null).reason).isEqualTo("REFUSED");
    assertThat(ApiError.refused("lower case: x").reason).isEqualTo("REFUSED");
    assertThat(ApiError.refused("X: " + "y".repeat(1000)).getMessage().length()).isLessThan(400);
  }
}
