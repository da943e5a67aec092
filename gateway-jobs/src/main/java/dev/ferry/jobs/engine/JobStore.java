package dev.ferry.jobs.engine;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.jsontype.NamedType;
import dev.ferry.core.state.Database;
import dev.ferry.core.state.StateStoreException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The jobs in the state store, shared by every node. A node runs a job only while it holds
 * its claim: it claims a job that is due and has no live owner, and every later write of the job
 * names the claim number and succeeds only while that is still the job's (fencing). A node that
 * froze past its lease finds, on waking, that its writes change nothing: the job was claimed again.
 *
 * <p>Claims take the first due job with {@code FOR UPDATE SKIP LOCKED} on PostgreSQL, so nodes
 * claiming at once each get a different job without waiting for each other; SQLite has one writer
 * at a time, so its transaction alone makes the claim atomic.
 */
public final class JobStore {

  private static final Logger log = LoggerFactory.getLogger(JobStore.class);
  /** Writes jobs of any kind; each JobStore adds the kinds it is given to its own copy, to read them. */
  static final ObjectMapper JSON = new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private static final String UNFINISHED = "('QUEUED', 'WAITING_FOR_SPACE', 'RUNNING', 'VERIFYING')";
  /**
   * The owner of a row is alive when its node heartbeated since the time given. A row picked
   * {@code FOR UPDATE} is read again once locked: PostgreSQL re-checks a row that another claim
   * changed meanwhile on its newest version, but keeps the nodes row it joined (an anti-join, which
   * this sub-select becomes) as first read, so the newer owner would still look dead and the job
   * would be claimed twice.
   */
  private static final String OWNER_ALIVE =
      "EXISTS (SELECT 1 FROM nodes n WHERE n.node_id = j.owner_node AND n.heartbeat_at >= ?)";

  /** A job this node now holds, at claim number {@code claim}; {@code dueAt}: when it could first be claimed (ms). */
  record Claimed(JobRecord record, long claim, boolean cancelRequested, String previousOwner, long dueAt) {}

  /** What a fenced write found: the claim still held (and whether a cancel was asked for), or lost. */
  enum Saved { HELD, HELD_CANCEL_REQUESTED, LOST }

  /** What a cancel request did: ended the job itself, left it to its live owner, or found it already ended. */
  record CancelRequest(Outcome outcome, JobRecord record) {
    enum Outcome { CANCELLED, LEFT_TO_OWNER, ALREADY_ENDED, NOT_FOUND }
  }

  private final Database database;
  private final ObjectMapper json;

  /** Reads the specs of {@code kinds}; a spec stored without a kind is of the kind {@linkplain JobKind#storedWithoutKind() stored without one}. */
  public JobStore(Database database, List<JobKind> kinds) {
    this.database = database;
    this.json = JSON.copy();
    kinds.forEach(kind -> json.registerSubtypes(new NamedType(kind.spec(), kind.name())));
    kinds.stream().filter(kind -> kind.checkpoint() != null)
        .forEach(kind -> json.registerSubtypes(new NamedType(kind.checkpoint(), kind.name())));
    kinds.stream().filter(JobKind::storedWithoutKind).findFirst()
        .ifPresent(unnamed -> json.addHandler(new StoredWithoutKind(unnamed.spec())));
  }

  /** Stores a new job, unclaimed and due now. */
  void insert(JobRecord record, long now) throws StateStoreException {
    database.run("storing job " + record.id(), connection -> insert(connection, record, now, false));
  }

  /** Stores new jobs, all or none, unclaimed and due now. */
  void insertAll(List<JobRecord> records, long now) throws StateStoreException {
    database.transaction("storing " + records.size() + " jobs", connection -> {
      for (JobRecord record : records) {
        insert(connection, record, now, false);
      }
      return null;
    });
  }

  /**
   * Stores a new job, unclaimed and due now, unless it is a run of something that has an
   * unfinished run already: then nothing is stored and the answer is false. The unique index on
   * unfinished runs decides, so two nodes inserting at once cannot both succeed.
   */
  boolean insertUnlessRunning(JobRecord record, long now) throws StateStoreException {
    return database.run("storing job " + record.id(), connection -> insert(connection, record, now, true)) == 1;
  }

