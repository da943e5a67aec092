package dev.ferry.core.path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class VirtualPathTest {

  private static VirtualPath path(String absolute) throws BadPathException {
    return VirtualPath.parse(absolute);
  }

  private static BadPathException refused(VirtualPath cwd, String input) {
    return assertThrows(BadPathException.class, () -> VirtualPath.parse(cwd, input));
  }

  // --- resolution -------------------------------------------------------------------------------

  @Test
  void parse_relativeInput_resolvesAgainstCwd() throws Exception {
    VirtualPath cwd = path("/reports/2024");

    assertEquals("/reports/2024/q1.csv", VirtualPath.parse(cwd, "q1.csv").toString());
    assertEquals("/reports/2024/jan/a.txt", VirtualPath.parse(cwd, "jan/a.txt").toString());
  }

  @Test
  void parse_absoluteInput_ignoresCwd() throws Exception {
    VirtualPath cwd = path("/reports/2024");

    assertEquals("/inbox/x.bin", VirtualPath.parse(cwd, "/inbox/x.bin").toString());
  }

  @Test
  void parse_emptyInput_isCwd() throws Exception {
    VirtualPath cwd = path("/a/b");

    assertEquals(cwd, VirtualPath.parse(cwd, ""));
  }

  @Test
  void parse_slash_isHomeRoot() throws Exception {
    VirtualPath root = VirtualPath.parse(path("/a/b"), "/");

    assertTrue(root.isRoot());
    assertEquals(VirtualPath.ROOT, root);
    assertEquals("/", root.toString());
  }

  @Test
  void parse_dotsAndRepeatedSlashes_normalize() throws Exception {
    assertEquals("/a/b/c", path("//a/./b///c/").toString());
    assertEquals(List.of("a", "b", "c"), path("/a/./b//c/.").segments());
  }

  @Test
  void parse_nullInput_throws() {
    refused(VirtualPath.ROOT, null);
  }

  // --- dot-dot ----------------------------------------------------------------------------------

  @Test
  void parse_dotDotWithinHome_climbs() throws Exception {
    VirtualPath cwd = path("/a/b/c");

    assertEquals("/a/b", VirtualPath.parse(cwd, "..").toString());
    assertEquals("/a/x", VirtualPath.parse(cwd, "../../x").toString());
    assertEquals("/", VirtualPath.parse(cwd, "../../..").toString());
    assertEquals("/a/y", VirtualPath.parse(cwd, "/a/b/../y").toString());
  }

  @Test
  void parse_dotDotAtTheHome_staysAtTheHome() throws Exception {
    // As OpenSSH's chroot and vsftpd: clients that walk up to the root or normalise paths.
    for (String input : List.of("..", "/..", "../..", "/../.", "/a/../..", "../../")) {
      assertEquals(VirtualPath.ROOT, VirtualPath.parse(VirtualPath.ROOT, input), input);
    }
    assertEquals(VirtualPath.ROOT, VirtualPath.parse(path("/a/b"), "../../.."));
  }

  @Test
  void parse_dotDotAboveHomeThenAName_throwsNamingRule() throws Exception {
    BadPathException fromRoot = refused(VirtualPath.ROOT, "../x");
    assertTrue(fromRoot.getMessage().contains("above the home"), fromRoot.getMessage());
    assertEquals("../x", fromRoot.getFile());

    BadPathException fromCwd = refused(path("/a/b"), "../../../etc/passwd");
    assertTrue(fromCwd.getMessage().contains("above the home"), fromCwd.getMessage());
    assertEquals("../../../etc/passwd", fromCwd.getFile());

    BadPathException absolute = refused(path("/a/b"), "/a/../../secret");
    assertTrue(absolute.getMessage().contains("above the home"), absolute.getMessage());
  }

  @Test
  void parse_dotDotAboveHomeThenBackDown_stillThrows() throws Exception {
    // Must not be clamped to "/" and then descend: the client asked for something outside.
    refused(path("/a"), "../../a/x");
  }

  // --- refused characters -----------------------------------------------------------------------

  @Test
  void parse_nul_throwsNamingRule() {
    BadPathException e = refused(VirtualPath.ROOT, "/a\0.txt");

    assertTrue(e.getMessage().contains("NUL"), e.getMessage());
    assertFalse(e.getMessage().contains("\0"), "the NUL itself must not reach logs or replies");
  }

  @Test
  void parse_backslash_throwsNamingRule() {
    BadPathException e = refused(VirtualPath.ROOT, "a\\..\\..\\etc");

    assertTrue(e.getMessage().contains("backslash"), e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(strings = {"a\nb", "a\rb", "a\tb", "\u0001x", "x\u001f", "del\u007f"})
  void parse_controlCharacter_throwsNamingRule(String input) {
    BadPathException e = refused(VirtualPath.ROOT, input);

    assertTrue(e.getMessage().contains("control character"), e.getMessage());
  }

  /** What MINA makes of "coll\\xff.txt" and "coll\\xfe.txt" alike: refused, or both would be one key. */
  @Test
  void parse_replacementCharacter_throwsNamingRule() {
    BadPathException e = refused(VirtualPath.ROOT, "dir/coll\uFFFD.txt");

    assertTrue(e.getMessage().contains("U+FFFD"), e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(strings = {"a\uD800b", "a\uDC00b", "end\uD83D", "\uDE00start", "\uDE00\uD83D"})
  void parse_loneSurrogate_throwsNamingRule(String input) {
    BadPathException e = refused(VirtualPath.ROOT, input);

    assertTrue(e.getMessage().contains("not valid Unicode"), e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(strings = {"%2e%2e", "%2E%2E", ".%2e", "%2e.", "%2e", "a/%2e%2e/b", "x%2Fy", "x%2fy",
      "%2F", "x%5Cy", "x%00y"})
  void parse_percentEncodedDotSlashOrNul_throwsNamingRule(String input) throws Exception {
    BadPathException e = refused(path("/home/dir"), input);

    assertTrue(e.getMessage().contains("encoded dot, slash or NUL"), e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(strings = {"100%", "50% off.txt", "%zz", "a%20b", "%252e%252e", "c++.txt", "a+%2b"})
  void parse_percentThatIsNotTraversal_isKeptLiterally(String name) throws Exception {
    VirtualPath p = VirtualPath.parse(VirtualPath.ROOT, name);

    assertEquals(List.of(name), p.segments());
  }

  // --- length limits ----------------------------------------------------------------------------

  @Test
  void parse_name255Bytes_accepted() throws Exception {
    String name = "n".repeat(VirtualPath.MAX_NAME_BYTES);

    assertEquals(name, path("/" + name).name());
  }

  @Test
  void parse_nameOver255Bytes_throwsNamingRule() {
    BadPathException e = refused(VirtualPath.ROOT, "/dir/" + "n".repeat(256));

    assertTrue(e.getMessage().contains("name is longer than 255 bytes"), e.getMessage());
  }

  @Test
  void parse_multiByteNameOver255Bytes_throws() {
    // 128 characters, but 256 bytes in UTF-8: the limit is on bytes, as S3 counts them.
    refused(VirtualPath.ROOT, "é".repeat(128));
  }

  @Test
  void parse_path900Bytes_accepted() throws Exception {
    String input = pathOfBytes(VirtualPath.MAX_PATH_BYTES);

    assertEquals(input, path(input).toString());
  }

  @Test
  void parse_pathOver900Bytes_throwsNamingRule() {
    BadPathException e = refused(VirtualPath.ROOT, pathOfBytes(VirtualPath.MAX_PATH_BYTES + 1));

    assertTrue(e.getMessage().contains("path is longer than 900 bytes"), e.getMessage());
  }

  @Test
  void parse_longRelativeInputUnderDeepCwd_throws() throws Exception {
    VirtualPath cwd = path(pathOfBytes(800));

    refused(cwd, "x".repeat(200));
  }

  /** "/aaa…/aaa…/…" of exactly {@code bytes} bytes (at least 2), names of 100 to 200 bytes. */
  private static String pathOfBytes(int bytes) {
    StringBuilder sb = new StringBuilder();
    while (bytes - sb.length() > 201) {
      sb.append('/').append("a".repeat(100));
    }
    int last = bytes - sb.length() - 1;
    sb.append('/').append("a".repeat(last));
    assertEquals(bytes, sb.length());
    return sb.toString();
  }

  // --- accepted names ---------------------------------------------------------------------------

  @Test
  void parse_unicodeAndSpaces_accepted() throws Exception {
    VirtualPath p = path("/Relatórios 2024/日本語 ファイル/emoji 😀.txt");

    assertEquals(List.of("Relatórios 2024", "日本語 ファイル", "emoji 😀.txt"), p.segments());
    assertEquals("emoji 😀.txt", p.name());
  }

  @Test
  void parse_leadingAndTrailingSpacesInName_kept() throws Exception {
    assertEquals(List.of(" a ", "b "), path("/ a /b ").segments());
  }

  @Test
  void parse_threeDotsName_isAName() throws Exception {
    assertEquals("/a/...", VirtualPath.parse(path("/a"), "...").toString());
  }

  // --- navigation -------------------------------------------------------------------------------

  @Test
  void parent_ofNestedPath_dropsLastSegment() throws Exception {
    assertEquals(path("/a/b"), path("/a/b/c").parent());
    assertEquals(VirtualPath.ROOT, path("/a").parent());
  }

  @Test
  void parent_ofRoot_isRoot() {
    assertSame(VirtualPath.ROOT, VirtualPath.ROOT.parent());
    assertEquals("/", VirtualPath.ROOT.name());
  }

  @Test
  void child_appendsName() throws Exception {
    VirtualPath dir = path("/a/b");

    VirtualPath child = dir.child("c d.txt");

    assertEquals("/a/b/c d.txt", child.toString());
    assertEquals("c d.txt", child.name());
    assertEquals(dir, child.parent());
    assertEquals("/a/b", dir.toString(), "the parent itself is unchanged");
    assertEquals("/x", VirtualPath.ROOT.child("x").toString());
  }

  @Test
  void startsWith_comparesWholeSegments() throws Exception {
    VirtualPath file = path("/docs/2024/a.txt");

    assertTrue(file.startsWith(path("/docs")));
    assertTrue(file.startsWith(path("/docs/2024")));
    assertTrue(file.startsWith(file));
    assertTrue(file.startsWith(VirtualPath.ROOT));
    assertFalse(file.startsWith(path("/doc")), "a name prefix is not a path prefix");
    assertFalse(file.startsWith(path("/docs/2024/a.txt/more")));
    assertFalse(path("/docs").startsWith(file));
  }

  @Test
  void rebase_movesSubtree() throws Exception {
    VirtualPath file = path("/old/dir/sub/a.txt");

    assertEquals(path("/new/place/sub/a.txt"), file.rebase(path("/old/dir"), path("/new/place")));
    assertEquals(path("/sub/a.txt"), file.rebase(path("/old/dir"), VirtualPath.ROOT));
    assertEquals(path("/new"), path("/old/dir").rebase(path("/old/dir"), path("/new")));
  }

  @Test
  void relativeAndToString_ofPaths() throws Exception {
    VirtualPath p = path("/a/b c/d");

    assertEquals("a/b c/d", p.relative());
    assertEquals("/a/b c/d", p.toString());
    assertEquals("", VirtualPath.ROOT.relative());
    assertEquals("/", VirtualPath.ROOT.toString());
  }

  @Test
  void equals_samePathParsedDifferently_isEqual() throws Exception {
    VirtualPath a = path("/x/y");
    VirtualPath b = VirtualPath.parse(path("/x/z"), "../y/.");

    assertEquals(a, b);
    assertEquals(a.hashCode(), b.hashCode());
    assertEquals(0, a.compareTo(b));
    assertNotEquals(a, path("/x/Y"));
  }

  @Test
  void segments_cannotBeModified() throws Exception {
    VirtualPath p = path("/a/b");

    assertThrows(UnsupportedOperationException.class, () -> p.segments().add("c"));
    assertEquals("/a/b", p.toString());
  }
}
