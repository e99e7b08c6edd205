package io.wallance.web;

import io.vertx.core.json.JsonObject;

/**
 * A failure of an API call with its HTTP status, a stable error code and a message for
 * people; rendered as {@code {"error": CODE, "message": TEXT}}.
 */
final class ApiError extends RuntimeException {
  private static final long serialVersionUID = 1L;

  final int status;
  final String code;
  /** The node's typed refusal reason (e.g. BAD_COMMAND), when a node refused. */
  final String reason;

  ApiError(int status, String code, String message, String reason) {
    super(message, null, false, false);
    this.status = status;
    this.code = code;
    this.reason = reason;
  }

  static ApiError badRequest(String code, String message) {
    return new ApiError(400, code, message, null);
  }

  static ApiError notFound(String code, String message) {
    return new ApiError(404, code, message, null);
  }

  static ApiError conflict(String code, String message) {
    return new ApiError(409, code, message, null);
  }

  static ApiError unavailable(String message) {
    return new ApiError(503, "NODE_UNREACHABLE", message, null);
  }

  static ApiError badGateway(String message) {
    return new ApiError(502, "BAD_NODE_REPLY", message, null);
  }

  /**
   * A node refused: its failure message is {@code <REASON>: <detail>}.
   *
   * @param failure the node's failure message
   * @return a 409 carrying the reason
   */
  static ApiError refused(String failure) {
    String text = failure == null ? "" : failure;
    int colon = text.indexOf(':');
    String reason = colon > 0 && text.substring(0, colon).matches("[A-Z_]{1,40}") ? text.substring(0, colon) : "REFUSED";
    String detail = colon > 0 ? text.substring(colon + 1).strip() : text;
    if (detail.length() > 300) {
      detail = detail.substring(0, 300) + "…";
    }
    return new ApiError(409, "NODE_REFUSED", "the node refused: " + reason + ": " + detail, reason);
  }

  JsonObject toJson() {
    JsonObject json = new JsonObject().put("error", code).put("message", getMessage());
    if (reason != null) {
      json.put("reason", reason);
    }
    return json;
  }
}