  /** {@code ignoreConflict}: a job whose id, or whose run, is already there is not stored (0), instead of failing. */
  private int insert(Connection connection, JobRecord record, long now, boolean ignoreConflict)
      throws SQLException {
    try (PreparedStatement insert = connection.prepareStatement("INSERT INTO jobs (job_id, state, created_at,"
        + " run_after, owner_node, claim, cancel_requested, record, run_of, finished_at)"
        + " VALUES (?, ?, ?, ?, NULL, 0, 0, ?, ?, ?)"
        + (ignoreConflict ? " ON CONFLICT DO NOTHING" : ""))) {
      insert.setString(1, record.id());
      insert.setString(2, record.state().name());
      insert.setLong(3, createdMillis(record, now));
      insert.setLong(4, now);
      insert.setString(5, json(record));
      insert.setString(6, record.spec().runOf());
      setFinished(insert, 7, record, now);
      return insert.executeUpdate();
    }
  }

  Optional<JobRecord> unfinishedRunOf(String runOf) throws StateStoreException {
    return oneRunOf("reading the unfinished run of " + runOf, "SELECT record FROM jobs WHERE run_of = ? AND state IN "
        + UNFINISHED, runOf);
  }

  Optional<JobRecord> latestRunOf(String runOf) throws StateStoreException {
    return oneRunOf("reading the last run of " + runOf, "SELECT record FROM jobs WHERE run_of = ?"
        + " ORDER BY created_at DESC, job_id DESC LIMIT 1", runOf);
  }

  private Optional<JobRecord> oneRunOf(String operation, String sql, String runOf) throws StateStoreException {
    return database.run(operation, connection -> {
      try (PreparedStatement select = connection.prepareStatement(sql)) {
        select.setString(1, runOf);
        try (ResultSet row = select.executeQuery()) {
          return row.next() ? Optional.of(parse(row.getString(1))) : Optional.<JobRecord>empty();
        }
      }
    });
  }

  /**
   * Claims the first due job that no live node holds (unclaimed, or its owner stopped
   * heartbeating before {@code aliveSince}) for {@code nodeId}, recording {@code nodeName} as the
   * node that runs it.
   */
  Optional<Claimed> claimNext(String nodeId, String nodeName, long aliveSince, long now) throws StateStoreException {
    for (int race = 1; ; race++) {
      ClaimTry tried = database.transaction("claiming a job",
          connection -> tryClaim(connection, nodeId, nodeName, aliveSince, now));
      if (!tried.raced() || race == CLAIM_RACES) {
        return Optional.ofNullable(tried.claimed());
      }
    }
  }

  /** Another node may claim the job this one picked first; then it tries the next, a few times. */
  private static final int CLAIM_RACES = 3;

  /** A claim made, none due ({@code claimed} null), or the picked job claimed by another node meanwhile ({@code raced}). */
  private record ClaimTry(Claimed claimed, boolean raced) {}

