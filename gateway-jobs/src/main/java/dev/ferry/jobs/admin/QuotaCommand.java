package dev.ferry.jobs.admin;

import dev.ferry.core.admin.AdminException;
import dev.ferry.core.admin.AdminResponse;
import dev.ferry.core.admin.AdminStatus;
import dev.ferry.core.quota.QuotaUsage;
import dev.ferry.core.quota.Quotas;
import dev.ferry.core.user.User;
import dev.ferry.core.user.UserRegistry;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code quota show USER} and {@code quota scan USER}: a user's quota and what their home holds
 * against it; a scan counts the home again by listing it (objects other S3 clients wrote or removed,
 * changes made while the state store could not be written) and logs the drift it corrected. One
 * scan of a user at a time on a node.
 */
public final class QuotaCommand extends AdminCommand<QuotaCommand.QuotaReport> {

  private static final Logger log = LoggerFactory.getLogger(QuotaCommand.class);

  /** A user's quota (0: none), usage and what uploads in progress took ahead; a scan's drift, else null. */
  public record QuotaReport(String user, long quotaBytes, long quotaFiles, long bytes, long files, long reservedBytes,
      long reservedFiles, Long driftBytes, Long driftFiles) {

    static QuotaReport of(String user, QuotaUsage usage, QuotaUsage before) {
      return new QuotaReport(user, usage.limit().bytes(), usage.limit().files(), usage.bytes(), usage.files(),
          usage.reservedBytes(), usage.reservedFiles(), before == null ? null : usage.bytes() - before.bytes(),
          before == null ? null : usage.files() - before.files());
    }
  }

  private final UserRegistry users;
  private final Quotas quotas;
  private final Set<String> scanning = ConcurrentHashMap.newKeySet();

  QuotaCommand(UserRegistry users, Quotas quotas) {
    super(Syntax.changes("quota", "quota show <user> | quota scan <user>", 2));
    this.users = users;
    this.quotas = quotas;
  }

  @Override
  public AdminResponse<QuotaReport> run(AdminRequest request) throws Exception {
    String action = request.args().positional(0);
    String name = request.args().positional(1);
    if (!"show".equals(action) && !"scan".equals(action)) {
      throw AdminArgs.usage(this, "unknown sub-command '" + action + "' (show or scan)");
    }
    User user = users.find(name).orElseThrow(() -> new AdminException(AdminStatus.NOT_FOUND, "quota " + action
        + ": no user '" + name + "'"));
    if (user.quota().isNone()) {
      throw new AdminException(AdminStatus.BAD_REQUEST, "quota " + action + ": user " + name + " has no quota"
          + " (users[].quota, or \"quota\" in the users API)");
    }
    if (action.equals("show")) {
      QuotaReport report = QuotaReport.of(name, quotas.usage(name, user.home(), user.quota()), null);
      return AdminResponse.ok(text(report), report);
    }
    if (!scanning.add(name)) {
      throw new AdminException(AdminStatus.CONFLICT, "quota scan: user " + name + "'s home is being counted already");
    }
    try {
      Quotas.Recount recount = quotas.recount(name, user.home(), user.quota());
      QuotaReport report = QuotaReport.of(name, recount.after(), recount.before());
      log.info("quota scan of {} by {}: {} bytes in {} files under {} (drift {} bytes, {} files)", name,
          request.caller().name(), report.bytes(), report.files(), user.home(), report.driftBytes(), report.driftFiles());
      return AdminResponse.ok(text(report) + "drift corrected: " + report.driftBytes() + " bytes, "
          + report.driftFiles() + " files\n", report);
    } finally {
      scanning.remove(name);
    }
  }

  private static String text(QuotaReport report) {
    return report.user() + ": " + report.bytes() + (report.quotaBytes() > 0 ? " of " + report.quotaBytes() : "")
        + " bytes, " + report.files() + (report.quotaFiles() > 0 ? " of " + report.quotaFiles() : "") + " files"
        + (report.reservedBytes() + report.reservedFiles() > 0 ? " (" + report.reservedBytes() + " bytes, "
        + report.reservedFiles() + " files taken by uploads in progress)" : "") + "\n";
  }
}
