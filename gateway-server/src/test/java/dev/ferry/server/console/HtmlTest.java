package dev.ferry.server.console;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class HtmlTest {

  @Test
  void text_markupAndQuotes_escaped() {
    assertEquals("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;",
        Html.text("<script>alert(\"x\")</script> & 'y'"));
  }

  @Test
  void url_segmentWithSlashesAndQuotes_encodedThenEscaped() {
    assertEquals("a%2Fb%22%3Cc", Html.url("a/b\"<c"));
  }
}
