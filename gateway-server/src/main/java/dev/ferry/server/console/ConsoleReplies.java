package dev.ferry.server.console;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;

/**
 * The console's HTTP answers. Pages are never cached and may load scripts and styles only from the
 * console itself (no inline script or style, no framing), so text that slipped past escaping would
 * still not run.
 */
final class ConsoleReplies {

  static final String SECURITY_POLICY = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
      + "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

  private ConsoleReplies() {}

  static FullHttpResponse html(HttpResponseStatus status, String html) {
    return bytes(status, html.getBytes(StandardCharsets.UTF_8), "text/html; charset=utf-8", "no-store");
  }

  static FullHttpResponse bytes(HttpResponseStatus status, byte[] body, String contentType, String caching) {
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
    HttpHeaders headers = response.headers();
    headers.set(HttpHeaderNames.CONTENT_TYPE, contentType);
    headers.setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
    headers.set(HttpHeaderNames.CACHE_CONTROL, caching);
    headers.set(HttpHeaderNames.CONTENT_SECURITY_POLICY, SECURITY_POLICY);
    headers.set(HttpHeaderNames.X_FRAME_OPTIONS, "DENY");
    headers.set("X-Content-Type-Options", "nosniff");
    // same-origin, not no-referrer: with no-referrer a browser sends "Origin: null" on its own forms.
    headers.set("Referrer-Policy", "same-origin");
    return response;
  }

  /** 303 See Other: after a form, the browser GETs {@code location} (a reload does not post again). */
  static FullHttpResponse redirect(String location) {
    FullHttpResponse response = bytes(HttpResponseStatus.SEE_OTHER, new byte[0], "text/plain", "no-store");
    response.headers().set(HttpHeaderNames.LOCATION, location);
    return response;
  }

  /** The session cookie: HttpOnly, SameSite=Strict, only under /console, Secure when the port speaks TLS. */
  static String cookie(String value, boolean tls, boolean expire) {
    return Console.COOKIE + "=" + value + "; Path=/console; HttpOnly; SameSite=Strict" + (tls ? "; Secure" : "")
        + (expire ? "; Max-Age=0" : "");
  }
}
