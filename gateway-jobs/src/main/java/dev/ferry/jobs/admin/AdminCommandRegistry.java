package dev.ferry.jobs.admin;

import dev.ferry.core.admin.AdminCaller;
import dev.ferry.core.admin.AdminConsole;
import dev.ferry.core.admin.AdminException;
import dev.ferry.core.admin.AdminResponse;
import dev.ferry.core.admin.AdminRole;
import dev.ferry.core.admin.AdminStatus;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin commands, run the same way for every surface (SSH exec, HTTP) through one listed chain:
 * audit, authorize, validate, run. Whatever goes wrong comes back as a response, never an exception.
 * The surfaces reach it as core's {@link AdminConsole}.
 */
public final class AdminCommandRegistry implements AdminConsole {

  private static final Logger log = LoggerFactory.getLogger(AdminCommandRegistry.class);

  private final Map<String, AdminCommand<?>> commands = new LinkedHashMap<>();
  private final List<AdminInterceptor> stages;

  public AdminCommandRegistry(List<? extends AdminCommand<?>> commands) {
    commands.forEach(c -> this.commands.put(c.syntax().name(), c));
    this.stages = List.of(new AuditStage(this), new AuthorizeStage(this), new ValidateStage(this), new RunStage(this));
  }

  public Optional<AdminCommand<?>> find(String name) {
    return Optional.ofNullable(commands.get(name));
  }

  /** The commands that change nothing, which a read-only caller may run. */
  List<String> readOnlyNames() {
    return commands.values().stream().filter(AdminCommand::readOnly).map(c -> c.syntax().name()).toList();
  }

  @Override
  public List<String> usages() {
    return commands.values().stream().map(c -> c.syntax().usage()).toList();
  }

  @Override
  public AdminResponse<?> execute(AdminCaller caller, String command, List<String> words) {
    return execute(AdminRequest.of(caller, command, words));
  }

  /**
   * Runs the registered command of class {@code command} through the same chain, by its name, and
   * answers with its result type: for callers in Java (the console), which read the data without casts.
   */
  public <T> AdminResponse<T> execute(AdminCaller caller, Class<? extends AdminCommand<T>> command,
      List<String> words) {
    String name = commands.values().stream().filter(command::isInstance).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no " + command.getSimpleName() + " is registered"))
        .syntax().name();
    @SuppressWarnings("unchecked") // that command's run made it (an AdminResponse<T>), or the chain refused: no data
    AdminResponse<T> response = (AdminResponse<T>) execute(AdminRequest.of(caller, name, words));
    return response;
  }

  public AdminResponse<?> execute(AdminRequest request) {
    try {
      return new AdminChain(stages, 0, request).proceed(request);
    } catch (AdminException e) {
      return AdminResponse.error(e.status(), e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return AdminResponse.error(AdminStatus.FAILED, request.command() + ": interrupted");
    } catch (Exception e) {
      log.warn("admin command {} by {} failed", request.command(), request.caller().name(), e);
      return AdminResponse.error(AdminStatus.FAILED, request.command() + " failed: " + e.getMessage());
    }
  }

  /** Logs who ran what and how it ended; a read that succeeded at debug level only. */
  static final class AuditStage implements AdminInterceptor {
    private final AdminCommandRegistry registry;

    AuditStage(AdminCommandRegistry registry) {
      this.registry = registry;
    }

    @Override
    public AdminResponse<?> intercept(Chain chain) throws Exception {
      AdminRequest request = chain.request();
      AdminResponse<?> response;
      try {
        response = chain.proceed(request);
      } catch (AdminException e) {
        log.info("admin {} via {}: {} {} -> {}: {}", request.caller().name(), request.caller().surface(),
            request.command(), request.words(), e.status(), e.getMessage());
        throw e;
      }
      Object[] facts = {request.caller().name(), request.caller().surface(), request.command(), request.words(),
          response.status()};
      if (response.ok() && registry.find(request.command()).map(AdminCommand::readOnly).orElse(false)) {
        log.debug("admin {} via {}: {} {} -> {}", facts);
      } else {
        log.info("admin {} via {}: {} {} -> {}", facts);
      }
      return response;
    }
  }

  /**
   * Only users with the admin role get past this stage; a read-only caller (an HTTP token) only with
   * a command that changes nothing. An unknown command passes on to be named by the validate stage.
   */
  static final class AuthorizeStage implements AdminInterceptor {
    private final AdminCommandRegistry registry;

    AuthorizeStage(AdminCommandRegistry registry) {
      this.registry = registry;
    }

    @Override
    public AdminResponse<?> intercept(Chain chain) throws Exception {
      AdminRequest request = chain.request();
      AdminCaller caller = request.caller();
      if (!caller.admin()) {
        throw new AdminException(AdminStatus.REFUSED, "user '" + caller.name()
            + "' is not an administrator: admin commands are refused");
      }
      boolean changes = registry.find(request.command()).map(c -> !c.readOnly()).orElse(false);
      if (caller.role() == AdminRole.READ_ONLY && changes) {
        throw new AdminException(AdminStatus.REFUSED, "command '" + request.command() + "' is refused for '"
            + caller.name() + "': its role is " + caller.role().configName() + ", which may run only "
            + String.join(", ", registry.readOnlyNames()));
      }
      return chain.proceed(request);
    }
  }

  /** Known command, accepted options, right number of arguments. */
  static final class ValidateStage implements AdminInterceptor {
    private final AdminCommandRegistry registry;

    ValidateStage(AdminCommandRegistry registry) {
      this.registry = registry;
    }

    @Override
    public AdminResponse<?> intercept(Chain chain) throws Exception {
      AdminRequest request = chain.request();
      AdminCommand<?> command = registry.find(request.command()).orElseThrow(() -> new AdminException(
          AdminStatus.NOT_FOUND, "unknown command '" + request.command() + "' (commands: "
              + String.join(", ", registry.commands.keySet()) + ")"));
      return chain.proceed(request.withArgs(AdminArgs.parse(command, request.words())));
    }
  }

  /** The command itself; the last stage. */
  static final class RunStage implements AdminInterceptor {
    private final AdminCommandRegistry registry;

    RunStage(AdminCommandRegistry registry) {
      this.registry = registry;
    }

    @Override
    public AdminResponse<?> intercept(Chain chain) throws Exception {
      return registry.commands.get(chain.request().command()).run(chain.request());
    }
  }
}