  private ClaimTry tryClaim(Connection connection, String nodeId, String nodeName, long aliveSince, long now)
      throws SQLException {
    String id;
    long dueAt;
    try (PreparedStatement query = connection.prepareStatement("SELECT j.job_id, j.run_after FROM jobs j"
        + " WHERE j.state IN " + UNFINISHED + " AND j.run_after <= ? AND NOT " + OWNER_ALIVE
        + " ORDER BY j.run_after, j.created_at, j.job_id LIMIT 1"
        + (database.vendor() == Database.Vendor.POSTGRESQL ? " FOR UPDATE SKIP LOCKED" : ""))) {
      query.setLong(1, now);
      query.setLong(2, aliveSince);
      try (ResultSet row = query.executeQuery()) {
        if (!row.next()) {
          return new ClaimTry(null, false);
        }
        id = row.getString(1);
        dueAt = row.getLong(2);
      }
    }
    // The row is locked now; read it again, and its owner's heartbeat, as they are at this moment.
    long claim;
    boolean cancel;
    JobRecord record;
    String previousOwner;
    try (PreparedStatement reread = connection.prepareStatement("SELECT j.claim, j.cancel_requested, j.record,"
        + " j.owner_node, " + OWNER_ALIVE + " FROM jobs j WHERE j.job_id = ?")) {
      reread.setLong(1, aliveSince);
      reread.setString(2, id);
      try (ResultSet row = reread.executeQuery()) {
        row.next();
        record = parse(row.getString(3));
        if (record.state().isFinal() || row.getBoolean(5)) {
          return new ClaimTry(null, true);
        }
        claim = row.getLong(1) + 1;
        cancel = row.getInt(2) != 0;
        previousOwner = row.getString(4);
      }
    }
    record = record.withNode(nodeName);
    try (PreparedStatement update = connection.prepareStatement(
        "UPDATE jobs SET owner_node = ?, claim = ?, record = ? WHERE job_id = ? AND claim = ?")) {
      update.setString(1, nodeId);
      update.setLong(2, claim);
      update.setString(3, json(record));
      update.setString(4, id);
      update.setLong(5, claim - 1);
      if (update.executeUpdate() != 1) {
        return new ClaimTry(null, true);
      }
    }
    return new ClaimTry(new Claimed(record, claim, cancel, previousOwner, dueAt), false);
  }

  /** Writes the job as this node holds it, if it still holds claim {@code claim}; says whether a cancel was asked for. */
  Saved save(JobRecord record, String nodeId, long claim) throws StateStoreException {
    return database.run("saving job " + record.id(), connection -> {
      try (PreparedStatement update = connection.prepareStatement("UPDATE jobs SET state = ?, record = ?,"
          + " finished_at = ? WHERE job_id = ? AND owner_node = ? AND claim = ? RETURNING cancel_requested")) {
        update.setString(1, record.state().name());
        update.setString(2, json(record));
        setFinished(update, 3, record, System.currentTimeMillis());
        update.setString(4, record.id());
        update.setString(5, nodeId);
        update.setLong(6, claim);
        try (ResultSet row = update.executeQuery()) {
          if (!row.next()) {
            return Saved.LOST;
          }
          return row.getInt(1) != 0 ? Saved.HELD_CANCEL_REQUESTED : Saved.HELD;
        }
      }
    });
  }

  /**
   * Writes the job and gives up its claim, if still held: it is due again at {@code runAfter} (a
   * retry, a free-space re-check, or at once after this node stops), for whichever node claims it.
   */
  boolean release(JobRecord record, String nodeId, long claim, long runAfter) throws StateStoreException {
    return database.run("releasing job " + record.id(), connection -> {
      try (PreparedStatement update = connection.prepareStatement("UPDATE jobs SET state = ?, record = ?,"
          + " owner_node = NULL, run_after = ?, finished_at = ? WHERE job_id = ? AND owner_node = ? AND claim = ?")) {
        update.setString(1, record.state().name());
        update.setString(2, json(record));
        update.setLong(3, runAfter);
        setFinished(update, 4, record, System.currentTimeMillis());
        update.setString(5, record.id());
        update.setString(6, nodeId);
        update.setLong(7, claim);
        return update.executeUpdate() == 1;
      }
    });
  }

  /** Whether {@code nodeId} still holds claim {@code claim} of the job. */
  boolean holds(String id, String nodeId, long claim) throws StateStoreException {
    return database.run("checking the claim on job " + id, connection -> {
      try (PreparedStatement select = connection.prepareStatement(
          "SELECT 1 FROM jobs WHERE job_id = ? AND owner_node = ? AND claim = ?")) {
        select.setString(1, id);
        select.setString(2, nodeId);
        select.setLong(3, claim);
        try (ResultSet row = select.executeQuery()) {
          return row.next();
        }
      }
    });
  }

