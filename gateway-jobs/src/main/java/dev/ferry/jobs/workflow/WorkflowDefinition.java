package dev.ferry.jobs.workflow;

import dev.ferry.core.event.FileEvent;
import dev.ferry.core.event.Origin;
import dev.ferry.core.path.FileGlobs;
import dev.ferry.core.s3.S3Location;
import java.util.List;
import java.util.Set;

/**
 * A workflow of ferry.yaml: which uploads it runs on, and its steps. It runs on UPLOADED events only,
 * of the origins it names (clients by default: a workflow's outputs and what syncs and watched
 * folders bring in do not set workflows off unless a rule opts in), of the users it names (all when
 * none), whose path its glob takes ({@link FileGlobs}: with '/' the whole path, without it the file
 * name at any depth; null: every path) and whose size is within its bounds. Matched on the uploading
 * thread, so the glob is compiled once, with the config. A run that fails for good moves the object
 * it was working on into {@code quarantine} when there is one (null: the object stays where it is).
 */
record WorkflowDefinition(String name, Set<String> users, FileGlobs paths, String root, long minSize, long maxSize,
    Set<Origin.Kind> origins, List<WorkflowStep> steps, S3Location quarantine) {

  boolean matches(FileEvent event) {
    if (event.type() != FileEvent.Type.UPLOADED || !origins.contains(event.origin().kind())
        || event.bytes() < minSize || event.bytes() > maxSize) {
      return false;
    }
    if (!users.isEmpty() && (event.origin().session() == null
        || !users.contains(event.origin().session().user()))) {
      return false;
    }
    return paths == null || paths.takes(event.path() != null ? event.path() : "/" + event.object().key());
  }
}
