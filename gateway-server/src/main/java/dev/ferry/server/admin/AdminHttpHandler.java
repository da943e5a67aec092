package dev.ferry.server.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.core.admin.AdminCaller;
import dev.ferry.core.admin.AdminConsole;
import dev.ferry.core.admin.AdminResponse;
import dev.ferry.core.admin.AdminStatus;
import dev.ferry.core.session.ClientText;
import dev.ferry.core.session.SessionRefusedException;
import dev.ferry.core.user.LoginGuard;
import dev.ferry.jobs.admin.AdminToken;
import dev.ferry.jobs.admin.AdminTokens;
import dev.ferry.server.console.Console;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes: {@code GET /health} (no token), the users of the versioned REST API under
 * {@code /api/v1/users} ({@link UsersApi}), jobs, transfers, syncs and sessions under {@code /api/v1}
 * ({@link CommandResources}), its OpenAPI document ({@code /api/v1/openapi.json}), and every admin command as {@code /api/<command>}: POST
 * with a JSON body {@code {"args": ["word", "--option", "value"]}}, or GET with repeated
 * {@code ?arg=} parameters. Everything but /health needs {@code Authorization: Bearer <token>} with
 * one of the configured tokens; a read-only one runs only the commands that change nothing.
 * Answers are the console's JSON with the HTTP status its {@code AdminStatus} maps to. {@code /} and
 * {@code /console/...} are the console in the browser ({@link Console}), signed in by password and
 * cookie instead of the token.
 */