  /**
   * Cancels a job that no live node runs (unclaimed, or its owner stopped heartbeating before
   * {@code aliveSince}) at once, with a new claim number so that a frozen owner that wakes changes
   * nothing; a job a live node runs is marked, and its owner ends it when it next writes.
   */
  CancelRequest requestCancel(String id, long aliveSince, String at) throws StateStoreException {
    return database.transaction("cancelling job " + id, connection -> {
      JobRecord record;
      boolean ownerAlive;
      if (database.vendor() == Database.Vendor.POSTGRESQL) {
        try (PreparedStatement lock = connection.prepareStatement("SELECT 1 FROM jobs WHERE job_id = ? FOR UPDATE")) {
          lock.setString(1, id);
          lock.executeQuery().close();
        }
      }
      try (PreparedStatement select = connection.prepareStatement("SELECT j.record, " + OWNER_ALIVE
          + " FROM jobs j WHERE j.job_id = ?")) {
        select.setLong(1, aliveSince);
        select.setString(2, id);
        try (ResultSet row = select.executeQuery()) {
          if (!row.next()) {
            return new CancelRequest(CancelRequest.Outcome.NOT_FOUND, null);
          }
          record = parse(row.getString(1));
          ownerAlive = row.getBoolean(2);
        }
      }
      if (record.state().isFinal()) {
        return new CancelRequest(CancelRequest.Outcome.ALREADY_ENDED, record);
      }
      if (ownerAlive) {
        try (PreparedStatement mark = connection.prepareStatement(
            "UPDATE jobs SET cancel_requested = 1 WHERE job_id = ?")) {
          mark.setString(1, id);
          mark.executeUpdate();
        }
        return new CancelRequest(CancelRequest.Outcome.LEFT_TO_OWNER, record);
      }
      JobRecord cancelled = record.withError("cancelled").withFinished(JobState.CANCELLED, at);
      try (PreparedStatement end = connection.prepareStatement("UPDATE jobs SET state = ?, record = ?,"
          + " owner_node = NULL, claim = claim + 1, cancel_requested = 1, finished_at = ? WHERE job_id = ?")) {
        end.setString(1, cancelled.state().name());
        end.setString(2, json(cancelled));
        setFinished(end, 3, cancelled, System.currentTimeMillis());
        end.setString(4, id);
        end.executeUpdate();
      }
      return new CancelRequest(CancelRequest.Outcome.CANCELLED, cancelled);
    });
  }

  Optional<JobRecord> find(String id) throws StateStoreException {
    return database.run("reading job " + id, connection -> {
      try (PreparedStatement select = connection.prepareStatement("SELECT record FROM jobs WHERE job_id = ?")) {
        select.setString(1, id);
        try (ResultSet row = select.executeQuery()) {
          return row.next() ? Optional.of(parse(row.getString(1))) : Optional.<JobRecord>empty();
        }
      }
    });
  }

  /** How many jobs are in each state (states with none are left out). */
  Map<JobState, Long> countByState() throws StateStoreException {
    return database.run("counting jobs by state", connection -> {
      try (PreparedStatement select = connection.prepareStatement("SELECT state, COUNT(*) FROM jobs GROUP BY state");
          ResultSet row = select.executeQuery()) {
        Map<JobState, Long> counts = new java.util.EnumMap<>(JobState.class);
        while (row.next()) {
          JobState state = JobState.parse(row.getString(1));
          if (state != null) {
            counts.put(state, row.getLong(2));
          }
        }
        return counts;
      }
    });
  }

  /**
   * At most {@code limit} jobs, or those in {@code state}, newest first; with {@code before}, those
   * created before that job (the last of the previous page). Empty when {@code before} is no job.
   */
  List<JobRecord> list(JobState state, int limit, String before) throws StateStoreException {
    return database.run("listing jobs", connection -> {
      String where = (state == null ? "" : " AND state = ?") + (before == null ? ""
          : " AND (created_at, job_id) < (SELECT c.created_at, c.job_id FROM jobs c WHERE c.job_id = ?)");
      try (PreparedStatement select = connection.prepareStatement("SELECT record FROM jobs WHERE 1 = 1" + where
          + " ORDER BY created_at DESC, job_id DESC LIMIT ?")) {
        int index = 1;
        if (state != null) {
          select.setString(index++, state.name());
        }
        if (before != null) {
          select.setString(index++, before);
        }
        select.setInt(index, limit);
        List<JobRecord> jobs = new ArrayList<>();
        try (ResultSet row = select.executeQuery()) {
          while (row.next()) {
            jobs.add(parse(row.getString(1)));
          }
        }
        return jobs;
      }
    });
  }

