package dev.ferry.core.catalog;

import dev.ferry.core.s3.Etags;
import dev.ferry.core.s3.ObjectFacts;
import dev.ferry.core.s3.ObjectInfo;
import dev.ferry.core.s3.S3Location;
import dev.ferry.core.state.Database;
import dev.ferry.core.state.StateStoreException;
import dev.ferry.core.thread.DaemonThreads;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ferry's facts about the objects it writes (SHA-256, client-set time), kept in the state store
 * instead of in the objects' metadata: S3 fixes an object's metadata when its upload starts, and
 * writing a fact later would mean copying the object onto itself, a second full write, a second
 * ObjectCreated event and, in a versioned bucket, a second version. Every entry is keyed by bucket,
 * key and ETag and counts only while the object in S3 has that ETag, so nothing needs to be done
 * when another S3 client replaces or deletes an object: its entry simply stops matching.
 *
 * <p>Its writes are committed without waiting for the disk ({@link Database#transactionNotFlushed}):
 * the bytes are in S3, and a fact lost to a crash of the machine (not of Ferry) in the moment after
 * it was recorded only makes the object look like one another S3 client wrote (S3's time shown,
 * SHA-256 unknown: a transfer checks its size, a full sync copies it again). Flushing each one
 * cost a small file's create, setstat, rename and remove 0.5-1 ms each, on top of 1-3 ms of S3.
 */
public final class ObjectCatalog implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ObjectCatalog.class);

  /** One entry to record: an object's key in a bucket, the ETag it is valid for, the facts. */
  public record Entry(String key, String etag, ObjectFacts facts) {}

  private static final String UPSERT = "INSERT INTO object_facts"
      + " (bucket, object_key, etag, sha256, client_time_second, client_time_nano, recorded_at)"
      + " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (bucket, object_key, etag) DO UPDATE SET"
      + " sha256 = excluded.sha256, client_time_second = excluded.client_time_second,"
      + " client_time_nano = excluded.client_time_nano, recorded_at = excluded.recorded_at";
  private static final String SET_TIME = "INSERT INTO object_facts"
      + " (bucket, object_key, etag, sha256, client_time_second, client_time_nano, recorded_at)"
      + " VALUES (?, ?, ?, NULL, ?, ?, ?) ON CONFLICT (bucket, object_key, etag) DO UPDATE SET"
      + " client_time_second = excluded.client_time_second, client_time_nano = excluded.client_time_nano,"
      + " recorded_at = excluded.recorded_at";
  private static final String SELECT = "SELECT object_key, etag, sha256, client_time_second, client_time_nano"
      + " FROM object_facts WHERE bucket = ? AND object_key";
  /** Keys per query when looking up a listing page: well within every driver's parameter limit. */
  private static final int KEYS_PER_QUERY = 500;

  /** How long {@link #close} waits for the forgets still waiting to run. */
  private static final Duration CLOSE_PATIENCE = Duration.ofSeconds(10);

  private final Database database;
  private final Clock clock;
  private final CatalogTidying tidying;
  /** The thread the forgets run on; null where the caller gave the runner. */
  private final ExecutorService tidyingThread;

  public ObjectCatalog(Database database, Clock clock) {
    this(database, clock, Executors.newSingleThreadExecutor(DaemonThreads.named("ferry-catalog-tidying")), true);
  }

  /** A catalog whose forgets run where {@code runner} runs them (tests hold them back this way). */
  ObjectCatalog(Database database, Clock clock, Executor runner) {
    this(database, clock, runner, false);
  }

  private ObjectCatalog(Database database, Clock clock, Executor runner, boolean ownsRunner) {
    this.database = database;
    this.clock = clock;
    this.tidying = new CatalogTidying(database, runner);
    this.tidyingThread = ownsRunner ? (ExecutorService) runner : null;
  }

  /** The facts recorded for version {@code etag} of {@code object}, if any. */
  public Optional<ObjectFacts> find(S3Location object, String etag) throws StateStoreException {
    String wanted = Etags.normalize(etag);
    return database.run("looking up " + object, connection -> {
      try (PreparedStatement select = connection.prepareStatement(SELECT + " = ? AND etag = ?")) {
        select.setString(1, object.bucket());
        select.setString(2, object.key());
        select.setString(3, wanted);
        try (ResultSet rows = select.executeQuery()) {
          return rows.next() ? Optional.of(facts(rows)) : Optional.<ObjectFacts>empty();
        }
      }
    });
  }

  /**
   * The facts of an object from its HEAD: the catalog's for its ETag, else what its own metadata
   * carries (objects written before the catalog, or by tools that record the same way).
   */
  public ObjectFacts factsOf(S3Location object, ObjectInfo head) throws StateStoreException {
    return find(object, head.etag()).orElseGet(() -> ObjectFacts.fromMetadata(head.metadata()));
  }

  /**
   * The entries of many objects of one bucket at once (a listing page), by key, each only if its
   * ETag is the one given for the key.
   */
  public Map<String, ObjectFacts> findAll(String bucket, Map<String, String> etagsByKey) throws StateStoreException {
    Map<String, ObjectFacts> found = new HashMap<>();
    List<String> keys = new ArrayList<>(etagsByKey.keySet());
    for (int from = 0; from < keys.size(); from += KEYS_PER_QUERY) {
      List<String> batch = keys.subList(from, Math.min(keys.size(), from + KEYS_PER_QUERY));
      String sql = SELECT + " IN (" + "?,".repeat(batch.size() - 1) + "?)";
      database.run("looking up " + batch.size() + " objects in " + bucket, connection -> {
        try (PreparedStatement select = connection.prepareStatement(sql)) {
          select.setString(1, bucket);
          for (int i = 0; i < batch.size(); i++) {
            select.setString(i + 2, batch.get(i));
          }
          try (ResultSet rows = select.executeQuery()) {
            while (rows.next()) {
              String key = rows.getString(1);
              if (rows.getString(2).equals(Etags.normalize(etagsByKey.get(key)))) {
                found.put(key, facts(rows));
              }
            }
          }
        }
        return null;
      });
    }
    return found;
  }

  /**
   * The entries of the files of one listing page, by key, each for the ETag the page gives it;
   * directory markers ("dir/") have none.
   */
  public Map<String, ObjectFacts> findListed(String bucket, List<ObjectInfo> listed) throws StateStoreException {
    Map<String, String> etags = new HashMap<>();
    for (ObjectInfo object : listed) {
      if (!object.key().endsWith("/")) {
        etags.put(object.key(), object.etag());
      }
    }
    return etags.isEmpty() ? Map.of() : findAll(bucket, etags);
  }

  /** Records {@code facts} for version {@code etag} of {@code object}, replacing what it had. */
  public void record(S3Location object, String etag, ObjectFacts facts) throws StateStoreException {
    recordAll(object.bucket(), List.of(new Entry(object.key(), etag, facts)));
  }

  /** Records many entries of one bucket in one transaction. */
  public void recordAll(String bucket, List<Entry> entries) throws StateStoreException {
    if (entries.isEmpty()) {
      return;
    }
    long now = clock.millis();
    String operation = "recording the facts of " + describe(bucket, entries);
    if (entries.size() == 1) {
      // One statement, atomic by itself: no transaction around it (on PostgreSQL, one round trip).
      database.runNotFlushed(operation, connection -> {
        try (PreparedStatement upsert = connection.prepareStatement(UPSERT)) {
          bindUpsert(upsert, bucket, entries.get(0), now);
          return upsert.executeUpdate();
        }
      });
      return;
    }
    database.transactionNotFlushed(operation, connection -> {
      try (PreparedStatement upsert = connection.prepareStatement(UPSERT)) {
        for (Entry entry : entries) {
          bindUpsert(upsert, bucket, entry, now);
          upsert.addBatch();
        }
        upsert.executeBatch();
      }
      return null;
    });
  }

  private static void bindUpsert(PreparedStatement upsert, String bucket, Entry entry, long now) throws SQLException {
    upsert.setString(1, bucket);
    upsert.setString(2, entry.key());
    upsert.setString(3, Etags.normalize(entry.etag()));
    upsert.setString(4, entry.facts().sha256());
    setTime(upsert, 5, entry.facts().clientTime());
    upsert.setLong(7, now);
  }

  /** Sets the client's time of version {@code etag} of {@code object}, keeping its SHA-256. */
  public void setClientTime(S3Location object, String etag, Instant time) throws StateStoreException {
    database.runNotFlushed("recording the time of " + object, connection -> {
      try (PreparedStatement upsert = connection.prepareStatement(SET_TIME)) {
        upsert.setString(1, object.bucket());
        upsert.setString(2, object.key());
        upsert.setString(3, Etags.normalize(etag));
        setTime(upsert, 4, time);
        upsert.setLong(6, clock.millis());
        return upsert.executeUpdate();
      }
    });
  }

  /**
   * Drops the entries of every other version of {@code object} than {@code etag}, after this
   * returns ({@link CatalogTidying}). Like the other forgets, it only tidies: entries of versions
   * gone match nothing, so a failure is logged, not thrown, and leaves them taking room until the
   * key is written or deleted again.
   */
  public void forgetOthers(S3Location object, String etag) {
    tidying.ask(new CatalogTidying.Drop(object.bucket(), object.key(), Etags.normalize(etag), clock.millis()));
  }

  /** Drops every entry of {@code object} (it was deleted), after this returns. */
  public void forget(S3Location object) {
    forgetAll(object.bucket(), List.of(object.key()));
  }

  /** Drops every entry of these keys of one bucket (deleted or moved), after this returns. */
  public void forgetAll(String bucket, Collection<String> keys) {
    long now = clock.millis();
    for (String key : keys) {
      tidying.ask(new CatalogTidying.Drop(bucket, key, null, now));
    }
  }

  /** Waits until every forget asked before this call has run. */
  void awaitTidied() throws InterruptedException {
    tidying.awaitIdle();
  }

  /** Runs the forgets still waiting (for at most {@link #CLOSE_PATIENCE}); later ones run on their askers. */
  @Override
  public void close() {
    if (tidyingThread == null) {
      return;
    }
    tidyingThread.shutdown();
    try {
      if (!tidyingThread.awaitTermination(CLOSE_PATIENCE.toMillis(), TimeUnit.MILLISECONDS)) {
        log.warn("the catalog's tidying did not end within {}; the entries left stay, matching nothing", CLOSE_PATIENCE);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void setTime(PreparedStatement statement, int index, Instant time) throws SQLException {
    if (time == null) {
      statement.setNull(index, Types.BIGINT);
      statement.setNull(index + 1, Types.INTEGER);
    } else {
      statement.setLong(index, time.getEpochSecond());
      statement.setInt(index + 1, time.getNano());
    }
  }

  private static ObjectFacts facts(ResultSet row) throws SQLException {
    String sha256 = row.getString(3);
    long second = row.getLong(4);
    Instant time = row.wasNull() ? null : Instant.ofEpochSecond(second, row.getInt(5));
    return new ObjectFacts(sha256, time);
  }

  private static String describe(String bucket, List<Entry> entries) {
    return entries.size() == 1 ? "s3://" + bucket + "/" + entries.get(0).key() : entries.size() + " objects in " + bucket;
  }
}
