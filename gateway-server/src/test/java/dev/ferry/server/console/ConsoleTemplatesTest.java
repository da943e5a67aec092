package dev.ferry.server.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ConsoleTemplatesTest {

  private static final String HOSTILE = "<script>alert(\"x\")</script> & 'y'";

  @Test
  void render_markupAndQuotesInText_escaped() {
    assertEquals("<p class=\"notice error\" id=\"notice\">&lt;script&gt;alert(\"x\")&lt;/script&gt; &amp; 'y'</p>",
        ConsolePages.notice("error", HOSTILE).strip());
  }

  @Test
  void render_markupAndQuotesInAttribute_escaped() {
    String field = ConsolePages.s3Field("source", "s3://b/\"><img src=x onerror=alert(1)>");
    // In a quoted attribute the quote ends it: escaped; "<" too; ">" is harmless there (jte leaves it).
    assertTrue(field.contains("value=\"s3://b/&#34;>&lt;img src=x onerror=alert(1)>\">"), field);
  }

  @Test
  void encode_segmentWithSlashesAndQuotes_percentEncoded() {
    assertEquals("a%2Fb%22%3Cc", Urls.encode("a/b\"<c"));
  }

  @Test
  void render_layoutWithoutSession_hasNoNavigation() {
    String page = ConsoleTemplates.render("login", Map.of("error", ""));
    assertTrue(page.startsWith("<!doctype html>") && !page.contains("<nav>"), page);
  }
}
