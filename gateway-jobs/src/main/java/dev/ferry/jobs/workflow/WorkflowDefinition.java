package dev.ferry.jobs.workflow;

import dev.ferry.core.event.FileEvent;
import dev.ferry.core.event.Origin;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.List;
import java.util.Set;

/**
 * A workflow of ferry.yaml: which uploads it runs on, and its steps. It runs on UPLOADED events only,
 * of the origins it names (clients by default: a workflow's outputs and what syncs and watched
 * folders bring in do not set workflows off unless a rule opts in), of the users it names (all when
 * none), whose path matches its glob and whose size is within its bounds.
 */
record WorkflowDefinition(String name, Set<String> users, String pathGlob, long minSize, long maxSize,
    Set<Origin.Kind> origins, List<WorkflowStep> steps) {

  boolean matches(FileEvent event) {
    if (event.type() != FileEvent.Type.UPLOADED || !origins.contains(event.origin().kind())
        || event.bytes() < minSize || event.bytes() > maxSize) {
      return false;
    }
    if (!users.isEmpty() && (event.origin().session() == null
        || !users.contains(event.origin().session().user()))) {
      return false;
    }
    if (pathGlob == null) {
      return true;
    }
    String path = event.path() != null ? event.path() : "/" + event.object().key();
    PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + pathGlob);
    return matcher.matches(Path.of(path));
  }
}
