package io.wallance.web;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.CookieSameSite;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.HostAndPort;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.Session;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.SessionHandler;
import io.vertx.ext.web.sstore.LocalSessionStore;
import io.wallance.cluster.Addresses;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Set;

/**
 * The dashboard's login: a form posts the operator password to {@code /login}, which starts
 * a cookie session (HttpOnly, SameSite=Strict, Secure over HTTPS, a new id after login) holding a random CSRF
 * token. The page and its event-bus bridge need that session; the HTTP API also accepts it
 * (with the token in a header on mutations) besides HTTP Basic for scripts. Login attempts are
 * throttled ({@link OperatorAuth#attempt}: 429 with {@code Retry-After}).
 *
 * <p>A session expires when no request used it for the configured idle time, and in any case
 * the configured absolute time after the login ({@link WebConfig.Sessions}); an expired session
 * is destroyed on its next use. Without a session only {@link #PUBLIC} (the login page and its
 * assets) is served; every other page or file redirects to the login page or answers 401.
 *
 * <p>Sessions live in a store shared by name within the Vert.x instance, so redeploying the
 * web verticle keeps the operator logged in; restarting the process logs them out.
 */
final class OperatorSessions {
  /** The session cookie's name. */
  static final String COOKIE = "wallance.session";
  /** Header carrying the CSRF token on session-authenticated API mutations. */
  static final String CSRF_HEADER = "X-CSRF-Token";
  /** What is served without a login: the login page and its assets. */
  static final Set<String> PUBLIC = Set.of("/login.html", "/css/app.css", "/js/login.js");
  private static final String OPERATOR = "operator";
  private static final String CSRF = "csrf";
  /** Wall-clock milliseconds after which the session is gone, however busy (absolute expiry). */
  private static final String EXPIRES_AT = "expiresAt";
  private static final SecureRandom RANDOM = new SecureRandom();

  private final SessionHandler handler;
  private final OperatorAuth auth;
  private final Addresses addresses;
  private final WebConfig.Sessions expiry;

  /**
   * @param https whether the dashboard serves HTTPS: then the cookie is {@code Secure} (a browser
   *     never sends it over plain HTTP, e.g. to something listening on the same name and port 80)
   */
  OperatorSessions(Vertx vertx, OperatorAuth auth, Addresses addresses, WebConfig.Sessions expiry, boolean https) {
    this.auth = auth;
    this.addresses = addresses;
    this.expiry = expiry;
    this.handler = SessionHandler.create(LocalSessionStore.create(vertx, "wallance.web.sessions"))
        .setSessionCookieName(COOKIE)
        .setCookieHttpOnlyFlag(true)
        .setCookieSecureFlag(https)
        .setCookieSameSite(CookieSameSite.STRICT)
        .setSessionTimeout(expiry.idleMillis()) // the store drops a session idle this long
        .setLazySession(true); // no cookie until someone logs in
  }

  /** @return the session handler, for routes that need the session */
  Handler<RoutingContext> handler() {
    return handler;
  }

  /** Adds {@code /login}, {@code /logout}, {@code /api/session} and the login guard of the page. */
  void mount(Router router) {
    router.post("/login").handler(handler).handler(BodyHandler.create(false).setBodyLimit(OperatorApi.BODY_LIMIT))
        .handler(this::login);
    router.post("/logout").handler(handler).handler(this::logout);
    router.get("/api/session").handler(handler).handler(this::session);
  }

  /**
   * Guards everything the router has not answered yet (the page and its files): mount it
   * just before the static files.
   */
  void mountPageGuard(Router router) {
    router.route().method(io.vertx.core.http.HttpMethod.GET).method(io.vertx.core.http.HttpMethod.HEAD)
        .handler(handler).handler(this::page);
  }

  /** Lets a request through only with an operator session and from this origin; 401 or 403 otherwise. */
  void requireOperator(RoutingContext ctx) {
    if (!sameOrigin(ctx.request())) {
      OperatorApi.fail(ctx, new ApiError(403, "BAD_ORIGIN", "requests from another origin are refused", null));
    } else if (!loggedIn(ctx.session())) {
      OperatorApi.fail(ctx, new ApiError(401, "UNAUTHORIZED", "log in first", null));
    } else {
      ctx.next();
    }
  }

  private void login(RoutingContext ctx) {
    if (!sameOrigin(ctx.request())) {
      OperatorApi.fail(ctx, new ApiError(403, "BAD_ORIGIN", "log in from the dashboard's own page", null));
      return;
    }
    String password = ctx.request().getFormAttribute("password");
    if (password == null || password.isEmpty() || password.length() > 1024) {
      redirect(ctx, "/login.html?failed");
      return;
    }
    auth.attempt(OperatorAuth.address(ctx), password).onComplete(r -> {
      long result = r.succeeded() ? r.result() : OperatorAuth.WRONG;
      if (result == OperatorAuth.ACCEPTED) {
        Session session = ctx.session();
        session.regenerateId(); // no session fixation
        session.put(OPERATOR, true);
        session.put(CSRF, token());
        session.put(EXPIRES_AT, System.currentTimeMillis() + expiry.absoluteMillis());
        redirect(ctx, "/");
      } else if (result > 0) {
        throttledPage(ctx, result);
      } else {
        redirect(ctx, "/login.html?failed");
      }
    });
  }