final class AdminHttpHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String BEARER = "Bearer ";
  private static final String OPENAPI_PATH = "/api/v1/openapi.json";
  /** The OpenAPI 3 document of every route here; OpenApiIT checks the server against it. */
  private static final String OPENAPI = openApi();

  private static final Logger log = LoggerFactory.getLogger(AdminHttpHandler.class);

  private final AdminConsole console;
  private final AdminTokens tokens;
  private final Executor commands;
  private final LoginGuard guard;
  private final Console browser;
  private final UsersApi usersApi;
  private final CommandResources resources;

  AdminHttpHandler(AdminConsole console, AdminTokens tokens, Executor commands, LoginGuard guard, Console browser,
      UsersApi usersApi) {
    this.usersApi = usersApi;
    this.resources = new CommandResources(console);
    this.console = console;
    this.tokens = tokens;
    this.commands = commands;
    this.guard = guard;
    this.browser = browser;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
    boolean keepAlive = HttpUtil.isKeepAlive(request);
    if (new QueryStringDecoder(request.uri()).path().equals("/health") && request.method().equals(HttpMethod.GET)) {
      send(ctx, HttpResponseStatus.OK, "{\"ok\":true,\"status\":\"up\"}", keepAlive);
      return;
    }
    // Everything else asks the state store (bans, failed logins) or runs a command: off the event
    // loop, which serves every connection. The request is kept until that work is done.
    request.retain();
    try {
      commands.execute(() -> {
        try {
          handle(ctx, request, keepAlive);
        } finally {
          request.release();
        }
      });
    } catch (RejectedExecutionException e) {
      request.release();
      send(ctx, HttpResponseStatus.SERVICE_UNAVAILABLE, error(AdminStatus.FAILED, "shutting down"), false);
    }
  }

  private void handle(ChannelHandlerContext ctx, FullHttpRequest request, boolean keepAlive) {
    QueryStringDecoder uri = new QueryStringDecoder(request.uri());
    String path = uri.path();
    String address = AdminProxyHeader.clientOf(ctx.channel());
    if (guard.isBanned(address)) {
      send(ctx, HttpResponseStatus.FORBIDDEN, error(AdminStatus.REFUSED, "address " + address
          + " is banned after too many failed logins; try again later"), false);
      return;
    }
    if (Console.owns(path)) {
      Console.Reply reply = browser.handle(request, address, user -> AdminConnectionSlot.loggedIn(ctx, user));
      if (reply.afterFailureDelay()) {
        ctx.executor().schedule(() -> write(ctx, reply.response(), keepAlive), guard.failureDelay().toMillis(),
            TimeUnit.MILLISECONDS);
      } else {
        write(ctx, reply.response(), keepAlive);
      }
      return;
    }
    Optional<AdminToken> token = bearer(request);
    if (token.isEmpty()) {
      FullHttpResponse response = json(HttpResponseStatus.UNAUTHORIZED,
          "{\"ok\":false,\"status\":\"UNAUTHORIZED\",\"error\":\"missing or wrong bearer token\"}");
      response.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer");
      if (!request.headers().contains(HttpHeaderNames.AUTHORIZATION)) {
        write(ctx, response, keepAlive);
        return;
      }
      // A wrong token is a guess: counted with failed logins (a ban holds for every protocol and
      // node), logged, and answered after the same delay.
      boolean banned = guard.failed(address);
      log.warn("admin HTTP: wrong bearer token from {} for {} {}{}", address, request.method(),
          ClientText.forLog(path), banned ? "; address banned for a while" : "");
      ctx.executor().schedule(() -> write(ctx, response, keepAlive), guard.failureDelay().toMillis(),
          TimeUnit.MILLISECONDS);
      return;
    }
    SessionRefusedException refused = AdminConnectionSlot.loggedIn(ctx, AdminConnectionSlot.TOKEN_USER);
    if (refused != null) {
      log.info("admin HTTP request from {} refused: {}", address, refused.getMessage());
      send(ctx, HttpResponseStatus.SERVICE_UNAVAILABLE, error(AdminStatus.FAILED, refused.clientMessage()), false);
      return;
    }
    // The audit line names the token by its configured name, never by its value.
    AdminCaller caller = new AdminCaller("token:" + token.get().name(), token.get().role(), "http");
    String rawPath = request.uri().contains("?") ? request.uri().substring(0, request.uri().indexOf('?')) : request.uri();
    if (rawPath.equals(OPENAPI_PATH) && request.method().equals(HttpMethod.GET)) {
      send(ctx, HttpResponseStatus.OK, OPENAPI, keepAlive);
      return;
    }
    if (CommandResources.owns(rawPath)) {
      write(ctx, reply(resources.handle(request.method(), rawPath, uri.parameters(),
          request.content().toString(StandardCharsets.UTF_8), caller)), keepAlive);
      return;
    }
    if (UsersApi.owns(rawPath)) {
      UsersApi.Reply reply = usersApi.handle(request.method(), rawPath, request.content().toString(StandardCharsets.UTF_8),
          request.headers().get(HttpHeaderNames.IF_MATCH), caller);
      write(ctx, reply(reply), keepAlive);
      return;
    }
    if (!path.startsWith("/api/") || path.length() == 5 || path.indexOf('/', 5) >= 0) {
      send(ctx, HttpResponseStatus.NOT_FOUND, error(AdminStatus.NOT_FOUND, "no such endpoint " + path
          + " (GET /health, GET or POST /api/<command>)"), keepAlive);
      return;
    }
    if (!request.method().equals(HttpMethod.GET) && !request.method().equals(HttpMethod.POST)) {
      send(ctx, HttpResponseStatus.METHOD_NOT_ALLOWED, error(AdminStatus.BAD_REQUEST, "use GET or POST"), keepAlive);
      return;
    }
    String command = path.substring(5);
    List<String> args;
    try {
      args = request.method().equals(HttpMethod.POST) ? bodyArgs(request)
          : uri.parameters().getOrDefault("arg", List.of());
    } catch (IllegalArgumentException e) {
      send(ctx, HttpResponseStatus.BAD_REQUEST, error(AdminStatus.BAD_REQUEST, e.getMessage()), keepAlive);
      return;
    }
    AdminResponse<?> response = console.execute(caller, command, args);
    send(ctx, HttpResponseStatus.valueOf(response.status().httpStatus()), response.json(), keepAlive);
  }

  private static String openApi() {
    try (java.io.InputStream in = AdminHttpHandler.class.getResourceAsStream("openapi.json")) {
      if (in == null) {
        throw new IllegalStateException("openapi.json is missing from the jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("reading openapi.json", e);
    }
  }

  /** The configured token the request's {@code Authorization: Bearer} header carries, compared in constant time. */
  private Optional<AdminToken> bearer(FullHttpRequest request) {
    String header = request.headers().get(HttpHeaderNames.AUTHORIZATION);
    if (header == null || !header.startsWith(BEARER)) {
      return Optional.empty();
    }
    return tokens.match(header.substring(BEARER.length()));
  }

  private static List<String> bodyArgs(FullHttpRequest request) {
    String body = request.content().toString(StandardCharsets.UTF_8);
    if (body.isBlank()) {
      return List.of();
    }
    JsonNode root;
    try {
      root = JSON.readTree(body);
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException("body is not JSON: " + e.getMessage());
    }
    JsonNode args = root == null ? null : root.get("args");
    if (args == null) {
      return List.of();
    }
    if (!args.isArray()) {
      throw new IllegalArgumentException("\"args\" must be an array of strings");
    }
    List<String> words = new ArrayList<>();
    for (JsonNode arg : args) {
      if (!arg.isTextual() && !arg.isNumber()) {
        throw new IllegalArgumentException("\"args\" must be an array of strings");
      }
      words.add(arg.asText());
    }
    return words;
  }

  private static String error(AdminStatus status, String message) {
    return AdminResponse.error(status, message).json();
  }

  private static FullHttpResponse reply(UsersApi.Reply reply) {
    HttpResponseStatus status = HttpResponseStatus.valueOf(reply.status());
    FullHttpResponse response = reply.body() == null
        ? new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.EMPTY_BUFFER)
        : json(status, reply.body());
    if (reply.body() == null) {
      response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
    }
    if (reply.etag() != null) {
      response.headers().set(HttpHeaderNames.ETAG, reply.etag());
    }
    if (reply.location() != null) {
      response.headers().set(HttpHeaderNames.LOCATION, reply.location());
    }
    return response;
  }

  private static FullHttpResponse json(HttpResponseStatus status, String body) {
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
        Unpooled.copiedBuffer(body + "\n", StandardCharsets.UTF_8));
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
    response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
    return response;
  }

  private static void send(ChannelHandlerContext ctx, HttpResponseStatus status, String body, boolean keepAlive) {
    write(ctx, json(status, body), keepAlive);
  }

  private static void write(ChannelHandlerContext ctx, FullHttpResponse response, boolean keepAlive) {
    if (keepAlive) {
      response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
      ctx.writeAndFlush(response);
    } else {
      ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close();
  }
}
