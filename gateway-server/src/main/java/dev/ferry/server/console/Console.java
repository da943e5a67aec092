package dev.ferry.server.console;

import dev.ferry.core.admin.AdminCaller;
import dev.ferry.core.admin.AdminResponse;
import dev.ferry.core.session.ClientText;
import dev.ferry.core.session.SessionRefusedException;
import dev.ferry.core.state.Database;
import dev.ferry.core.state.StateStoreException;
import dev.ferry.core.user.LoginGuard;
import dev.ferry.core.user.User;
import dev.ferry.core.user.UserRegistry;
import dev.ferry.jobs.admin.AdminCommand;
import dev.ferry.jobs.admin.AdminCommandRegistry;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.cookie.Cookie;
import io.netty.handler.codec.http.cookie.ServerCookieDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator's console in the browser, under {@code /console/} on the admin HTTP port. Signing in
 * gives a server-side session behind an HttpOnly cookie; every POST after that must carry the
 * session's CSRF token (form field {@code csrf} or header {@code X-CSRF-Token}) or is refused with
 * 403 before anything runs. A POST whose Origin is another site is refused too, sign-in included. What a page shows or changes goes through the admin command registry
 * as the signed-in user ({@link ConsoleRoutes}), as SSH exec and the API do: one behaviour, one audit.
 *
 * <p>Called off the event loop (the admin HTTP server's command executor): sign-ins run bcrypt and
 * commands reach S3, SSH hosts and the state store. Sessions live in the state store, so a browser
 * signed in on one node is signed in on every node sharing it ({@link ConsoleSessions}).
 */
public final class Console {

  static final String COOKIE = "ferry_console";
  static final String CSRF_FIELD = "csrf";
  static final String CSRF_HEADER = "X-CSRF-Token";

  private static final Logger log = LoggerFactory.getLogger(Console.class);
  /** A session ends after this long without a request (a page polling keeps it alive)... */
  private static final Duration IDLE = Duration.ofMinutes(30);
  /** ... and after this long in any case. */
  private static final Duration ABSOLUTE = Duration.ofHours(12);

  /** Counts a signed-in request's connection as the user's session (the limits of FTPS and SFTP); null or why not. */
  public interface SlotLogin {
    SessionRefusedException loggedIn(String user);
  }

  /** The answer, and whether it goes out only after the failure delay (a refused sign-in). */
  public record Reply(FullHttpResponse response, boolean afterFailureDelay) {}

  private final ConsoleSessions sessions;
  private final ConsoleLogin login;
  private final ConsoleAssets assets = new ConsoleAssets();
  private final ConsoleRoutes routes;
  private final UserRegistry users;
  private final boolean tls;

  /**
   * {@code node}: this node's name, on every page; {@code database}: the state store, where the
   * sessions are kept for every node sharing it.
   */
  public Console(AdminCommandRegistry commands, UserRegistry users, LoginGuard guard, Clock clock, boolean tls, String node,
      Database database) {
    this.sessions = new ConsoleSessions(database, clock, IDLE, ABSOLUTE, node);
    this.login = new ConsoleLogin(users, guard);
    this.routes = new ConsoleRoutes(commands, clock);
    this.users = users;
    this.tls = tls;
  }

  /** Whether the console answers {@code path} (the API keeps /api/ and /health). */
  public static boolean owns(String path) {
    return path.equals("/") || path.equals("/console") || path.startsWith("/console/");
  }

  public Reply handle(FullHttpRequest request, String address, SlotLogin slot) {
    try {
      return handleSignedIn(request, address, slot);
    } catch (StateStoreException e) {
      log.warn("console: {} from {}: {}", request.uri(), address, e.getMessage());
      return reply(ConsoleReplies.html(HttpResponseStatus.SERVICE_UNAVAILABLE, ConsolePages.problem(null,
          "Unavailable", "the state store, where console sign-ins are kept, cannot be reached; try again")));
    }
  }

  private Reply handleSignedIn(FullHttpRequest request, String address, SlotLogin slot) throws StateStoreException {
    String path = new QueryStringDecoder(request.uri()).path();
    boolean post = request.method().equals(HttpMethod.POST);
    if (!post && !request.method().equals(HttpMethod.GET)) {
      return reply(ConsoleReplies.html(HttpResponseStatus.METHOD_NOT_ALLOWED, ConsolePages.problem(null,
          "Not allowed", "use GET or POST")));
    }
    if (path.equals("/") || path.equals("/console")) {
      return reply(ConsoleReplies.redirect("/console/"));
    }
    if (path.startsWith("/console/static/") && !post) {
      ConsoleAssets.Asset asset = assets.find(path.substring("/console/static/".length()));
      return reply(asset == null ? ConsoleReplies.html(HttpResponseStatus.NOT_FOUND, ConsolePages.problem(null,
          "Not found", "no such file"))
          : ConsoleReplies.bytes(HttpResponseStatus.OK, asset.bytes(), asset.contentType(), "max-age=3600"));
    }
    if (post && !sameOrigin(request)) {
      // A form on another site posting here (sign-in included, which has no session and so no token yet).
      log.warn("console: POST {} from {} with Origin {} refused", path, address,
          ClientText.forLog(request.headers().get(HttpHeaderNames.ORIGIN)));
      return reply(ConsoleReplies.html(HttpResponseStatus.FORBIDDEN, ConsolePages.problem(null, "Forbidden",
          "this form was sent from another site; nothing was changed")));
    }
    Optional<ConsoleSession> session = sessions.touch(sessionId(request))
        .filter(s -> users.find(s.user()).map(User::admin).orElse(false));
    if (path.equals("/console/login")) {
      if (post) {
        return signIn(request, address);
      }
      return reply(session.isPresent() ? ConsoleReplies.redirect("/console/")
          : ConsoleReplies.html(HttpResponseStatus.OK, ConsolePages.login(null)));
    }
    if (session.isEmpty()) {
      return reply(post ? ConsoleReplies.html(HttpResponseStatus.FORBIDDEN, ConsolePages.problem(null, "Forbidden",
          "sign in first")) : ConsoleReplies.redirect("/console/login"));
    }
    SessionRefusedException refused = slot.loggedIn(session.get().user());
    if (refused != null) {
      return reply(ConsoleReplies.html(HttpResponseStatus.SERVICE_UNAVAILABLE, ConsolePages.problem(null,
          "Too many sessions", refused.clientMessage())));
    }
    Map<String, List<String>> form = post ? form(request) : Map.of();
    if (post && !csrfPresent(session.get(), request, form)) {
      log.warn("console: POST {} by {} from {} without the session's CSRF token refused", path,
          session.get().user(), address);
      return reply(ConsoleReplies.html(HttpResponseStatus.FORBIDDEN, ConsolePages.problem(session.get(),
          "Forbidden", "this form has no valid CSRF token (reload the page and try again); nothing was changed")));
    }
    if (post && path.equals("/console/logout")) {
      sessions.remove(session.get().id());
      FullHttpResponse response = ConsoleReplies.redirect("/console/login");
      response.headers().add(HttpHeaderNames.SET_COOKIE, ConsoleReplies.cookie("", tls, true));
      return reply(response);
    }
    return reply(routes.route(session.get(), post, path, new QueryStringDecoder(request.uri()).parameters(), form));
  }

  private Reply signIn(FullHttpRequest request, String address) throws StateStoreException {
    Map<String, List<String>> form = form(request);
    String name = first(form, "user");
    List<String> typed = form.getOrDefault("password", List.of());
    char[] password = (typed.isEmpty() ? "" : typed.get(0)).toCharArray(); // as typed: spaces count
    ConsoleLogin.Outcome outcome;
    try {
      outcome = login.attempt(name, password, address);
    } finally {
      Arrays.fill(password, '\0');
    }
    if (outcome.admin().isEmpty()) {
      String why = outcome.banned() ? "address " + address + " is banned after too many failed logins; try again later"
          : "wrong user name or password, or not an administrator";
      return new Reply(ConsoleReplies.html(outcome.banned() ? HttpResponseStatus.FORBIDDEN
          : HttpResponseStatus.UNAUTHORIZED, ConsolePages.login(why)), true);
    }
    // A new id at every sign-in: a cookie planted before it is worth nothing after.
    ConsoleSession session = sessions.create(outcome.admin().get().name());
    FullHttpResponse response = ConsoleReplies.redirect("/console/");
    response.headers().add(HttpHeaderNames.SET_COOKIE, ConsoleReplies.cookie(session.id(), tls, false));
    return reply(response);
  }

  private static boolean csrfPresent(ConsoleSession session, FullHttpRequest request, Map<String, List<String>> form) {
    String token = request.headers().get(CSRF_HEADER);
    return ConsoleSessions.csrfMatches(session, token != null ? token : first(form, CSRF_FIELD));
  }

  /** No Origin (an older browser, a script) passes: the CSRF token is the check; a browser's must be this host. */
  private static boolean sameOrigin(FullHttpRequest request) {
    String origin = request.headers().get(HttpHeaderNames.ORIGIN);
    String host = request.headers().get(HttpHeaderNames.HOST);
    if (origin == null) {
      return true;
    }
    return host != null && (origin.equals("http://" + host) || origin.equals("https://" + host));
  }

  private static String sessionId(FullHttpRequest request) {
    String header = request.headers().get(HttpHeaderNames.COOKIE);
    if (header == null) {
      return null;
    }
    for (Cookie cookie : ServerCookieDecoder.STRICT.decode(header)) {
      if (cookie.name().equals(COOKIE)) {
        return cookie.value();
      }
    }
    return null;
  }

  /** An application/x-www-form-urlencoded body. */
  private static Map<String, List<String>> form(FullHttpRequest request) {
    return new QueryStringDecoder(request.content().toString(StandardCharsets.UTF_8), StandardCharsets.UTF_8, false)
        .parameters();
  }

  static String first(Map<String, List<String>> values, String name) {
    List<String> all = values.get(name);
    return all == null || all.isEmpty() ? "" : all.get(0).strip();
  }

  private static Reply reply(FullHttpResponse response) {
    return new Reply(response, false);
  }

  /**
   * Runs one admin command as the signed-in user, through the registry every surface uses; the
   * answer's data is of the command's result type.
   */
  static <T> AdminResponse<T> run(AdminCommandRegistry commands, ConsoleSession session,
      Class<? extends AdminCommand<T>> command, List<String> words) {
    return commands.execute(new AdminCaller(session.user(), true, "console"), command, words);
  }
}
