package dev.ferry.core.admin;

import java.util.List;

/**
 * What an admin surface (SSH exec in gateway-sftp, the HTTP API in gateway-server) hands a command
 * to. gateway-jobs' {@code AdminCommandRegistry} runs the commands; the surfaces see only this, so
 * a protocol front-end does not depend on the job engine.
 */
public interface AdminConsole {

  /** Runs {@code command} with its raw {@code words}; whatever goes wrong comes back as a response, never an exception. */
  AdminResponse<?> execute(AdminCaller caller, String command, List<String> words);

  /** One usage line per command ("cancel &lt;job id&gt;"), in the order the commands were registered. */
  List<String> usages();
}
