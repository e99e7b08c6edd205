package io.wallance.web;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;

/**
 * Requires the operator on a route: HTTP Basic with user {@value #USER}
 * ({@code curl -u operator:PASSWORD}, for scripts), or the dashboard's login session with
 * its CSRF token in the {@value OperatorSessions#CSRF_HEADER} header (a cookie alone is not
 * enough, so another site cannot make the browser mutate anything).
 *
 * <p>Checking a password runs PBKDF2 off the event loop, one check at a time, so a flood of
 * guesses costs the guesser time and cannot take every core. After a success the SHA-256 of
 * the accepted password is remembered (in memory only) so the operator's later requests are
 * checked in microseconds; the comparisons are constant-time.
 */
final class OperatorAuth implements Handler<RoutingContext> {
  /** The one user name. */
  static final String USER = "operator";
  private static final String CHALLENGE = "Basic realm=\"wallance\", charset=\"UTF-8\"";

  private final Vertx vertx;
  private final PasswordHash password;
  private volatile byte[] accepted;

  OperatorAuth(Vertx vertx, PasswordHash password) {
    this.vertx = vertx;
    this.password = password;
  }

  @Override
  public void handle(RoutingContext ctx) {
    String header = ctx.request().getHeader("Authorization");
    if (header == null && OperatorSessions.loggedIn(ctx.session())) {
      if (OperatorSessions.csrfMatches(ctx.session(), ctx.request().getHeader(OperatorSessions.CSRF_HEADER))) {
        ctx.next();
      } else {
        OperatorApi.fail(ctx, new ApiError(403, "CSRF", "a logged-in request must carry the session's "
            + OperatorSessions.CSRF_HEADER + " header", null));
      }
      return;
    }
    String candidate = passwordOf(header);
    if (candidate == null) {
      refuse(ctx, "operator credentials required (HTTP Basic, user 'operator')");
      return;
    }
    check(candidate).onComplete(ok -> {
      if (ok.succeeded() && ok.result()) {
        ctx.next();
      } else {
        refuse(ctx, "wrong operator password");
      }
    });
  }

  /** @return whether {@code candidate} is the operator password (PBKDF2 off the event loop, one at a time) */
  Future<Boolean> check(String candidate) {
    byte[] digest = sha256(candidate);
    byte[] known = accepted;
    if (known != null && MessageDigest.isEqual(known, digest)) {
      return Future.succeededFuture(true);
    }
    return vertx.executeBlocking(() -> {
      boolean ok = password.matches(candidate);
      if (ok) {
        accepted = digest;
      }
      return ok;
    }, true);
  }

  /** @return the password of a Basic header for user {@value #USER}, or null */
  static String passwordOf(String header) {
    if (header == null || header.length() > 1024 || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
      return null;
    }
    String decoded;
    try {
      decoded = new String(Base64.getDecoder().decode(header.substring(6).strip()), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return null;
    }
    int colon = decoded.indexOf(':');
    if (colon < 0 || !decoded.substring(0, colon).equals(USER)) {
      return null;
    }
    String pw = decoded.substring(colon + 1);
    return pw.isEmpty() ? null : pw;
  }

  private static void refuse(RoutingContext ctx, String message) {
    ctx.response().putHeader("WWW-Authenticate", CHALLENGE);
    OperatorApi.fail(ctx, new ApiError(401, "UNAUTHORIZED", message, null));
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
