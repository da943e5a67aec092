package dev.ferry.jobs.admin;

import dev.ferry.core.admin.AdminResponse;
import dev.ferry.jobs.watch.WatchedFolders;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The admin command over watched folders: {@code watches}. */
final class WatchCommands {

  private WatchCommands() {}

  /** watches: each watched folder of this node with its files waiting and what it did since start. */
  static final class ListWatches implements AdminCommand {
    @Override
    public boolean readOnly() {
      return true;
    }

    private static final Syntax SYNTAX = Syntax.of("watches", "watches", 0);
    private final WatchedFolders folders;

    ListWatches(WatchedFolders folders) {
      this.folders = folders;
    }

    @Override
    public Syntax syntax() {
      return SYNTAX;
    }

    @Override
    public AdminResponse run(AdminRequest request) {
      List<Map<String, Object>> data = new ArrayList<>();
      StringBuilder text = new StringBuilder();
      for (WatchedFolders.Status status : folders.status()) {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("name", status.name());
        entry.put("directory", status.directory().toString());
        entry.put("waiting", status.waiting());
        entry.put("uploaded", status.uploaded());
        entry.put("alreadyThere", status.alreadyThere());
        entry.put("failedAttempts", status.failedAttempts());
        data.add(entry);
        text.append(status.name()).append("  ").append(status.directory()).append('\n')
            .append("  since start: ").append(status.uploaded()).append(" uploaded, ").append(status.alreadyThere())
            .append(" already in S3, ").append(status.failedAttempts()).append(" failed attempts; ")
            .append(status.waiting()).append(" waiting or uploading now\n");
      }
      return AdminResponse.ok(text.length() == 0 ? "no watched folders on this node\n" : text.toString(), data);
    }
  }
}
