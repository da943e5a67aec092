package dev.ferry.core.upload;

import dev.ferry.core.s3.S3Location;
import dev.ferry.core.state.Database;
import dev.ferry.core.state.Nodes;
import dev.ferry.core.state.StateStoreException;
import dev.ferry.core.store.MultipartUploadInfo;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The multipart uploads started and not yet completed or aborted, each with the node writing it, in
 * the state store. It survives a crash, so the orphan sweep knows which uploads in S3 are Ferry's
 * orphans (S3 cannot tell who started an upload when everyone uses one key): those of a node that
 * stopped heartbeating, and this node's own that no open upload owns.
 */
public final class UploadJournal {

  private static final Logger log = LoggerFactory.getLogger(UploadJournal.class);

  /** A journaled upload, the node writing it, and whether that node is alive (heartbeat within its lease). */
  public record Entry(MultipartUploadInfo upload, String nodeId, boolean nodeAlive) {}

  private final Database database;
  private final Nodes nodes;
  private final boolean shared;

  /**
   * {@code shared}: whether several nodes use the store. The embedded store has one node, so an
   * entry of another node id is this node's earlier run (stopped or killed), dead whatever its last
   * heartbeat: its uploads are swept at the next start, not a lease later.
   */
  public UploadJournal(Database database, Nodes nodes, boolean shared) {
    this.database = database;
    this.nodes = nodes;
    this.shared = shared;
  }

  /** Records an upload this node started; a failure means the upload must not go on. */
  public void started(MultipartUploadInfo upload) throws StateStoreException {
    database.run("journaling upload " + upload.uploadId() + " of " + upload.location(), connection -> {
      try (PreparedStatement insert = connection.prepareStatement("INSERT INTO upload_journal"
          + " (upload_id, bucket, object_key, node_id, started_at) VALUES (?, ?, ?, ?, ?)")) {
        insert.setString(1, upload.uploadId());
        insert.setString(2, upload.location().bucket());
        insert.setString(3, upload.location().key());
        insert.setString(4, nodes.selfId());
        insert.setLong(5, upload.initiated().toEpochMilli());
        return insert.executeUpdate();
      }
    });
  }

  /** The upload was completed or aborted; an entry left by a failure here is swept (abort of a finished upload is harmless). */
  public void finished(String uploadId) {
    try {
      database.run("removing upload " + uploadId + " from the journal", connection -> {
        try (PreparedStatement delete = connection.prepareStatement("DELETE FROM upload_journal WHERE upload_id = ?")) {
          delete.setString(1, uploadId);
          return delete.executeUpdate();
        }
      });
    } catch (StateStoreException e) {
      log.warn("{}", e.getMessage());
    }
  }

  public List<Entry> entries() throws StateStoreException {
    long aliveSince = nodes.aliveSince();
    return database.run("reading the upload journal", connection -> {
      try (PreparedStatement select = connection.prepareStatement("SELECT j.upload_id, j.bucket, j.object_key,"
          + " j.node_id, j.started_at, n.heartbeat_at FROM upload_journal j LEFT JOIN nodes n ON n.node_id = j.node_id")) {
        List<Entry> entries = new ArrayList<>();
        try (ResultSet rows = select.executeQuery()) {
          while (rows.next()) {
            long heartbeat = rows.getLong(6);
            boolean alive = !rows.wasNull() && heartbeat >= aliveSince
                && (shared || rows.getString(4).equals(nodes.selfId()));
            entries.add(new Entry(new MultipartUploadInfo(new S3Location(rows.getString(2), rows.getString(3)),
                rows.getString(1), Instant.ofEpochMilli(rows.getLong(5))), rows.getString(4), alive));
          }
        }
        return entries;
      }
    });
  }

  /**
   * Takes over the journal files of a Ferry before the state store ({@code dataDir/uploads}, one
   * file per upload: bucket, key, upload id, start in ms) as this node's entries, and removes them.
   */
  public int importFiles(Path directory) throws IOException {
    if (!Files.isDirectory(directory)) {
      return 0;
    }
    int imported = 0;
    try (Stream<Path> files = Files.list(directory)) {
      for (Path file : (Iterable<Path>) files::iterator) {
        if (!file.getFileName().toString().endsWith(".upload")) {
          continue;
        }
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        if (lines.size() >= 4) {
          started(new MultipartUploadInfo(new S3Location(lines.get(0), lines.get(1)), lines.get(2),
              Instant.ofEpochMilli(Long.parseLong(lines.get(3).trim()))));
          imported++;
        } else {
          log.warn("ignoring unreadable upload journal file {}", file);
        }
        Files.delete(file);
      }
    }
    if (imported > 0) {
      log.info("imported {} journaled uploads from {} into the state store", imported, directory);
    }
    return imported;
  }

  /** This node's id, which its own entries carry. */
  String selfId() {
    return nodes.selfId();
  }
}
