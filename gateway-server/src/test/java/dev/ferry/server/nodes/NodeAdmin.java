package dev.ferry.server.nodes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.core.testing.Await;
import dev.ferry.server.SshExec;
import dev.ferry.server.SshTestClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.apache.sshd.client.session.ClientSession;

/** An operator's admin commands over SSH exec on a node, as {@code ssh -p PORT ops@node 'job ID --json'}. */
record NodeAdmin(SshTestClient ssh, String user, String password) {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern JOB_ID = Pattern.compile("[0-9a-f]{12}");

  SshExec run(FerryNode node, String command) throws IOException {
    try (ClientSession session = ssh.login(user, node.sftpPort, password)) {
      return SshExec.run(session, command, Duration.ofSeconds(90));
    }
  }

  /** {@code transfer SOURCE HOST:PATH OPTIONS} on {@code node}: the new job's id. */
  String transfer(FerryNode node, String source, String destination, String options) throws IOException {
    SshExec created = run(node, "transfer " + source + " " + destination + " " + options);
    assertEquals(0, created.status(), created.err());
    String id = created.out().strip();
    assertTrue(JOB_ID.matcher(id).matches(), "transfer answered '" + id + "'");
    return id;
  }

  /** The job as {@code job ID --json} on {@code node} shows it. */
  JsonNode job(FerryNode node, String id) {
    try {
      SshExec shown = run(node, "job " + id + " --json");
      assertEquals(0, shown.status(), shown.err());
      return JSON.readTree(shown.out()).get("data");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  JsonNode awaitJob(FerryNode node, String id, Predicate<JsonNode> until, Duration timeout, String what) {
    JsonNode[] last = new JsonNode[1];
    Await.until(() -> until.test(last[0] = job(node, id)), timeout, "job " + id + " " + what);
    return last[0];
  }

  static boolean ended(JsonNode job) {
    String state = job.get("state").asText();
    return state.equals("DONE") || state.equals("FAILED") || state.equals("CANCELLED");
  }
}
