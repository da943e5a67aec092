package dev.ferry.jobs.batch;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.core.Gateway;
import dev.ferry.core.event.Origin;
import dev.ferry.core.object.ObjectBusyException;
import dev.ferry.core.object.ObjectChange;
import dev.ferry.core.object.ObjectHold;
import dev.ferry.core.object.ObjectOperations;
import dev.ferry.core.s3.Etags;
import dev.ferry.core.s3.ListPage;
import dev.ferry.core.s3.ObjectInfo;
import dev.ferry.core.s3.RangeBytes;
import dev.ferry.core.s3.S3Location;
import dev.ferry.core.s3.StoreException;
import dev.ferry.core.upload.StreamingUpload;
import dev.ferry.jobs.engine.JobException;
import dev.ferry.jobs.engine.RunningJob;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run of a batch, as a job's attempt. The folder's files (not the archives it made, not
 * manifests) are planned into archives ({@link ArchivePlan}); each archive's tar streams straight
 * into a multipart upload through core's upload path, each original read under its path lock (a
 * file a client is writing is busy: it waits for the next run) and pinned to the ETag it was listed
 * with (a file replaced meanwhile is not mixed in). Once an archive and then its manifest are
 * committed, its originals are deleted, each under its path lock and only if it is still the
 * version archived.
 *
 * <p>After a crash, a retry finishes what the manifests in S3 say was archived (deletes,
 * indexing), removes the archive that was being written (named in the job's record) and goes on:
 * archive keys derive from the job's id and the archive's number, so each archive exists once.
 */
final class BatchRun {

  private static final Logger log = LoggerFactory.getLogger(BatchRun.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  /** The names of the archives batches make: a UUID and .tar. */
  private static final Pattern ARCHIVE = Pattern.compile("[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}\\.tar");
  /** A manifest's name below its job: the archive's number in the run and its UUID. */
  private static final Pattern MANIFEST = Pattern.compile("(\\d{6})-([0-9a-f-]{36})\\.json");
  /** Where markers of manifests not yet indexed are, below the batch's manifests. */
  static final String UNINDEXED = "unindexed/";
  /** The most files one run takes; the rest wait for the next run. */
  private static final int LIST_LIMIT = 100_000;
  /**
   * How much of an original the GET made ahead of the tar reads: a small file whole. With
   * {@link #READ_AHEAD} files ahead, a run holds at most 4 MiB read ahead, plus one {@link #CHUNK}.
   */
  private static final int FIRST_READ = 256 << 10;
  /** How much of the rest of a larger original one GET reads, as the tar takes it. */
  private static final int CHUNK = 1 << 20;
  /** How many originals are being read ahead of the tar, each under its lock. */
  private static final int READ_AHEAD = 16;
  /** How many originals one DeleteObjects request removes. */
  private static final int DELETE_BATCH = 500;

  private final BatchSpec spec;
  private final RunningJob job;
  private final Gateway gateway;
  private final BatchDefinition.Index index;
  private final BulkIndex bulk;
  private final Clock clock;
  private final String purpose;
  private final Origin origin;
  private final Map<String, Long> counts = new LinkedHashMap<>();

  BatchRun(BatchSpec spec, RunningJob job, Gateway gateway, BatchDefinition.Index index, BulkIndex bulk,
      Clock clock) {
    this.spec = spec;
    this.clock = clock;
    this.job = job;
    this.gateway = gateway;
    this.index = index;
    this.bulk = bulk;
    this.purpose = "batch " + spec.name() + " (job " + job.record().id() + ")";
    this.origin = Origin.of(Origin.Kind.WORKFLOW, "batch " + spec.name());
    if (job.record().counts() != null) {
      counts.putAll(job.record().counts());
    }
  }

  /**
   * Whether {@code key} is one a batch leaves alone: an archive it made, a directory marker, or a
   * name no tar entry can have ("." or "..": tar would extract it outside the directory).
   */
  static boolean leftAlone(String key) {
    String name = ArchivePlan.nameOf(key);
    return name.isEmpty() || name.equals(".") || name.equals("..") || ARCHIVE.matcher(name).matches();
  }

  void run() throws IOException, InterruptedException {
    Set<String> archived = new HashSet<>();
    int next = finishEarlierAttempts(archived);
    List<ObjectInfo> files = listFolder(archived);
    ArchivePlan.Plan plan = ArchivePlan.of(files, spec.maxBatchSize());
    for (ObjectInfo large : plan.tooLarge()) {
      log.warn("{}: {} ({} bytes) does not fit an archive of maxBatchSize {}; it stays", purpose, large.key(),
          large.size(), spec.maxBatchSize());
    }
    set("tooLarge", plan.tooLarge().size());
    for (ArchivePlan.Group group : plan.groups()) {
      if (job.cancelRequested()) {
        throw JobException.permanent("cancelled");
      }
      if (archive(group, next)) {
        next++;
      }
    }
    log.info("{}: {} files in {} archives so far, {} busy, {} changed meanwhile", purpose, count("files"),
        count("archives"), count("busy"), count("changed"));
    indexPending();
  }

  /**
   * Finishes the archives an earlier attempt of this job committed and did not clean up after
   * (their manifests are in S3): deletes their originals, marks their manifests for the index.
   * Collects the originals they hold, which this attempt leaves out; returns the next archive's number.
   */
  private int finishEarlierAttempts(Set<String> archived) throws IOException {
    String stray = job.record().current();
    S3Location mine = spec.manifests().resolve(job.record().id() + "/");
    int next = 0;
    Set<String> archives = new HashSet<>();
    for (ObjectInfo listed : list(mine)) {
      Matcher name = MANIFEST.matcher(listed.key().substring(mine.key().length()));
      if (!name.matches()) {
        continue;
      }
      int number = Integer.parseInt(name.group(1));
      next = Math.max(next, number + 1);
      if (number < count("cleaned")) {
        continue;
      }
      S3Location at = new S3Location(mine.bucket(), listed.key());
      Manifest manifest = read(at).orElseThrow(() -> JobException.retryable(at + " was listed, then gone"));
      archives.add(manifest.archive());
      manifest.files().forEach(f -> archived.add(f.key()));
      markUnindexed(at);
      deleteOriginals(manifest.files());
      set("cleaned", number + 1);
      save(null);
    }
    if (stray != null && !archives.contains(stray)) {
      removeStray(S3Location.parseObject(stray).orElseThrow());
    }
    return next;
  }

  /** Deletes an archive an attempt stopped writing or committed without its manifest. */
  private void removeStray(S3Location archive) throws IOException {
    Map<String, String> anyVersion = new HashMap<>();
    anyVersion.put(archive.key(), null);
    if (!gateway.objects().deleteUnchanged(archive.bucket(), anyVersion, change()).deleted().isEmpty()) {
      log.info("{}: removed {}, which an earlier attempt wrote without its manifest", purpose, archive);
    }
  }

  /** This run's changes of objects: fenced, so a node that lost the job changes nothing. */
  private ObjectChange change() {
    return ObjectChange.by(origin, purpose).checking(job::ensureHeld);
  }

  /**
   * The folder's files that are this run's to archive, in key order, at most {@link #LIST_LIMIT}:
   * counted after the archives of earlier runs (which stay in the folder) are left out.
   */
  private List<ObjectInfo> listFolder(Set<String> archived) throws IOException {
    String manifests = spec.manifests().bucket().equals(spec.bucket()) ? spec.manifests().key() : null;
    return list(spec.folder(), LIST_LIMIT, file -> !leftAlone(file.key())
        && (manifests == null || !file.key().startsWith(manifests))
        && !archived.contains(location(file.key()).toString()));
  }

  private List<ObjectInfo> list(S3Location prefix) throws IOException {
    return list(prefix, Integer.MAX_VALUE, file -> true);
  }

  private List<ObjectInfo> list(S3Location prefix, int limit, Predicate<ObjectInfo> taken) throws IOException {
    List<ObjectInfo> objects = new ArrayList<>();
    String token = null;
    do {
      ListPage page = ObjectOperations.await(gateway.objects().listPage(prefix, null, token, 1000));
      page.objects().stream().filter(taken).forEach(objects::add);
      token = page.nextToken();
    } while (token != null && objects.size() < limit);
    return objects.size() > limit ? objects.subList(0, limit) : objects;
  }

  /** Makes one archive and its manifest, then deletes its originals; false when none of its files could be read. */
  private boolean archive(ArchivePlan.Group group, int number) throws IOException, InterruptedException {
    UUID id = UUID.nameUUIDFromBytes((job.record().id() + "/" + number).getBytes(StandardCharsets.UTF_8));
    S3Location archive = location(group.directory() + id + ".tar");
    save(archive.toString());
    List<Manifest.Entry> entries;
    long size;
    try (StreamingUpload upload = gateway.objects().upload(archive,
        ObjectChange.by(origin, purpose + ": writing " + archive))) {
      TarWriter tar = new TarWriter(upload);
      entries = writeFiles(group.files(), tar, archive.toString());
      if (entries.isEmpty()) {
        return false; // closing the upload abandons it
      }
      size = tar.finish();
      if (size > spec.maxBatchSize()) {
        throw new IllegalStateException(archive + " came to " + size + " bytes, above maxBatchSize "
            + spec.maxBatchSize() + ": the plan's sizes are wrong");
      }
      job.ensureHeld();
      upload.commit();
    }
    Manifest manifest = new Manifest(spec.name(), job.record().id(), archive.toString(), size,
        clock.instant().toString(), entries);
    S3Location manifestAt = spec.manifests().resolve(job.record().id() + "/"
        + String.format(Locale.ROOT, "%06d", number) + "-" + id + ".json");
    writeManifest(manifestAt, manifest);
    markUnindexed(manifestAt);
    add("archives", 1);
    add("files", entries.size());
    add("bytes", entries.stream().mapToLong(Manifest.Entry::size).sum());
    save(null);
    log.info("{}: {} ({} files, {} bytes), manifest {}", purpose, archive, entries.size(), size, manifestAt);
    deleteOriginals(entries);
    set("cleaned", number + 1);
    save(null);
    return true;
  }

  private record Pending(ObjectInfo file, S3Location at, ObjectHold lock, CompletableFuture<RangeBytes> first) {}

  /**
   * Writes the files into the tar, reading a few ahead; a file that is busy or changed since the
   * listing is left out (the next run takes it). Returns what the manifest says of those written.
   */
  private List<Manifest.Entry> writeFiles(List<ObjectInfo> files, TarWriter tar, String archive)
      throws IOException {
    Deque<Pending> ahead = new ArrayDeque<>();
    Iterator<ObjectInfo> next = files.iterator();
    List<Manifest.Entry> entries = new ArrayList<>();
    try {
      while (true) {
        while (ahead.size() < READ_AHEAD && next.hasNext()) {
          Pending opened = open(next.next());
          if (opened != null) {
            ahead.add(opened);
          }
        }
        Pending pending = ahead.poll();
        if (pending == null) {
          return entries;
        }
        try (ObjectHold held = pending.lock()) {
          Manifest.Entry entry = copy(pending, tar, archive);
          if (entry != null) {
            entries.add(entry);
          }
        }
      }
    } finally {
      for (Pending left : ahead) {
        left.first().cancel(true);
        left.lock().close();
      }
    }
  }

  /** Locks an original and starts reading its first chunk, pinned to its listed ETag; null when busy. */
  private Pending open(ObjectInfo file) throws IOException {
    S3Location at = location(file.key());
    ObjectHold lock = lock(at);
    if (lock == null) {
      add("busy", 1);
      return null;
    }
    int first = (int) Math.min(file.size(), FIRST_READ);
    CompletableFuture<RangeBytes> read = first == 0 ? CompletableFuture.completedFuture(RangeBytes.EMPTY)
        : gateway.objects().readRange(at, 0, first, file.etag());
    return new Pending(file, at, lock, read);
  }

  private Manifest.Entry copy(Pending pending, TarWriter tar, String archive) throws IOException {
    ObjectInfo file = pending.file();
    RangeBytes first;
    try {
      first = ObjectOperations.await(pending.first());
    } catch (StoreException e) {
      if (!changed(e)) {
        throw e;
      }
      add("changed", 1);
      log.info("{}: {} changed or went since it was listed; the next run takes it", purpose, pending.at());
      return null;
    }
    tar.start(ArchivePlan.nameOf(file.key()), file.size(), file.lastModified());
    write(tar, first);
    for (long at = first.length(); at < file.size(); ) {
      int n = (int) Math.min(CHUNK, file.size() - at);
      try {
        write(tar, ObjectOperations.await(gateway.objects().readRange(pending.at(), at, n, file.etag())));
      } catch (StoreException e) {
        throw changed(e) ? JobException.retryable(pending.at() + " changed while it was archived; the archive is"
            + " made again without it", e) : e;
      }
      at += n;
    }
    TarWriter.Written written = tar.end();
    return new Manifest.Entry(pending.at().toString(), archive, written.offset(), written.size(), written.sha256(),
        Etags.normalize(file.etag()), file.lastModified().toString());
  }

  private static boolean changed(StoreException e) {
    return e.kind() == StoreException.Kind.PRECONDITION_FAILED || e.kind() == StoreException.Kind.NOT_FOUND;
  }

  private static void write(TarWriter tar, RangeBytes bytes) throws IOException {
    for (byte[] chunk : bytes.chunks()) {
      tar.write(chunk, 0, chunk.length);
    }
  }

  private void writeManifest(S3Location at, Manifest manifest) throws IOException {
    byte[] json = JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(manifest);
    job.ensureHeld();
    try (StreamingUpload upload = gateway.objects().upload(at,
        ObjectChange.by(origin, purpose + ": writing " + at))) {
      upload.write(json, 0, json.length);
      upload.commit();
    }
  }

  private Optional<Manifest> read(S3Location at) throws IOException {
    try (InputStream in = ObjectOperations.await(gateway.objects().openFrom(at, 0))) {
      return Optional.of(JSON.readValue(in, Manifest.class));
    } catch (StoreException e) {
      if (e.kind() == StoreException.Kind.NOT_FOUND) {
        return Optional.empty();
      }
      throw e;
    }
  }

  /** Leaves a marker that the manifest at {@code at} is to be indexed (none without an index). */
  private void markUnindexed(S3Location at) throws IOException {
    if (index != null) {
      gateway.objects().putMarker(markerOf(at));
    }
  }

  private S3Location markerOf(S3Location manifest) {
    S3Location manifests = spec.manifests();
    return manifests.resolve(UNINDEXED + manifest.key().substring(manifests.key().length()));
  }

  /**
   * Deletes the originals of a committed archive, a few hundred per request, each under its path
   * lock and only if it is still the version archived: one replaced or busy meanwhile stays.
   */
  private void deleteOriginals(List<Manifest.Entry> entries) throws IOException {
    for (int from = 0; from < entries.size(); from += DELETE_BATCH) {
      Map<String, String> archived = new LinkedHashMap<>();
      for (Manifest.Entry entry : entries.subList(from, Math.min(entries.size(), from + DELETE_BATCH))) {
        archived.put(S3Location.parseObject(entry.key()).orElseThrow().key(), entry.etag());
      }
      add("kept", gateway.objects().deleteUnchanged(spec.bucket(), archived, change()).kept().size());
    }
  }

  /**
   * Sends the manifests not yet indexed (of this run and of earlier ones) to the index, oldest
   * first; stops at the first failure, which fails the attempt: the job engine retries it, and the
   * manifests stay marked for the next attempt or run.
   */
  private void indexPending() throws IOException, InterruptedException {
    if (index == null) {
      return;
    }
    S3Location markers = spec.manifests().resolve(UNINDEXED);
    int indexed = 0;
    List<ObjectInfo> pending = list(markers);
    try {
      for (ObjectInfo marker : pending) {
        S3Location manifestAt = spec.manifests().resolve(marker.key().substring(markers.key().length()));
        Optional<Manifest> manifest = read(manifestAt);
        if (manifest.isPresent()) {
          bulk.send(index, manifest.get(), manifestAt.toString());
          log.info("{}: indexed {} ({} files) into {}", purpose, manifestAt, manifest.get().files().size(),
              index.name());
        }
        gateway.objects().deleteMarker(new S3Location(markers.bucket(), marker.key()));
        indexed++;
      }
    } finally {
      add("indexed", indexed);
      set("indexPending", pending.size() - indexed);
      save(null);
    }
  }

  private S3Location location(String key) {
    return new S3Location(spec.bucket(), key);
  }

  /** The path lock of {@code at}, or null when a client's transfer, delete or rename holds it. */
  private ObjectHold lock(S3Location at) throws IOException {
    try {
      return gateway.objects().hold(at, ObjectChange.by(origin, purpose));
    } catch (ObjectBusyException e) {
      log.info("{}: {} is busy ({}); it waits for the next run", purpose, at, e.getCause().getMessage());
      return null;
    }
  }

  private long count(String name) {
    return counts.getOrDefault(name, 0L);
  }

  private void add(String name, long n) {
    counts.merge(name, n, Long::sum);
  }

  private void set(String name, long value) {
    counts.put(name, value);
  }

  /** Records the counts, and the archive being written ({@code current}, null when none), in the job's record. */
  private void save(String current) throws IOException {
    Map<String, Long> now = new LinkedHashMap<>(counts);
    long bytes = count("bytes");
    job.update(r -> r.withCounts(now, bytes, current));
    job.save();
  }
}
