package dev.ferry.jobs.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.admin.AdminCaller;
import dev.ferry.core.admin.AdminResponse;
import dev.ferry.core.admin.AdminRole;
import dev.ferry.core.admin.AdminStatus;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AdminCommandRegistryTest {

  /** A command that echoes what the chain let through. */
  static final class Echo extends AdminCommand<Void> {
    Echo() {
      super(Syntax.changes("echo", "echo <word> [--times N] [--loud]", 1).accepting(1, 1, Set.of("times"),
          Set.of("loud")));
    }

    @Override
    public AdminResponse<Void> run(AdminRequest request) {
      AdminArgs args = request.args();
      return AdminResponse.ok(args.positional(0) + " " + args.option("times") + " " + args.flag("loud"), null);
    }
  }

  /** A command that only reads, and counts its runs. */
  static final class Peek extends AdminCommand<Void> {
    int runs;

    Peek() {
      super(Syntax.reads("peek", "peek", 0));
    }

    @Override
    public AdminResponse<Void> run(AdminRequest request) {
      runs++;
      return AdminResponse.ok("peeked", null);
    }
  }

  /** A command that changes state: counts its runs. */
  static final class Poke extends AdminCommand<Void> {
    int runs;

    Poke() {
      super(Syntax.changes("poke", "poke", 0));
    }

    @Override
    public AdminResponse<Void> run(AdminRequest request) {
      runs++;
      return AdminResponse.ok("poked", null);
    }
  }

  final Peek peek = new Peek();
  final Poke poke = new Poke();
  final AdminCommandRegistry registry = new AdminCommandRegistry(List.of(new Echo(), peek, poke));
  final AdminCaller reader = new AdminCaller("token:ci", AdminRole.READ_ONLY, "test");
  final AdminCaller admin = new AdminCaller("root", true, "test");

  @Test
  void execute_validRequest_runsWithParsedArgs() {
    AdminResponse response = registry.execute(AdminRequest.of(admin, "echo", List.of("hi", "--times", "3",
        "--loud", "--json")));
    assertEquals(AdminStatus.OK, response.status());
    assertEquals("hi 3 true", response.text());
  }

  @Test
  void execute_nonAdmin_refusedBeforeAnythingElse() {
    AdminResponse response = registry.execute(AdminRequest.of(new AdminCaller("bob", false, "test"), "nope",
        List.of()));
    assertEquals(AdminStatus.REFUSED, response.status());
    assertTrue(response.text().contains("bob"));
  }

  @Test
  void execute_readOnlyCallerAndReadingCommand_runs() {
    AdminResponse response = registry.execute(AdminRequest.of(reader, "peek", List.of()));
    assertEquals(AdminStatus.OK, response.status());
    assertEquals(1, peek.runs);
  }

  @Test
  void execute_readOnlyCallerAndChangingCommand_refusedNamingCommandAndRole_notRun() {
    AdminResponse response = registry.execute(AdminRequest.of(reader, "poke", List.of()));
    assertEquals(AdminStatus.REFUSED, response.status());
    assertTrue(response.text().contains("'poke'") && response.text().contains("read-only")
        && response.text().contains("token:ci"), response.text());
    assertEquals(0, poke.runs);
    assertEquals(AdminStatus.OK, registry.execute(AdminRequest.of(admin, "poke", List.of())).status());
    assertEquals(1, poke.runs);
  }

  @Test
  void execute_readOnlyCallerAndUnknownCommand_notFound() {
    assertEquals(AdminStatus.NOT_FOUND, registry.execute(AdminRequest.of(reader, "rm", List.of())).status());
  }

  @Test
  void execute_unknownCommand_notFoundListingCommands() {
    AdminResponse response = registry.execute(AdminRequest.of(admin, "rm", List.of()));
    assertEquals(AdminStatus.NOT_FOUND, response.status());
    assertTrue(response.text().contains("echo"));
  }

  @Test
  void execute_unknownOptionOrMissingArgument_badRequestWithUsage() {
    assertEquals(AdminStatus.BAD_REQUEST, registry.execute(AdminRequest.of(admin, "echo", List.of("x", "--force")))
        .status());
    AdminResponse missing = registry.execute(AdminRequest.of(admin, "echo", List.of()));
    assertEquals(AdminStatus.BAD_REQUEST, missing.status());
    assertTrue(missing.text().contains("usage: echo"));
  }

  @Test
  void json_error_namesStatusAndMessage() {
    String json = AdminResponse.error(AdminStatus.NOT_FOUND, "no job 'x'").json();
    assertEquals("{\"ok\":false,\"status\":\"NOT_FOUND\",\"error\":\"no job 'x'\"}", json);
  }
}
