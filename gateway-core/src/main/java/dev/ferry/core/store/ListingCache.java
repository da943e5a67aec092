package dev.ferry.core.store;

import dev.ferry.core.s3.ListPage;
import dev.ferry.core.s3.ObjectInfo;
import dev.ferry.core.s3.S3Location;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * What this node saw in S3's folders a moment ago: for each folder listed whole (or made empty),
 * its files with their listed facts and its subfolders, for {@code listings.directoryCacheTime}.
 * sshfs, rsync and git stat a name before nearly every write and after it; asked of S3, each stat
 * is a HEAD and a listing, and a missing name (the usual answer before a create) costs both. Here a
 * name in a folder seen a moment ago is answered without S3, as rclone's directory cache does.
 *
 * <p>Every change Ferry makes in S3 passes through {@link ObjectStore}, which tells this cache
 * before the change's caller hears it is done: a file written is known to exist with the size,
 * ETag and time S3 answered (see {@link #written}), a file deleted is gone, a folder marker made or removed is a folder made or
 * removed. A listing begun before a change to its folder is not kept ({@link #mark}), so a change
 * is never lost behind a listing that missed it. Other nodes sharing the state store say what they
 * changed through a {@link ChangeFeed} and this cache forgets those folders as the word arrives
 * (milliseconds). Objects that other S3 clients write straight into the bucket are seen once the
 * window ends: that is the one staleness this cache allows, and {@code directoryCacheTime: 0}
 * turns it off.
 *
 * <p>Over 500 lines as one concept: the folders kept, the change marks that keep a listing from
 * hiding a change, and the feed from other nodes all guard the same map under one lock, and each
 * change must update them together.
 */
public final class ListingCache {

  /** Folders kept at most; the least recently used go first. */
  static final int MAX_FOLDERS = 2_048;
  /**
   * Names kept at most over all folders, about 300 bytes of heap each (30 MiB at most); the least
   * recently used folders go first.
   */
  static final int MAX_NAMES = 100_000;
  /** Change marks remembered per folder; older ones are summed up by {@link #forgottenMarks}. */
  private static final int MAX_MARKS = 8_192;
  /** Listings under way remembered at most; an older one is dropped when it ends ({@link #begin}). */
  private static final int MAX_LISTINGS = 256;

  /**
   * What a name in a cached folder is. {@code file} is null for a file whose facts are to be asked
   * of S3; {@code exactTime} is false for a file this node wrote whose size and ETag are S3's but
   * whose time S3 did not say (its time here is this node's clock at the write).
   */
  public record Name(Kind kind, ObjectInfo file, boolean exactTime) {

    public enum Kind { FILE, FOLDER, MISSING }

    public boolean exists() {
      return kind != Kind.MISSING;
    }
  }

  /** One folder as it was listed, kept up to date with this node's changes since. */
  private static final class Folder {
    final Instant at;
    /** Name to listed facts; a null value is a file written since, its facts unknown here. */
    final TreeMap<String, ObjectInfo> files = new TreeMap<>();
    /** Files written by this node since the listing whose time S3 did not say (see {@link Name}). */
    final Set<String> timeNotExact = new HashSet<>();
    final TreeSet<String> folders = new TreeSet<>();
    /** Whether the folder's own zero-byte marker exists: without one it ends with its last name. */
    boolean marker;

    Folder(Instant at) {
      this.at = at;
    }

    int names() {
      return files.size() + folders.size() + 1;
    }

    boolean empty() {
      return files.isEmpty() && folders.isEmpty();
    }

    /** A file written: {@code file} null where its facts are not known here. Returns the names added. */
    int putFile(String name, ObjectInfo file, boolean exactTime) {
      int added = files.containsKey(name) ? 0 : 1;
      files.put(name, file);
      if (exactTime) {
        timeNotExact.remove(name);
      } else {
        timeNotExact.add(name);
      }
      return added;
    }

    /** A file removed. Returns the names removed. */
    int removeFile(String name) {
      timeNotExact.remove(name);
      if (!files.containsKey(name)) {
        return 0;
      }
      files.remove(name);
      return 1;
    }
  }

  /**
   * A listing of one folder under way ({@link #begin}): this node's own writes and removals of
   * files in that folder since it began, and the subfolders its writes further down made, to
   * replay onto what S3 lists. Without them a folder that
   * this node keeps writing into (a client uploading thousands of files into one folder) was never
   * kept again once its window ended: each write changed it while it was being listed, the listing
   * was dropped, and the next upload listed it again, so every upload paid a listing of the whole
   * folder. Any other change to the folder (another node's, a folder marker, a tree renamed) takes
   * the listing off {@link #underWay}, so it is dropped when it ends, as before.
   */
  public static final class Listing {
    private final S3Location prefix;
    private final List<Consumer<Folder>> replay = new ArrayList<>();

    private Listing(S3Location prefix) {
      this.prefix = prefix;
    }
  }

  /** Where this node says what it changed, and hears what the others did. */
  public interface ChangeFeed {
    /** Tells the other nodes that {@code key} changed (written, deleted, or a folder marker). */
    void publish(S3Location key);

    /**
     * Starts calling {@code changed} with each key another node changed, {@code lost} when the feed
     * broke (changes may be missed from then on), {@code restored} once it hears again.
     */
    void listen(Consumer<S3Location> changed, Runnable lost, Runnable restored);
  }

  private final Clock clock;
  private final Duration freshFor;
  private final Map<S3Location, Folder> folders = new LinkedHashMap<>(64, 0.75f, true);
  /** Folders whose listing could not be kept (too large, or no such folder), and when that was seen. */
  private final Map<S3Location, Instant> unkept = new LinkedHashMap<>(64, 0.75f, true);
  private int names;
  private long changes;
  private final Map<S3Location, Long> changedAt = new LinkedHashMap<>(64, 0.75f, false);
  /** The latest mark of any folder no longer in {@link #changedAt}. */
  private long forgottenMarks;
  /**
   * Listings under way ({@link #begin}) that may still be kept, oldest first; at most
   * {@link #MAX_LISTINGS}. A change they cannot replay takes them off.
   */
  private final List<Listing> underWay = new ArrayList<>();
  /** The folders this node removed something under lately: see {@link #emptiedLately}. */
  private final RecentRemovals removals;
  private volatile ChangeFeed feed;
  /** False while the feed from other nodes is broken: nothing is answered from what may be stale. */
  private volatile boolean trusted = true;

  public ListingCache(Clock clock, Duration freshFor) {
    this.clock = clock;
    this.freshFor = freshFor;
    this.removals = new RecentRemovals(clock);
  }

  /** Whether anything is kept at all ({@code directoryCacheTime} above zero). */
  public boolean enabled() {
    return !freshFor.isZero();
  }

  /**
   * From now on this node's changes go to {@code feed} and the other nodes' changes come from it.
   * Nothing is answered from the cache until the feed first hears (a listing kept before this
   * node listens could miss a change another node announced meanwhile), nor while it is broken;
   * each time it is back the cache starts empty.
   */
  public void shareThrough(ChangeFeed feed) {
    synchronized (this) {
      trusted = false;
      clear();
    }
    this.feed = feed;
    feed.listen(this::changedElsewhere, this::feedLost, this::feedRestored);
  }

  /** The feed is back: what was kept while it was down may be stale, so all of it goes. */
  private synchronized void feedRestored() {
    clear();
    trusted = true;
  }

  private synchronized void feedLost() {
    trusted = false;
    clear();
  }

  /** What {@code key} is, when its folder was seen a moment ago; empty when S3 has to be asked. */
  public synchronized Optional<Name> lookup(S3Location key) {
    Folder folder = fresh(parentOf(key));
    if (folder == null) {
      return Optional.empty();
    }
    String name = nameOf(key);
    if (folder.files.containsKey(name)) {
      return Optional.of(new Name(Name.Kind.FILE, folder.files.get(name), !folder.timeNotExact.contains(name)));
    }
    return Optional.of(new Name(folder.folders.contains(name) ? Name.Kind.FOLDER : Name.Kind.MISSING, null, false));
  }

  /** Whether the folder {@code prefix} ("dir/") is known to exist: seen itself, or in its parent. */
  public synchronized boolean folderExists(S3Location prefix) {
    if (fresh(prefix) != null) {
      return true;
    }
    Folder parent = fresh(parentOf(prefix));
    return parent != null && parent.folders.contains(nameOf(prefix));
  }

  /**
   * Whether the folder {@code prefix} was seen a moment ago with its own marker, and everything it
   * held then has gone since through this node (or through another that said so): an rmdir of it
   * needs no listing.
   */
  public synchronized boolean knownEmpty(S3Location prefix) {
    Folder folder = fresh(prefix);
    return folder != null && folder.marker && folder.empty();
  }

  /**
   * The folder {@code prefix} as one listing page holding all of it (its marker, subfolders and
   * files, in S3's order), when it was seen a moment ago and the facts of every file are known.
   */
  public synchronized Optional<ListPage> page(S3Location prefix) {
    Folder folder = fresh(prefix);
    if (folder == null || folder.files.containsValue(null) || !folder.timeNotExact.isEmpty()) {
      return Optional.empty();
    }
    List<ObjectInfo> objects = new ArrayList<>(folder.files.size() + 1);
    if (folder.marker) {
      objects.add(new ObjectInfo(prefix.key(), 0, Instant.EPOCH, "", Map.of()));
    }
    objects.addAll(folder.files.values());
    List<String> prefixes = folder.folders.stream().map(name -> prefix.key() + name + "/").toList();
    return Optional.of(new ListPage(objects, prefixes, null));
  }

  /**
   * The folder {@code prefix}, listed from {@code begun}, cannot be kept (more than a few pages, or
   * nothing there): it is not worth listing again in the background until the window ends.
   */
  public synchronized void notKept(S3Location prefix, Instant begun) {
    unkept.put(prefix, begun);
    if (unkept.size() > MAX_FOLDERS) {
      var eldest = unkept.entrySet().iterator();
      eldest.next();
      eldest.remove();
    }
  }

  /** Whether {@code prefix} was found not worth keeping a moment ago ({@link #notKept}). */
  public synchronized boolean recentlyNotKept(S3Location prefix) {
    Instant at = unkept.get(prefix);
    if (at == null) {
      return false;
    }
    if (clock.instant().isAfter(at.plus(freshFor))) {
      unkept.remove(prefix);
      return false;
    }
    return true;
  }

  /** A mark to hand back with a listing begun now: a folder changed after it is not kept from that listing. */
  public synchronized long mark() {
    return changes;
  }

  /**
   * A listing of the folder {@code prefix} begins: hand it back with {@link #listed(Listing, List,
   * Instant)} when it is whole, or to {@link #abandoned} when it is not.
   */
  public synchronized Listing begin(S3Location prefix) {
    Listing listing = new Listing(prefix);
    underWay.add(listing);
    if (underWay.size() > MAX_LISTINGS) {
      underWay.remove(0);
    }
    return listing;
  }

  /** A listing {@link #begin} gave out will not be handed back whole. */
  public synchronized void abandoned(Listing listing) {
    underWay.remove(listing);
  }

  /**
   * The folder of {@code listing} was listed whole from {@code begun}: these pages, split at "/",
   * with this node's own file changes since it began replayed onto them. Kept unless another kind
   * of change came meanwhile, or it holds too much.
   */
  public synchronized boolean listed(Listing listing, List<ListPage> pages, Instant begun) {
    boolean stillUnderWay = underWay.remove(listing);
    if (!enabled() || !trusted || !stillUnderWay) {
      return false;
    }
    Folder folder = folderOf(listing.prefix, pages, begun);
    listing.replay.forEach(change -> change.accept(folder));
    return keepListed(listing.prefix, folder);
  }

  /**
   * The folder {@code prefix} was listed whole from {@code begun} (with {@code mark}): these pages,
   * split at "/". Kept unless the folder changed since the mark, or it holds too much.
   */
  public synchronized boolean listed(S3Location prefix, List<ListPage> pages, Instant begun, long mark) {
    if (!enabled() || !trusted || changedSince(prefix, mark)) {
      return false;
    }
    return keepListed(prefix, folderOf(prefix, pages, begun));
  }

  private boolean keepListed(S3Location prefix, Folder folder) {
    if (!folder.marker && folder.empty()) {
      return false; // no such folder
    }
    keep(prefix, folder);
    return true;
  }

  private static Folder folderOf(S3Location prefix, List<ListPage> pages, Instant begun) {
    Folder folder = new Folder(begun);
    for (ListPage page : pages) {
      for (ObjectInfo object : page.objects()) {
        String name = object.key().substring(prefix.key().length());
        if (name.isEmpty()) {
          folder.marker = true;
        } else if (!name.contains("/")) {
          folder.files.put(name, object);
        }
      }
      for (String common : page.commonPrefixes()) {
        String name = common.substring(prefix.key().length(), common.length() - 1);
        if (!name.isEmpty()) {
          folder.folders.add(name);
        }
      }
    }
    return folder;
  }

  /**
   * This node made the folder {@code prefix} (its marker) after looking at it at {@code mark}: it
   * is empty, unless something was written into it meanwhile.
   */
  public synchronized void madeEmpty(S3Location prefix, Instant begun, long mark) {
    if (!enabled() || !trusted || changedSince(prefix, mark)) {
      return;
    }
    Folder folder = new Folder(begun);
    folder.marker = true;
    keep(prefix, folder);
  }

  /**
   * A HEAD begun at {@code mark} found {@code file} at {@code key}: its folder, if kept and not
   * changed since, knows the file's facts from now on, time included.
   */
  public synchronized void headed(S3Location key, ObjectInfo file, long mark) {
    S3Location parent = parentOf(key);
    Folder folder = fresh(parent);
    String name = nameOf(key);
    if (folder == null || changedSince(parent, mark) || !folder.files.containsKey(name)) {
      return;
    }
    folder.files.put(name, file);
    folder.timeNotExact.remove(name);
  }

  /**
   * {@code key} was written here (a file, or a folder's marker when it ends with "/"); for a file,
   * {@code size}, {@code etag} and {@code time} are what S3 answered, or -1 and nulls where it did
   * not say. The time of a PUT is S3's clock as it answered (the object's Last-Modified second but
   * for a write that straddles one); a copy's is the copy's own Last-Modified.
   */
  synchronized void written(S3Location key, long size, String etag, Instant time) {
    S3Location parent = parentOf(key);
    String name = nameOf(key);
    if (key.key().endsWith("/")) {
      Folder own = folders.get(key);
      if (own != null) {
        own.marker = true;
      }
      changed(parent);
      Folder folder = folders.get(parent);
      if (folder != null) {
        names += folder.folders.add(name) ? 1 : 0;
      }
    } else {
      boolean known = size >= 0 && etag != null;
      ObjectInfo file = known ? new ObjectInfo(key.key(), size, time != null ? time : clock.instant(), etag, Map.of())
          : null;
      changedHere(parent, folder -> folder.putFile(name, file, time != null));
      Folder folder = folders.get(parent);
      if (folder != null) {
        names += folder.putFile(name, file, time != null);
      }
    }
    ensureAncestors(parent);
    tellOthers(key);
  }

  /** {@code key} was deleted here (a file, or a folder's marker when it ends with "/"). */
  synchronized void removed(S3Location key) {
    S3Location parent = parentOf(key);
    String name = nameOf(key);
    removals.removed(key);
    if (key.key().endsWith("/")) {
      Folder own = folders.get(key);
      boolean goneWhole = own != null && own.empty();
      dropTree(key);
      changed(parent);
      Folder folder = folders.get(parent);
      if (folder != null) {
        if (goneWhole) {
          names -= folder.folders.remove(name) ? 1 : 0;
          endIfEmpty(parent, folder);
        } else {
          drop(parent); // what is left under the name decides whether it is still a folder
        }
      }
    } else {
      changedHere(parent, folder -> folder.removeFile(name));
      Folder folder = folders.get(parent);
      if (folder == null) {
        // Its folder may have ended with it (no marker): what holds that folder no longer knows.
        dropParentOf(parent);
      } else {
        names -= folder.removeFile(name);
        endIfEmpty(parent, folder);
      }
    }
    tellOthers(key);
  }

  /**
   * When this node last removed something under the folder {@code prefix}, if lately (see
   * {@link RecentRemovals}): asked when S3 has nothing under it, such a folder was emptied here
   * (it had no marker), and is an empty folder for this node until it is removed.
   */
  public synchronized Optional<Instant> emptiedLately(S3Location prefix) {
    return removals.removedUnder(prefix);
  }

  /**
   * The folder {@code prefix}, emptied here lately and with nothing under it in S3, was removed
   * (an rmdir): it is nothing from now on, and the folder above no longer knows it.
   */
  public synchronized void emptiedFolderRemoved(S3Location prefix) {
    removals.forgetUnder(prefix);
    drop(prefix);
    dropParentOf(prefix);
    tellOthers(prefix); // a node that emptied it too forgets it
  }

  /**
   * Everything under {@code prefix} is forgotten, here and on the other nodes: many keys under it
   * are changing at once (a folder renamed), and the folder holding it no longer knows it.
   */
  public synchronized void forgetTree(S3Location prefix) {
    forgetTreeHere(prefix);
    tellOthers(prefix);
  }

  private void forgetTreeHere(S3Location prefix) {
    dropTree(prefix);
    removals.forgetUnder(prefix);
    if (!prefix.key().isEmpty()) {
      dropParentOf(prefix);
    }
  }

  private void dropTree(S3Location prefix) {
    List<S3Location> under = folders.keySet().stream()
        .filter(folder -> folder.bucket().equals(prefix.bucket()) && folder.key().startsWith(prefix.key()))
        .toList();
    under.forEach(this::drop);
    unkept.keySet().removeIf(folder -> folder.bucket().equals(prefix.bucket()) && folder.key().startsWith(prefix.key()));
    underWay.removeIf(listing -> listing.prefix.bucket().equals(prefix.bucket())
        && listing.prefix.key().startsWith(prefix.key()));
    changed(prefix);
  }

  /** A change of {@code key} failed here: it may have happened or not, so S3 is asked again. */
  synchronized void unsure(S3Location key) {
    changedElsewhere(key);
    tellOthers(key);
  }

  /** Another node changed {@code key}: its folder and every folder above it are asked of S3 again. */
  private synchronized void changedElsewhere(S3Location key) {
    if (key.key().endsWith("/")) {
      forgetTreeHere(key);
    }
    S3Location folder = parentOf(key);
    while (true) {
      changed(folder);
      drop(folder);
      if (folder.key().isEmpty()) {
        return;
      }
      folder = parentOf(folder);
    }
  }

  /** A folder left with no name and no marker is no folder any more: gone from its parent too. */
  private void endIfEmpty(S3Location prefix, Folder folder) {
    if (folder.empty() && !folder.marker && !prefix.key().isEmpty()) {
      drop(prefix);
      S3Location parent = parentOf(prefix);
      changed(parent);
      Folder above = folders.get(parent);
      if (above != null) {
        names -= above.folders.remove(nameOf(prefix)) ? 1 : 0;
        endIfEmpty(parent, above);
      }
    }
  }

  /** A key written under {@code prefix} makes every folder above it hold the next folder down. */
  private void ensureAncestors(S3Location prefix) {
    S3Location folder = prefix;
    while (!folder.key().isEmpty()) {
      S3Location parent = parentOf(folder);
      String name = nameOf(folder);
      Folder above = folders.get(parent);
      if (above != null && above.folders.add(name)) {
        names++;
        advanceMark(parent);
      }
      // A listing of an ancestor under way may have missed the folder a file was just written into.
      replayOnListings(parent, listed -> listed.folders.add(name));
      folder = parent;
    }
  }

  private void dropParentOf(S3Location prefix) {
    S3Location parent = parentOf(prefix);
    changed(parent);
    drop(parent);
  }

  private void tellOthers(S3Location key) {
    ChangeFeed shared = feed;
    if (shared != null) {
      shared.publish(key);
    }
  }

  private Folder fresh(S3Location prefix) {
    if (!trusted) {
      return null;
    }
    Folder folder = folders.get(prefix);
    if (folder == null) {
      return null;
    }
    if (clock.instant().isAfter(folder.at.plus(freshFor))) {
      drop(prefix);
      return null;
    }
    return folder;
  }

  private void keep(S3Location prefix, Folder folder) {
    drop(prefix);
    folders.put(prefix, folder);
    names += folder.names();
    var eldest = folders.entrySet().iterator();
    while ((folders.size() > MAX_FOLDERS || names > MAX_NAMES) && eldest.hasNext()) {
      Folder old = eldest.next().getValue();
      names -= old.names();
      eldest.remove();
    }
  }

  private void drop(S3Location prefix) {
    unkept.remove(prefix);
    Folder old = folders.remove(prefix);
    if (old != null) {
      names -= old.names();
    }
  }

  private void clear() {
    folders.clear();
    unkept.clear();
    names = 0;
    changes++;
    changedAt.clear();
    forgottenMarks = changes;
    underWay.clear();
  }

  /** {@code prefix} changed in a way a listing under way cannot replay: that listing is dropped. */
  private void changed(S3Location prefix) {
    advanceMark(prefix);
    underWay.removeIf(listing -> listing.prefix.equals(prefix));
  }

  /** A file in {@code prefix} changed here: a listing of it under way replays {@code change}. */
  private void changedHere(S3Location prefix, Consumer<Folder> change) {
    advanceMark(prefix);
    replayOnListings(prefix, change);
  }

  private void replayOnListings(S3Location prefix, Consumer<Folder> change) {
    for (Listing listing : underWay) {
      if (listing.prefix.equals(prefix)) {
        listing.replay.add(change);
      }
    }
  }

  private void advanceMark(S3Location prefix) {
    changes++;
    changedAt.remove(prefix);
    changedAt.put(prefix, changes);
    if (changedAt.size() > MAX_MARKS) {
      var eldest = changedAt.entrySet().iterator();
      forgottenMarks = Math.max(forgottenMarks, eldest.next().getValue());
      eldest.remove();
    }
  }

  private boolean changedSince(S3Location prefix, long mark) {
    return changedAt.getOrDefault(prefix, forgottenMarks) > mark;
  }

  /** The folder holding {@code key}: "a/b/" for "a/b/c" and for "a/b/c/"; "" at the top. */
  static S3Location parentOf(S3Location key) {
    String k = key.key().endsWith("/") ? key.key().substring(0, key.key().length() - 1) : key.key();
    int slash = k.lastIndexOf('/');
    return new S3Location(key.bucket(), slash < 0 ? "" : k.substring(0, slash + 1));
  }

  /** The last segment of {@code key}, without its trailing "/". */
  static String nameOf(S3Location key) {
    String k = key.key().endsWith("/") ? key.key().substring(0, key.key().length() - 1) : key.key();
    return k.substring(k.lastIndexOf('/') + 1);
  }
}
