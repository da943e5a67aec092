package dev.ferry.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * The activity log's rotating file of deploy/logback-activity-file.xml (the surefire configuration
 * of this module points logback at it) as one test reads it: the lines written since it started,
 * parsed. The file is shared by every test of the module, and by earlier runs.
 */
public final class ActivityFile {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final int firstLine;

  private ActivityFile(int firstLine) {
    this.firstLine = firstLine;
  }

  /** Reads from the lines written after now. */
  public static ActivityFile fromNow() {
    return new ActivityFile(allLines().size());
  }

  private static List<String> allLines() {
    String file = System.getProperty("FERRY_ACTIVITY_FILE");
    assertNotNull(file, "FERRY_ACTIVITY_FILE is set for this module's tests (gateway-server/pom.xml)");
    try {
      return Files.exists(Path.of(file)) ? Files.readAllLines(Path.of(file)) : List.of();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The lines written since {@link #fromNow}, parsed. */
  public List<JsonNode> lines() {
    List<String> all = allLines();
    List<JsonNode> parsed = new ArrayList<>();
    for (String line : all.subList(Math.min(firstLine, all.size()), all.size())) {
      try {
        parsed.add(JSON.readTree(line));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return parsed;
  }

  public static JsonNode only(List<JsonNode> lines, Predicate<JsonNode> which, String what) {
    List<JsonNode> found = lines.stream().filter(which).toList();
    assertEquals(1, found.size(), what + ": " + found);
    return found.get(0);
  }

  /** Lines of {@code activity} ("OPEN", "AUTH_FAILURE"...) on {@code path} (null: any). */
  public static Predicate<JsonNode> is(String activity, String path) {
    return l -> activity.equals(l.path("activity").asText()) && (path == null || path.equals(l.path("path").asText()));
  }
}
