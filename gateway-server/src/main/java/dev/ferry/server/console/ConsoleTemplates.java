package dev.ferry.server.console;

import gg.jte.ContentType;
import gg.jte.TemplateEngine;
import gg.jte.output.StringOutput;
import java.util.Map;

/**
 * Renders the console's jte templates (src/main/jte), compiled into this package at build time:
 * nothing is compiled at runtime, and every {@code ${value}} is escaped for where it lands (element
 * text or attribute), so a name holding {@code <script>} is shown, never run. No template writes
 * {@code $unsafe}: a value reaches a page only through that escaping.
 */
final class ConsoleTemplates {

  private static final TemplateEngine ENGINE = TemplateEngine.createPrecompiled(null, ContentType.Html,
      ConsoleTemplates.class.getClassLoader(), ConsoleTemplates.class.getPackageName());

  private ConsoleTemplates() {}

  /** {@code template}: its file name without ".jte"; {@code params}: its {@code @param}s by name. */
  static String render(String template, Map<String, Object> params) {
    StringOutput out = new StringOutput(8192);
    ENGINE.render(template + ".jte", params, out);
    return out.toString();
  }
}
