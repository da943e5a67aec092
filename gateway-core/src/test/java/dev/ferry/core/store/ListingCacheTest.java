package dev.ferry.core.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.s3.ListPage;
import dev.ferry.core.s3.ObjectInfo;
import dev.ferry.core.s3.S3Location;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class ListingCacheTest {

  private static final Duration FRESH_FOR = Duration.ofSeconds(5);

  private Instant now = Instant.parse("2026-11-25T18:00:00Z");
  private final Clock clock = new Clock() {
    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  };
  private final ListingCache cache = new ListingCache(clock, FRESH_FOR);

  private static S3Location at(String key) {
    return new S3Location("b", key);
  }

  private static ObjectInfo file(String key, long size) {
    return new ObjectInfo(key, size, Instant.parse("2026-11-25T17:00:00.250Z"), "\"e-" + key + "\"", Map.of());
  }

  /** Lists home/docs/ as S3 would: a marker, two files, one subfolder. */
  private void listDocs() {
    long mark = cache.mark();
    cache.listed(at("home/docs/"), List.of(new ListPage(
        List.of(file("home/docs/", 0), file("home/docs/a.txt", 3), file("home/docs/b.txt", 4)),
        List.of("home/docs/sub/"), null)), now, mark);
  }

  /** The other nodes, as this node's cache meets them: what it publishes, and the calls it listens with. */
  private static final class Feed implements ListingCache.ChangeFeed {
    final List<S3Location> published = new ArrayList<>();
    Consumer<S3Location> changed;
    Runnable lost;
    Runnable restored;

    @Override
    public void publish(S3Location key) {
      published.add(key);
    }

    @Override
    public void listen(Consumer<S3Location> changed, Runnable lost, Runnable restored) {
      this.changed = changed;
      this.lost = lost;
      this.restored = restored;
    }
  }

  private ListingCache.Name.Kind kindOf(String key) {
    return cache.lookup(at(key)).orElseThrow().kind();
  }

  @Test
  void aListedFolder_answersFilesFoldersAndMissingNames_untilItsTimeIsUp() {
    listDocs();
    assertEquals(3, cache.lookup(at("home/docs/a.txt")).orElseThrow().file().size());
    assertEquals(ListingCache.Name.Kind.FOLDER, kindOf("home/docs/sub"));
    assertEquals(ListingCache.Name.Kind.MISSING, kindOf("home/docs/c.txt"));
    assertTrue(cache.folderExists(at("home/docs/sub/")));
    assertTrue(cache.lookup(at("home/other/x")).isEmpty(), "a folder not listed is asked of S3");
    now = now.plus(FRESH_FOR);
    assertTrue(cache.lookup(at("home/docs/a.txt")).isPresent());
    now = now.plusMillis(1);
    assertTrue(cache.lookup(at("home/docs/a.txt")).isEmpty(), "stale after directoryCacheTime");
  }

  @Test
  void aWriteHere_isAFileWhoseFactsAreAskedAgain_andItsFoldersAboveExist() {
    listDocs();
    long mark = cache.mark();
    cache.listed(at("home/"), List.of(new ListPage(List.of(), List.of("home/docs/"), null)), now, mark);
    cache.written(at("home/docs/c.txt"), -1, null, null);
    ListingCache.Name c = cache.lookup(at("home/docs/c.txt")).orElseThrow();
    assertEquals(ListingCache.Name.Kind.FILE, c.kind());
    assertNull(c.file(), "its size and ETag come from S3");
    assertTrue(cache.page(at("home/docs/")).isEmpty(), "a listing with a file of unknown facts is asked of S3");

    cache.written(at("home/new/deep/d.txt"), -1, null, null);
    assertEquals(ListingCache.Name.Kind.FOLDER, kindOf("home/new"), "a write makes the folders above it");
  }

  @Test
  void aWriteWhoseAnswerSaidSizeAndEtagButNoTime_isKnownWithThem_butNotItsTime_untilAHeadSaysIt() {
    listDocs();
    cache.written(at("home/docs/c.txt"), 7, "\"e7\"", null);
    ListingCache.Name c = cache.lookup(at("home/docs/c.txt")).orElseThrow();
    assertEquals(7, c.file().size());
    assertEquals("\"e7\"", c.file().etag());
    assertFalse(c.exactTime(), "S3 said no time for the write");
    assertTrue(cache.page(at("home/docs/")).isEmpty(), "a listing would show this node's clock: asked of S3");

    long mark = cache.mark();
    Instant s3Time = now.minusMillis(300);
    cache.headed(at("home/docs/c.txt"), new ObjectInfo("home/docs/c.txt", 7, s3Time, "\"e7\"", Map.of()), mark);
    c = cache.lookup(at("home/docs/c.txt")).orElseThrow();
    assertTrue(c.exactTime());
    assertEquals(s3Time, c.file().lastModified());
    assertTrue(cache.page(at("home/docs/")).isPresent());
  }

  @Test
  void aWriteWhoseAnswerSaidItsTime_isKnownWhole_andItsFolderListsWithoutS3() {
    listDocs();
    Instant s3Time = now.minusSeconds(1);
    cache.written(at("home/docs/c.txt"), 7, "\"e7\"", s3Time);
    ListingCache.Name c = cache.lookup(at("home/docs/c.txt")).orElseThrow();
    assertTrue(c.exactTime());
    assertEquals(s3Time, c.file().lastModified());
    assertEquals(List.of("home/docs/a.txt", "home/docs/b.txt", "home/docs/c.txt"), cache.page(at("home/docs/")).orElseThrow()
        .objects().stream().map(ObjectInfo::key).filter(key -> key.endsWith(".txt")).toList());
  }

  @Test
  void aHeadBegunBeforeAWriteOfItsFolder_isNotKept() {
    listDocs();
    long mark = cache.mark();
    cache.written(at("home/docs/a.txt"), 9, "\"new\"", now);
    cache.headed(at("home/docs/a.txt"), new ObjectInfo("home/docs/a.txt", 3, now, "\"old\"", Map.of()), mark);
    assertEquals("\"new\"", cache.lookup(at("home/docs/a.txt")).orElseThrow().file().etag());
  }

  @Test
  void aDeleteHere_isGone_andAFolderWithoutMarkerEndsWithItsLastFile() {
    long mark = cache.mark();
    cache.listed(at("home/"), List.of(new ListPage(List.of(file("home/", 0)), List.of("home/tmp/"), null)), now, mark);
    mark = cache.mark();
    cache.listed(at("home/tmp/"), List.of(new ListPage(List.of(file("home/tmp/x", 1)), List.of(), null)), now, mark);
    cache.removed(at("home/tmp/x"));
    assertTrue(cache.lookup(at("home/tmp/x")).isEmpty(), "the folder went with its last file: asked of S3");
    assertEquals(ListingCache.Name.Kind.MISSING, kindOf("home/tmp"));
  }

  @Test
  void aFolderMadeHere_isEmpty_andItsParentHoldsIt() {
    listDocs();
    long mark = cache.mark();
    cache.written(at("home/docs/new/"), -1, null, null);
    cache.madeEmpty(at("home/docs/new/"), now, mark);
    assertEquals(ListingCache.Name.Kind.FOLDER, kindOf("home/docs/new"));
    assertEquals(ListingCache.Name.Kind.MISSING, kindOf("home/docs/new/anything"));
    ListPage page = cache.page(at("home/docs/new/")).orElseThrow();
    assertEquals(List.of("home/docs/new/"), page.objects().stream().map(ObjectInfo::key).toList(), "its marker only");

    cache.removed(at("home/docs/new/"));
    assertEquals(ListingCache.Name.Kind.MISSING, kindOf("home/docs/new"), "rmdir of the empty folder");
    assertTrue(cache.lookup(at("home/docs/new/anything")).isEmpty());
  }

  @Test
  void aFolderIsKnownEmpty_onlyWithItsMarkerAndNothingLeftThatItsListingShowed() {
    listDocs();
    assertFalse(cache.knownEmpty(at("home/docs/")), "two files and a subfolder");
    cache.removed(at("home/docs/a.txt"));
    cache.removed(at("home/docs/b.txt"));
    assertFalse(cache.knownEmpty(at("home/docs/")), "its subfolder is left");
    long listedSub = cache.mark();
    cache.listed(at("home/docs/sub/"), List.of(new ListPage(List.of(file("home/docs/sub/", 0)), List.of(), null)), now,
        listedSub);
    assertTrue(cache.knownEmpty(at("home/docs/sub/")));
    cache.removed(at("home/docs/sub/"));
    assertTrue(cache.knownEmpty(at("home/docs/")), "rm -rf: listed, then everything in it removed here");
    assertFalse(cache.knownEmpty(at("home/unseen/")), "a folder not seen is asked of S3");

    cache.written(at("home/docs/again.txt"), 2, "\"e\"", now);
    assertFalse(cache.knownEmpty(at("home/docs/")), "a file written into it here");
    cache.removed(at("home/docs/again.txt"));
    now = now.plus(FRESH_FOR).plusMillis(1);
    assertFalse(cache.knownEmpty(at("home/docs/")), "once the window ends, S3 is asked");

    long mark = cache.mark();
    cache.listed(at("home/plain/"), List.of(new ListPage(List.of(file("home/plain/x", 1)), List.of(), null)), now, mark);
    cache.removed(at("home/plain/x"));
    assertFalse(cache.knownEmpty(at("home/plain/")), "a folder without a marker ended with its last file");
  }

  @Test
  void aListingBegunBeforeAChangeOfItsFolder_isNotKept() {
    long mark = cache.mark();
    cache.written(at("home/docs/late.txt"), -1, null, null);
    cache.listed(at("home/docs/"), List.of(new ListPage(List.of(file("home/docs/a.txt", 3)), List.of(), null)),
        now, mark);
    assertTrue(cache.lookup(at("home/docs/late.txt")).isEmpty(), "it may have missed late.txt");

    mark = cache.mark();
    cache.written(at("home/elsewhere/z"), -1, null, null);
    listDocsWith(mark);
    assertTrue(cache.lookup(at("home/docs/a.txt")).isPresent(), "a change elsewhere does not matter");
  }

  @Test
  void aListingDuringThisNodesOwnWritesAndRemovals_isKeptWithThemReplayed() {
    cache.written(at("home/docs/gone.txt"), 1, "\"g\"", now);
    ListingCache.Listing listing = cache.begin(at("home/docs/"));
    // while S3 lists the folder, this node writes two files (one whose facts it does not know) and
    // removes one; S3's answer may or may not hold each of them
    cache.written(at("home/docs/new.txt"), 7, "\"n\"", now);
    cache.written(at("home/docs/unknown.txt"), -1, null, null);
    cache.removed(at("home/docs/gone.txt"));
    assertTrue(cache.listed(listing, List.of(new ListPage(
        List.of(file("home/docs/a.txt", 3), file("home/docs/gone.txt", 1)), List.of("home/docs/sub/"), null)), now));

    assertEquals(3, cache.lookup(at("home/docs/a.txt")).orElseThrow().file().size());
    assertEquals(7, cache.lookup(at("home/docs/new.txt")).orElseThrow().file().size());
    assertEquals(ListingCache.Name.Kind.FILE, kindOf("home/docs/unknown.txt"));
    assertNull(cache.lookup(at("home/docs/unknown.txt")).orElseThrow().file(), "its facts are asked of S3");
    assertEquals(ListingCache.Name.Kind.MISSING, kindOf("home/docs/gone.txt"));
    assertEquals(ListingCache.Name.Kind.FOLDER, kindOf("home/docs/sub"));
  }

  @Test
  void aListingDuringAWriteIntoANewSubfolder_holdsThatSubfolder() {
    ListingCache.Listing home = cache.begin(at("home/"));
    ListingCache.Listing top = cache.begin(at(""));
    cache.written(at("home/new/deep/f.txt"), 2, "\"f\"", now); // no folder marker: the file makes them
    assertTrue(cache.listed(home, List.of(new ListPage(List.of(file("home/a.txt", 3)), List.of(), null)), now));
    assertTrue(cache.listed(top, List.of(new ListPage(List.of(), List.of("home/"), null)), now));

    assertEquals(ListingCache.Name.Kind.FOLDER, kindOf("home/new"), "S3's listing began before the write");
    assertEquals(ListingCache.Name.Kind.FILE, kindOf("home/a.txt"));
    assertEquals(ListingCache.Name.Kind.FOLDER, kindOf("home"));
  }

  @Test
  void aListingDuringAnyOtherChangeOfItsFolder_isNotKept() {
    ListingCache.Listing folderMade = cache.begin(at("home/docs/"));
    cache.written(at("home/docs/new/"), -1, null, null);
    assertFalse(cache.listed(folderMade, List.of(new ListPage(List.of(file("home/docs/a.txt", 3)), List.of(), null)),
        now));

    ListingCache.Listing treeForgotten = cache.begin(at("home/docs/sub/"));
    cache.forgetTree(at("home/docs/"));
    assertFalse(cache.listed(treeForgotten, List.of(new ListPage(List.of(file("home/docs/sub/x", 3)), List.of(), null)),
        now));

    ListingCache.Listing unsure = cache.begin(at("home/docs/"));
    cache.unsure(at("home/docs/a.txt"));
    assertFalse(cache.listed(unsure, List.of(new ListPage(List.of(file("home/docs/a.txt", 3)), List.of(), null)), now));
    assertTrue(cache.lookup(at("home/docs/a.txt")).isEmpty());

    ListingCache.Listing abandoned = cache.begin(at("home/docs/"));
    cache.abandoned(abandoned);
    assertFalse(cache.listed(abandoned, List.of(new ListPage(List.of(file("home/docs/a.txt", 3)), List.of(), null)),
        now), "a listing given up is not taken back");
  }

  private void listDocsWith(long mark) {
    cache.listed(at("home/docs/"), List.of(new ListPage(List.of(file("home/docs/a.txt", 3)), List.of(), null)),
        now, mark);
  }

  @Test
  void aFolderMadeWhileSomethingWasWrittenIntoIt_isNotTakenForEmpty() {
    long mark = cache.mark();
    cache.written(at("home/d/"), -1, null, null);
    cache.written(at("home/d/f"), -1, null, null);
    cache.madeEmpty(at("home/d/"), now, mark);
    assertTrue(cache.lookup(at("home/d/f")).isEmpty());
  }

  @Test
  void aTreeForgotten_isAskedOfS3Again() {
    listDocs();
    cache.forgetTree(at("home/"));
    assertTrue(cache.lookup(at("home/docs/a.txt")).isEmpty());
  }

  @Test
  void changesOfOtherNodes_forgetTheirFolders_andAFeedNotYetListeningOrBrokenTrustsNothing() {
    Feed feed = new Feed();
    cache.shareThrough(feed);
    List<S3Location> published = feed.published;
    listDocs();
    assertTrue(cache.lookup(at("home/docs/a.txt")).isEmpty(), "nothing answered before the feed first hears");
    feed.restored.run();
    listDocs();
    cache.written(at("home/docs/mine"), -1, null, null);
    assertEquals(List.of(at("home/docs/mine")), published, "this node's changes go to the others");

    feed.changed.accept(at("home/docs/theirs"));
    assertTrue(cache.lookup(at("home/docs/theirs")).isEmpty(), "asked of S3 after another node's change");

    listDocs();
    feed.lost.run();
    assertTrue(cache.lookup(at("home/docs/a.txt")).isEmpty());
    long mark = cache.mark();
    listDocsWith(mark);
    assertFalse(cache.lookup(at("home/docs/a.txt")).isPresent(), "nothing kept while the feed is down");
    feed.restored.run();
    listDocs();
    assertEquals(Optional.of(3L), cache.lookup(at("home/docs/a.txt")).map(n -> n.file().size()));
  }

  @Test
  void aFolderNotKept_isNotListedAgainUntilItsTimeIsUp_orUntilItIsMadeHere() {
    cache.notKept(at("home/big/"), now);
    assertTrue(cache.recentlyNotKept(at("home/big/")));
    now = now.plus(FRESH_FOR).plusMillis(1);
    assertFalse(cache.recentlyNotKept(at("home/big/")), "listed again once the window ends");

    cache.notKept(at("home/none/"), now);
    long mark = cache.mark();
    cache.written(at("home/none/"), -1, null, null);
    cache.madeEmpty(at("home/none/"), now, mark);
    assertFalse(cache.recentlyNotKept(at("home/none/")), "a folder made here is kept");
  }

  /**
   * What a stat, a listing or an rmdir of a folder S3 has nothing under asks: whether this node
   * removed something under it (a file, a subfolder's marker) in the last ten minutes, and when.
   * Every folder above what was removed counts; a folder removed (its marker, or an rmdir of it
   * emptied) or moved away is nothing again. Kept whether or not listings are (directoryCacheTime
   * 0), for at most 4,096 folders.
   */
  @Test
  void aFolderSomethingWasRemovedUnderHere_isEmptiedLately_forTenMinutes() {
    ListingCache off = new ListingCache(clock, Duration.ZERO);
    Instant removed = now;
    off.removed(at("home/t/d1/a.bin"));
    assertEquals(Optional.of(removed), off.emptiedLately(at("home/t/d1/")), "its file removed here");
    assertEquals(Optional.of(removed), off.emptiedLately(at("home/t/")), "a folder above it");
    assertEquals(Optional.of(removed), off.emptiedLately(at("home/")));
    assertEquals(Optional.empty(), off.emptiedLately(at("home/t/d3/")), "nothing removed under it");
    assertEquals(Optional.empty(), off.emptiedLately(at("home/t/d1/a.bin/")), "the file itself is no folder");

    off.removed(at("home/t/d2/sub/x"));
    off.removed(at("home/t/d2/"));
    assertEquals(Optional.empty(), off.emptiedLately(at("home/t/d2/")), "its marker removed: removed for good");
    assertEquals(Optional.empty(), off.emptiedLately(at("home/t/d2/sub/")), "and what was emptied under it");
    off.removed(at("home/t/d1/deeper/y"));
    off.emptiedFolderRemoved(at("home/t/d1/"));
    assertEquals(Optional.empty(), off.emptiedLately(at("home/t/d1/")), "removed by an rmdir");
    assertEquals(Optional.empty(), off.emptiedLately(at("home/t/d1/deeper/")), "with what was emptied under it");
    assertTrue(off.emptiedLately(at("home/t/")).isPresent());
    off.removed(at("home/m/sub/x"));
    off.forgetTree(at("home/m/"));
    assertEquals(Optional.empty(), off.emptiedLately(at("home/m/sub/")), "moved away");
    assertTrue(off.emptiedLately(at("home/")).isPresent(), "what held it is still emptied here");

    now = now.plus(Duration.ofMinutes(10));
    assertTrue(off.emptiedLately(at("home/t/")).isPresent(), "ten minutes on");
    now = now.plusMillis(1);
    assertEquals(Optional.empty(), off.emptiedLately(at("home/t/")), "past ten minutes");

    for (int i = 0; i < RecentRemovals.MAX_FOLDERS - 3; i++) {
      off.removed(at("home/many/" + i + "/f"));
    }
    assertTrue(off.emptiedLately(at("home/many/0/")).isPresent(), "4,096 folders: these, home/many/, home/ and the top");
    off.removed(at("home/many/last/f"));
    assertEquals(Optional.empty(), off.emptiedLately(at("home/many/0/")), "the oldest forgotten past 4,096");
    assertTrue(off.emptiedLately(at("home/many/1/")).isPresent());
  }

  /**
   * An emptied folder removed or moved away on one node is nothing on the others that emptied it
   * too: the folder goes out on the feed, as a marker's removal does; what is heard is not sent
   * back out.
   */
  @Test
  void anEmptiedFolderRemovedHere_isForgottenByTheOtherNodes() {
    Feed feed = new Feed();
    cache.shareThrough(feed);
    feed.restored.run();
    List<S3Location> published = feed.published;
    cache.emptiedFolderRemoved(at("home/t/"));
    cache.forgetTree(at("home/moved/"));
    assertEquals(List.of(at("home/t/"), at("home/moved/")), published);

    published.clear();
    cache.removed(at("home/u/d1/a"));
    cache.removed(at("home/v/b"));
    feed.changed.accept(at("home/u/"));
    feed.changed.accept(at("home/v/"));
    assertEquals(Optional.empty(), cache.emptiedLately(at("home/u/d1/")), "removed on another node");
    assertEquals(Optional.empty(), cache.emptiedLately(at("home/v/")));
    assertTrue(cache.emptiedLately(at("home/")).isPresent());
    assertEquals(List.of(at("home/u/d1/a"), at("home/v/b")), published, "only this node's own changes go out");
  }

  @Test
  void zero_keepsNothing() {
    ListingCache off = new ListingCache(clock, Duration.ZERO);
    long mark = off.mark();
    off.listed(at("home/docs/"), List.of(new ListPage(List.of(file("home/docs/a.txt", 3)), List.of(), null)), now, mark);
    assertFalse(off.enabled());
    assertTrue(off.lookup(at("home/docs/a.txt")).isEmpty());
  }
}
