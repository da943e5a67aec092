package dev.ferry.core.vfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.ferry.core.s3.ListPage;
import dev.ferry.core.s3.ObjectInfo;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** One page of a listing of the prefix "home/x", split at "/", in S3's order. */
class NameProbeTest {

  @Test
  void read_theObjectItself_isAFileWithItsListedSizeAndEtag() {
    NameProbe.Found found = NameProbe.read(page(List.of("home/x", "home/x-1", "home/x.txt"), List.of("home/x/")), "home/x");
    assertEquals(NameProbe.Kind.FILE, found.kind());
    assertEquals("home/x", found.file().orElseThrow().key());
    assertEquals(7, found.file().orElseThrow().size());
  }

  @Test
  void read_theCommonPrefixWithASlash_isADirectory_afterNamesThatSortBeforeIt() {
    assertEquals(NameProbe.Kind.DIRECTORY,
        NameProbe.read(page(List.of("home/x-1", "home/x.txt"), List.of("home/x/", "home/xy/")), "home/x").kind());
  }

  @Test
  void read_onlyNamesAfterTheSlash_isMissing() {
    assertEquals(NameProbe.Kind.MISSING, NameProbe.read(page(List.of("home/x0", "home/xyz"), List.of("home/xa/")), "home/x").kind());
    assertEquals(NameProbe.Kind.MISSING, NameProbe.read(page(List.of(), List.of("home/xa/")), "home/x").kind());
  }

  @Test
  void read_onlyNamesBeforeTheSlash_needsTheNextPage() {
    assertNull(NameProbe.read(page(List.of("home/x 1", "home/x-1", "home/x.bak"), List.of("home/x+/")), "home/x"));
  }

  @Test
  void read_aLongerNameEndingInASlash_isNotTheDirectory() {
    assertEquals(NameProbe.Kind.MISSING, NameProbe.read(page(List.of(), List.of("home/xy/")), "home/x").kind());
  }

  private static ListPage page(List<String> keys, List<String> prefixes) {
    return new ListPage(keys.stream().map(k -> new ObjectInfo(k, 7, Instant.EPOCH, "\"e\"", Map.of())).toList(),
        prefixes, "more");
  }
}
