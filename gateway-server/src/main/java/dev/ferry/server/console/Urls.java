package dev.ferry.server.console;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * A value as one segment or query value of a console link. Only percent-encoding: the template the
 * link goes into escapes it for its attribute, as it escapes everything else.
 */
final class Urls {

  private Urls() {}

  static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }
}
