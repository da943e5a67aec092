package dev.ferry.jobs.admin;

import dev.ferry.core.admin.AdminCaller;
import java.util.List;

/**
 * One admin command as received: caller, command name and raw arguments. {@code args} is filled by
 * the validate stage, so the run stage only sees arguments its command accepts.
 */
public record AdminRequest(AdminCaller caller, String command, List<String> words, AdminArgs args) {

  public static AdminRequest of(AdminCaller caller, String command, List<String> words) {
    return new AdminRequest(caller, command, List.copyOf(words), null);
  }

  AdminRequest withArgs(AdminArgs parsed) {
    return new AdminRequest(caller, command, words, parsed);
  }
}
