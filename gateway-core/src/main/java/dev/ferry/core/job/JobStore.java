package dev.ferry.core.job;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One JSON file per job in {@code dataDir/jobs}. Each save writes a temp file and renames it over
 * the old one, so a crash leaves either the previous or the new record, never half of one.
 */
public final class JobStore {

  private static final Logger log = LoggerFactory.getLogger(JobStore.class);
  static final ObjectMapper JSON = new ObjectMapper()
      .enable(SerializationFeature.INDENT_OUTPUT)
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private final Path directory;

  public JobStore(Path directory) throws IOException {
    this.directory = Files.createDirectories(directory);
  }

  public synchronized void save(JobRecord job) throws IOException {
    Path target = directory.resolve(job.id() + ".json");
    Path temp = directory.resolve(job.id() + ".json.tmp");
    Files.write(temp, JSON.writeValueAsBytes(job));
    try {
      Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /** Every stored job; a file that cannot be read is logged and skipped rather than stopping start-up. */
  public List<JobRecord> loadAll() throws IOException {
    List<JobRecord> jobs = new ArrayList<>();
    try (Stream<Path> files = Files.list(directory)) {
      for (Path file : (Iterable<Path>) files::iterator) {
        String name = file.getFileName().toString();
        if (name.endsWith(".json.tmp")) {
          Files.deleteIfExists(file);
        } else if (name.endsWith(".json")) {
          try {
            jobs.add(JSON.readValue(file.toFile(), JobRecord.class));
          } catch (IOException e) {
            log.warn("job file {} cannot be read, skipped: {}", file, e.getMessage());
          }
        }
      }
    }
    return jobs;
  }

  public Path directory() {
    return directory;
  }
}
