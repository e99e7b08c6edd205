package io.wallance.web;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;

/**
 * Requires the operator on a route: HTTP Basic with user {@value #USER}
 * ({@code curl -u operator:PASSWORD}, for scripts; no CSRF token), or the dashboard's login
 * session, which on a mutating method must also carry its CSRF token in the
 * {@value OperatorSessions#CSRF_HEADER} header (a cookie alone is not enough, so another site
 * cannot make the browser mutate anything).
 *
 * <p>Password attempts (Basic here, and the login form through {@link #attempt}) go through one
 * queue on the event loop and a {@link LoginThrottle} per source address and per user: a
 * throttled attempt gets {@code 429} with {@code Retry-After} before the password is looked at.
 * Checking a password runs PBKDF2 off the event loop, one check at a time, so a flood of
 * guesses costs the guesser time and cannot take every core. After a success the SHA-256 of
 * the accepted password is remembered (in memory only) so the operator's later requests are
 * checked in microseconds; the comparisons are constant-time.
 */
final class OperatorAuth implements Handler<RoutingContext> {
  /** The one user name. */
  static final String USER = "operator";
  private static final String CHALLENGE = "Basic realm=\"wallance\", charset=\"UTF-8\"";

  /** Most password attempts waiting for their turn; more are throttled at once. */
  static final int MAX_QUEUED = 64;
  /** {@link #attempt} result: the password is right. */
  static final long ACCEPTED = 0;
  /** {@link #attempt} result: the password is wrong. */
  static final long WRONG = -1;

  private final Vertx vertx;
  private final PasswordHash password;
  private final LoginThrottle throttle;
  private volatile byte[] accepted;
  private Future<Void> queue = Future.succeededFuture();
  private int queued;

  OperatorAuth(Vertx vertx, PasswordHash password) {
    this(vertx, password, new LoginThrottle());
  }

  OperatorAuth(Vertx vertx, PasswordHash password, LoginThrottle throttle) {
    this.vertx = vertx;
    this.password = password;
    this.throttle = throttle;
  }

  @Override
  public void handle(RoutingContext ctx) {
    String header = ctx.request().getHeader("Authorization");
    if (header == null && OperatorSessions.loggedIn(ctx.session())) {
      if (safe(ctx.request().method())
          || OperatorSessions.csrfMatches(ctx.session(), ctx.request().getHeader(OperatorSessions.CSRF_HEADER))) {
        ctx.next();
      } else {
        OperatorApi.fail(ctx, new ApiError(403, "CSRF", "a logged-in request must carry the session's "
            + OperatorSessions.CSRF_HEADER + " header", null));
      }
      return;
    }
    if (header == null) {
      refuse(ctx, "operator credentials required (HTTP Basic, user 'operator', or the dashboard's login)");
      return;
    }
    String candidate = passwordOf(header);
    // A Basic header for another user, or a malformed one, is a wrong attempt too (no PBKDF2 needed).
    attempt(address(ctx), candidate).onComplete(r -> {
      long result = r.succeeded() ? r.result() : WRONG;
      if (result == ACCEPTED) {
        ctx.next();
      } else if (result > 0) {
        throttled(ctx, result);
      } else {
        refuse(ctx, "wrong operator password");
      }
    });
  }

  /** GET and HEAD change nothing: a session needs no CSRF token for them. */
  private static boolean safe(HttpMethod method) {
    return method == HttpMethod.GET || method == HttpMethod.HEAD;
  }

  /** @return the peer's IP address (never a forwarded header: the server is reached directly) */
  static String address(RoutingContext ctx) {
    SocketAddress remote = ctx.request().remoteAddress();
    return remote == null || remote.hostAddress() == null ? "unknown" : remote.hostAddress();
  }

  /**
   * One password attempt from {@code address}, in turn with every other attempt, after the
   * throttle allowed it.
   *
   * @param candidate the password given, or null for a malformed or foreign-user credential
   * @return {@link #ACCEPTED}, {@link #WRONG}, or the milliseconds to wait when throttled
   */
  Future<Long> attempt(String address, String candidate) {
    if (queued >= MAX_QUEUED) {
      return Future.succeededFuture(1_000L);
    }
    queued++;
    Promise<Long> result = Promise.promise();
    queue = queue.transform(previous -> {
      long wait = throttle.retryAfterMillis(address, USER);
      if (wait > 0) {
        result.complete(wait);
        return Future.succeededFuture();
      }
      Future<Boolean> checked = candidate == null ? Future.succeededFuture(false) : check(candidate);
      return checked.transform(ok -> {
        if (ok.succeeded() && ok.result()) {
          throttle.success(address);
          result.complete(ACCEPTED);
        } else {
          throttle.failure(address, USER);
          result.complete(WRONG);
        }
        return Future.<Void>succeededFuture();
      });
    });
    return result.future().onComplete(done -> queued--);
  }

  /** @return password attempts waiting for their turn (at most {@link #MAX_QUEUED}) */
  int queued() {
    return queued;
  }

  /** 429 with {@code Retry-After} (whole seconds, rounded up). */
  static void throttled(RoutingContext ctx, long waitMillis) {
    long seconds = Math.max(1, (waitMillis + 999) / 1000);
    ctx.response().putHeader("Retry-After", Long.toString(seconds));
    OperatorApi.fail(ctx, new ApiError(429, "TOO_MANY_ATTEMPTS", "too many wrong operator passwords from this"
        + " address or for this user; retry in " + seconds + " s", null));
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
