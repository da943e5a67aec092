package dev.ferry.jobs.admin;

import dev.ferry.core.admin.AdminResponse;
import dev.ferry.jobs.watch.WatchedFolders;
import java.util.ArrayList;
import java.util.List;

/** The admin command over watched folders: {@code watches}. */
public final class WatchCommands {

  private WatchCommands() {}

  /** watches: each watched folder of this node with its files waiting and what it did since start. */
  public static final class ListWatches extends AdminCommand<List<ListWatches.Watch>> {

    /** A watched folder of this node: files waiting now, and what it did since start. */
    public record Watch(String name, String directory, int waiting, long uploaded, long alreadyThere,
        long failedAttempts) {}

    private final WatchedFolders folders;

    ListWatches(WatchedFolders folders) {
      super(Syntax.reads("watches", "watches", 0));
      this.folders = folders;
    }

    @Override
    public AdminResponse<List<Watch>> run(AdminRequest request) {
      List<Watch> data = new ArrayList<>();
      StringBuilder text = new StringBuilder();
      for (WatchedFolders.Status status : folders.status()) {
        data.add(new Watch(status.name(), status.directory().toString(), status.waiting(), status.uploaded(),
            status.alreadyThere(), status.failedAttempts()));
        text.append(status.name()).append("  ").append(status.directory()).append('\n')
            .append("  since start: ").append(status.uploaded()).append(" uploaded, ").append(status.alreadyThere())
            .append(" already in S3, ").append(status.failedAttempts()).append(" failed attempts; ")
            .append(status.waiting()).append(" waiting or uploading now\n");
      }
      return AdminResponse.ok(text.length() == 0 ? "no watched folders on this node\n" : text.toString(), data);
    }
  }
}
