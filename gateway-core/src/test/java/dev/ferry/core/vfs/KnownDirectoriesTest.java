package dev.ferry.core.vfs;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.path.VirtualPath;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class KnownDirectoriesTest {

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
  private final KnownDirectories known = new KnownDirectories(clock);

  @Test
  void seen_holdsForFreshFor_thenAsksAgain() throws Exception {
    VirtualPath dir = VirtualPath.parse("/in/tiny");
    assertFalse(known.seenRecently(dir));
    known.seen(dir);
    now = now.plus(KnownDirectories.FRESH_FOR);
    assertTrue(known.seenRecently(dir));
    now = now.plus(Duration.ofMillis(1));
    assertFalse(known.seenRecently(dir), "stale after FRESH_FOR");
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
}