  /**
   * Deletes the jobs that ended before {@code cutoff}, keeping the latest run of each sync or batch
   * (what its next run and the console's "last run" read). Returns how many went.
   */
  int deleteFinishedBefore(long cutoff) throws StateStoreException {
    return database.run("deleting jobs finished before " + Instant.ofEpochMilli(cutoff), connection -> {
      try (PreparedStatement delete = connection.prepareStatement("DELETE FROM jobs WHERE finished_at < ?"
          + " AND (run_of IS NULL OR created_at < (SELECT MAX(r.created_at) FROM jobs r WHERE r.run_of = jobs.run_of))")) {
        delete.setLong(1, cutoff);
        return delete.executeUpdate();
      }
    });
  }

  /**
   * Gives up the claims of every node but {@code nodeId}: for the embedded store, which one node
   * uses, where any other owner is this node's previous run (stopped or killed), whose lease need
   * not be waited out.
   */
  int releaseOtherNodes(String nodeId) throws StateStoreException {
    return database.run("taking over the jobs of earlier runs", connection -> {
      try (PreparedStatement update = connection.prepareStatement(
          "UPDATE jobs SET owner_node = NULL WHERE owner_node IS NOT NULL AND owner_node <> ?")) {
        update.setString(1, nodeId);
        return update.executeUpdate();
      }
    });
  }

  /**
   * Takes over the job files of a Ferry before the state store ({@code dataDir/jobs}, one JSON file
   * per job): each becomes a job in the store (one already there is left as it is), unfinished ones
   * due now. The folder is then renamed to {@code jobs.imported}, so nothing is imported twice and
   * the files stay for an operator to read.
   */
  int importFiles(Path directory, long now) throws IOException {
    if (!Files.isDirectory(directory)) {
      return 0;
    }
    List<JobRecord> found = new ArrayList<>();
    try (Stream<Path> files = Files.list(directory)) {
      for (Path file : (Iterable<Path>) files::iterator) {
        if (file.getFileName().toString().endsWith(".json")) {
          try {
            found.add(json.readValue(file.toFile(), JobRecord.class));
          } catch (IOException e) {
            log.warn("job file {} cannot be read, not imported: {}", file, e.getMessage());
          }
        }
      }
    }
    int imported = database.transaction("importing the job files of " + directory, connection -> {
      int count = 0;
      for (JobRecord record : found) {
        count += insert(connection, record, now, true);
      }
      return count;
    });
    Path done = directory.resolveSibling(directory.getFileName() + ".imported");
    Files.move(directory, Files.exists(done) ? directory.resolveSibling(directory.getFileName() + ".imported-" + now)
        : done);
    log.info("imported {} jobs from {} into the state store (the files are kept in {})", imported, directory,
        done);
    return imported;
  }

  /** The job's end time (its record's, else {@code now}) when it is final; NULL while it is not. */
  private static void setFinished(PreparedStatement statement, int index, JobRecord record, long now)
      throws SQLException {
    if (!record.state().isFinal()) {
      statement.setNull(index, java.sql.Types.BIGINT);
      return;
    }
    long finished = now;
    try {
      finished = record.finished() == null ? now : Instant.parse(record.finished()).toEpochMilli();
    } catch (RuntimeException e) {
      // a record without a readable end time ended now, as far as retention goes
    }
    statement.setLong(index, finished);
  }

  private static long createdMillis(JobRecord record, long fallback) {
    try {
      return record.created() == null ? fallback : Instant.parse(record.created()).toEpochMilli();
    } catch (RuntimeException e) {
      return fallback;
    }
  }

  private String json(JobRecord record) {
    try {
      return json.writeValueAsString(record);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException("job " + record.id() + " cannot be written as JSON", e);
    }
  }

  private JobRecord parse(String text) throws SQLException {
    try {
      return json.readValue(text, JobRecord.class);
    } catch (JsonProcessingException e) {
      throw new SQLException("a stored job cannot be read: " + e.getOriginalMessage(), e);
    }
  }
}
