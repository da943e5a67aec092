package dev.ferry.core.vfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.path.VirtualPath;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class KnownDirectoriesTest {

  private static final Duration FRESH_FOR = Duration.ofSeconds(5);

  private Instant now = Instant.parse("2026-11-23T08:00:00Z");
  private final Clock clock = new Clock() {
    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  };
  private final KnownDirectories known = new KnownDirectories(clock, FRESH_FOR);

  @Test
  void seen_holdsForFreshFor_thenAsksAgain() throws Exception {
    VirtualPath dir = VirtualPath.parse("/in/tiny");
    assertFalse(known.seenRecently(dir));
    known.seen(dir);
    now = now.plus(FRESH_FOR);
    assertTrue(known.seenRecently(dir));
    now = now.plus(Duration.ofMillis(1));
    assertFalse(known.seenRecently(dir), "stale after FRESH_FOR");
  }

  @Test
  void aZeroWindow_keepsNothing() throws Exception {
    KnownDirectories none = new KnownDirectories(clock, Duration.ZERO);
    VirtualPath dir = VirtualPath.parse("/in/tiny");
    none.created(dir);
    assertFalse(none.seenRecently(dir));
    assertEquals(Optional.empty(), none.isDirectory(VirtualPath.parse("/in/tiny/x")));
  }

  @Test
  void forget_dropsThePathAndEverythingBelow_notItsSiblings() throws Exception {
    known.seen(VirtualPath.parse("/a"));
    known.seen(VirtualPath.parse("/a/b"));
    known.seen(VirtualPath.parse("/ab"));
    known.forget(VirtualPath.parse("/a"));
    assertFalse(known.seenRecently(VirtualPath.parse("/a")));
    assertFalse(known.seenRecently(VirtualPath.parse("/a/b")));
    assertTrue(known.seenRecently(VirtualPath.parse("/ab")));
  }

  @Test
  void created_isKnownWithoutSubdirectories_andItsParentGainsIt() throws Exception {
    VirtualPath parent = VirtualPath.parse("/in");
    known.listed(parent, Set.of("old"), now, known.mark());
    known.created(VirtualPath.parse("/in/new"));
    assertEquals(Optional.of(false), known.isDirectory(VirtualPath.parse("/in/new/file.bin")));
    assertEquals(Optional.of(true), known.isDirectory(VirtualPath.parse("/in/new")));
    assertEquals(Optional.of(true), known.isDirectory(VirtualPath.parse("/in/old")));
    assertEquals(Optional.of(false), known.isDirectory(VirtualPath.parse("/in/file.bin")));
    assertEquals(Optional.empty(), known.isDirectory(VirtualPath.parse("/elsewhere/file.bin")), "never listed");
  }

  @Test
  void subdirectories_holdForFreshFor_thenAreAskedAgain() throws Exception {
    known.listed(VirtualPath.parse("/in"), Set.of(), now, known.mark());
    now = now.plus(FRESH_FOR);
    assertEquals(Optional.of(false), known.isDirectory(VirtualPath.parse("/in/x")));
    now = now.plus(Duration.ofMillis(1));
    assertEquals(Optional.empty(), known.isDirectory(VirtualPath.parse("/in/x")));
  }

  @Test
  void listing_begunBeforeAChangeOfThisSession_isNotKept() throws Exception {
    long mark = known.mark();
    known.created(VirtualPath.parse("/in/made-meanwhile"));
    known.listed(VirtualPath.parse("/in"), Set.of(), now, mark); // began before the mkdir: would miss it
    assertEquals(Optional.empty(), known.isDirectory(VirtualPath.parse("/in/made-meanwhile")));
  }

  @Test
  void forget_dropsWhatTheParentHeld() throws Exception {
    known.listed(VirtualPath.parse("/in"), Set.of("gone"), now, known.mark());
    known.forget(VirtualPath.parse("/in/gone")); // this session's rmdir or rename
    assertEquals(Optional.empty(), known.isDirectory(VirtualPath.parse("/in/gone")), "asked of S3 again");
  }
}
