package dev.ferry.jobs.workflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.FerryConfig;
import dev.ferry.core.config.ConfigException;
import dev.ferry.core.event.FileEvent;
import dev.ferry.core.event.Origin;
import dev.ferry.core.event.SessionInfo;
import dev.ferry.core.s3.S3Location;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkflowConfigTest {

  @TempDir
  Path dir;

  List<WorkflowDefinition> parse(String workflows, Map<String, String> env) throws IOException {
    Path file = Files.writeString(dir.resolve("ferry.yaml"),
        "users:\n  - name: ops\n    home: s3://ferry-data/ops/\n" + workflows);
    return WorkflowConfig.parse(FerryConfig.load(file, env));
  }

  static FileEvent upload(Origin origin, String path, long bytes) {
    return new FileEvent("e1", Instant.now(), FileEvent.Type.UPLOADED, origin, path,
        new S3Location("in", "partner" + path), null, null, bytes, "ab", null, null);
  }

  /** The commented example in ferry.example.yaml, uncommented, is valid and matches what it says. */
  @Test
  void exampleConfig_commentedWorkflow_validAndMatchesAsDocumented() throws IOException {
    List<String> section = new ArrayList<>(List.of("workflows:"));
    boolean in = false;
    for (String line : Files.readAllLines(Path.of("..", "ferry.example.yaml"))) {
      if (line.equals("workflows: []")) {
        in = true;
        continue;
      }
      if (in && !line.startsWith("#")) {
        break;
      }
      if (in && !line.trim().startsWith("#      #")) {
        section.add(line.substring(1));
      }
    }
    List<WorkflowDefinition> workflows = parse(String.join("\n", section) + "\n",
        Map.of("FERRY_HOOK_SECRET", "a-secret-of-at-least-16"));
    assertEquals(1, workflows.size());
    WorkflowDefinition archive = workflows.get(0);
    assertEquals(3, archive.steps().size());
    assertInstanceOf(WorkflowStep.Copy.class, archive.steps().get(0));
    assertInstanceOf(WorkflowStep.Notify.class, archive.steps().get(1));
    assertInstanceOf(WorkflowStep.Move.class, archive.steps().get(2));

    Origin partner = Origin.client(new SessionInfo("s1", "SFTP", "127.0.0.1", "partner"));
    Origin other = Origin.client(new SessionInfo("s2", "SFTP", "127.0.0.1", "other"));
    assertTrue(archive.matches(upload(partner, "/incoming/2026/a.csv", 10)));
    assertFalse(archive.matches(upload(partner, "/incoming/a.txt", 10)), "path glob");
    assertFalse(archive.matches(upload(other, "/incoming/a.csv", 10)), "users");
    assertFalse(archive.matches(upload(partner, "/incoming/empty.csv", 0)), "minSize");
    assertFalse(archive.matches(upload(Origin.of(Origin.Kind.SYNC, "partner-a"), "/incoming/a.csv", 10)),
        "ingest's uploads only when a rule opts in");
  }

  @Test
  void unknownStepNoStepsOrWorkflowOrigin_refusedNamingTheKey() {
    ConfigException unknown = assertThrows(ConfigException.class, () -> parse("""
        workflows:
          - name: w
            steps:
              - unzip: s3://b/x/
        """, Map.of()));
    assertTrue(unknown.getMessage().contains("workflows[0].steps[0]"), unknown.getMessage());
    ConfigException none = assertThrows(ConfigException.class, () -> parse("""
        workflows:
          - name: w
        """, Map.of()));
    assertTrue(none.getMessage().contains("workflows[0].steps"), none.getMessage());
    ConfigException origin = assertThrows(ConfigException.class, () -> parse("""
        workflows:
          - name: w
            match: { origins: [workflow] }
            steps:
              - delete: true
        """, Map.of()));
    assertTrue(origin.getMessage().contains("workflows[0].match.origins"), origin.getMessage());
  }
}
