package dev.ferry.jobs.admin;

import dev.ferry.core.admin.AdminException;
import dev.ferry.core.admin.AdminResponse;
import dev.ferry.core.admin.AdminStatus;
import dev.ferry.core.quota.QuotaLimit;
import dev.ferry.core.quota.QuotaScanBusyException;
import dev.ferry.core.quota.QuotaUsage;
import dev.ferry.core.quota.Quotas;
import dev.ferry.core.s3.S3Location;
import dev.ferry.core.user.User;
import dev.ferry.core.user.UserRegistry;
import dev.ferry.core.user.VirtualFolder;
import java.util.Set;
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

  QuotaCommand(UserRegistry users, Quotas quotas) {
    super(Syntax.changes("quota", "quota show <user> [/folder] | quota scan <user> [/folder]", 2)
        .accepting(2, 3, Set.of(), Set.of()));
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
    Counted counted = counted(action, user, request.args().positional(2));
    if (action.equals("show")) {
      QuotaReport report = QuotaReport.of(counted.label(), quotas.usage(counted.key(), counted.place(),
          counted.limit()), null);
      return AdminResponse.ok(text(report), report);
    }
    try {
      Quotas.Recount recount = quotas.recount(counted.key(), counted.place(), counted.limit());
      QuotaReport report = QuotaReport.of(counted.label(), recount.after(), recount.before());
      log.info("quota scan of {} by {}: {} bytes in {} files under {} (drift {} bytes, {} files)", counted.label(),
          request.caller().name(), report.bytes(), report.files(), counted.place(), report.driftBytes(),
          report.driftFiles());
      return AdminResponse.ok(text(report) + "drift corrected: " + report.driftBytes() + " bytes, "
          + report.driftFiles() + " files\n", report);
    } catch (QuotaScanBusyException e) {
      throw new AdminException(AdminStatus.CONFLICT, e.getMessage());
    }
  }

  /** What a quota counts: the name its usage is kept under, the place counted, its limit, and how a report names it. */
  private record Counted(String key, S3Location place, QuotaLimit limit, String label) {}

  /** The user's home, or with {@code folder} given that virtual folder of the user's; refused without a quota. */
  private static Counted counted(String action, User user, String folder) throws AdminException {
    if (folder == null) {
      if (user.quota().isNone()) {
        throw new AdminException(AdminStatus.BAD_REQUEST, "quota " + action + ": user " + user.name() + " has no quota"
            + " (users[].quota, or \"quota\" in the users API)");
      }
      return new Counted(user.name(), user.home(), user.quota(), user.name());
    }
    VirtualFolder found = user.folders().stream().filter(f -> f.path().equals(folder)).findFirst()
        .orElseThrow(() -> new AdminException(AdminStatus.NOT_FOUND, "quota " + action + ": user " + user.name()
            + " has no folder " + folder + " (folders: " + user.folders().stream().map(VirtualFolder::path).toList()
            + ")"));
    if (found.quota().isNone()) {
      throw new AdminException(AdminStatus.BAD_REQUEST, "quota " + action + ": folder " + folder + " of user "
          + user.name() + " has no quota (folders[].quota)");
    }
    return new Counted(found.target().toString(), found.target(), found.quota(), user.name() + " " + folder);
  }

  private static String text(QuotaReport report) {
    return report.user() + ": " + report.bytes() + (report.quotaBytes() > 0 ? " of " + report.quotaBytes() : "")
        + " bytes, " + report.files() + (report.quotaFiles() > 0 ? " of " + report.quotaFiles() : "") + " files"
        + (report.reservedBytes() + report.reservedFiles() > 0 ? " (" + report.reservedBytes() + " bytes, "
        + report.reservedFiles() + " files taken by uploads in progress)" : "") + "\n";
  }
}