  /** 429 for the login form: a short page for a browser, the API's JSON for anything else. */
  private static void throttledPage(RoutingContext ctx, long waitMillis) {
    String accept = ctx.request().getHeader("Accept");
    if (accept == null || !accept.contains("text/html")) {
      OperatorAuth.throttled(ctx, waitMillis);
      return;
    }
    long seconds = Math.max(1, (waitMillis + 999) / 1000);
    ctx.response().setStatusCode(429).putHeader("Retry-After", Long.toString(seconds))
        .putHeader("Content-Type", "text/html; charset=utf-8").putHeader("Cache-Control", "no-store")
        .end("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Wallance · wait</title>"
            + "<link rel=\"stylesheet\" href=\"css/app.css\"></head><body class=\"login\"><main class=\"login-box\">"
            + "<h1>Wallance</h1><p class=\"error\" id=\"throttled\">Too many wrong passwords. Try again in " + seconds
            + " s.</p><p><a href=\"/login.html\">Back to the login</a></p></main></body></html>");
  }

  private void logout(RoutingContext ctx) {
    if (ctx.session() != null && sameOrigin(ctx.request())) {
      ctx.session().destroy();
    }
    redirect(ctx, "/login.html");
  }

  private void session(RoutingContext ctx) {
    Session s = ctx.session();
    if (!loggedIn(s)) {
      OperatorApi.fail(ctx, new ApiError(401, "UNAUTHORIZED", "log in first", null));
      return;
    }
    OperatorApi.json(ctx, 200, new JsonObject()
        .put("user", OperatorAuth.USER)
        .put("csrf", s.<String>get(CSRF))
        .put("net", addresses.net())
        .put("addresses", new JsonObject()
            .put("buy", addresses.dashboardBuy())
            .put("cancel", addresses.dashboardCancel())
            .put("events", addresses.events())));
  }

  /** The page and its files: the login page and its assets for anyone, the rest after the login. */
  private void page(RoutingContext ctx) {
    String path = ctx.normalizedPath();
    if (PUBLIC.contains(path) || loggedIn(ctx.session())) {
      ctx.next();
    } else if (path.equals("/") || path.endsWith(".html")) {
      redirect(ctx, "/login.html");
    } else {
      OperatorApi.fail(ctx, new ApiError(401, "UNAUTHORIZED", "log in first", null));
    }
  }

  private static void redirect(RoutingContext ctx, String location) {
    ctx.response().setStatusCode(303).putHeader("Location", location).putHeader("Cache-Control", "no-store").end();
  }

  /**
   * @return true for a live session of the logged-in operator; a session past its absolute or
   *     idle expiry (a bridge socket keeps the session object it opened with) is destroyed
   */
  static boolean loggedIn(Session session) {
    if (session == null || session.isDestroyed() || !Boolean.TRUE.equals(session.get(OPERATOR))) {
      return false;
    }
    long now = System.currentTimeMillis();
    Long expiresAt = session.get(EXPIRES_AT);
    if (expiresAt == null || now >= expiresAt || now - session.lastAccessed() > session.timeout()) {
      session.destroy();
      return false;
    }
    return true;
  }

  /** @return true when {@code given} is the session's CSRF token (constant-time) */
  static boolean csrfMatches(Session session, String given) {
    String token = session == null ? null : session.get(CSRF);
    return token != null && given != null && MessageDigest.isEqual(token.getBytes(StandardCharsets.US_ASCII),
        given.getBytes(StandardCharsets.US_ASCII));
  }

  /**
   * A browser names the page's origin on every cross-origin request, on WebSocket handshakes
   * and on same-origin POSTs; a request without {@code Origin} is a same-origin GET or not from
   * a browser (and carries no session cookie from another site: SameSite=Strict).
   *
   * @return false when the request names an origin other than this server's (scheme included)
   */
  static boolean sameOrigin(HttpServerRequest request) {
    String origin = request.getHeader("Origin");
    if (origin == null) {
      return true;
    }
    HostAndPort authority = request.authority(); // the Host header, or :authority in HTTP/2
    if (authority == null) {
      return false;
    }
    String host = authority.host() + (authority.port() >= 0 ? ":" + authority.port() : "");
    // Over HTTPS only an https:// page is this origin (a plain-HTTP page on the same name is not).
    return origin.equalsIgnoreCase((request.isSSL() ? "https://" : "http://") + host);
  }

  private static String token() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }
}
