package dev.ferry.jobs.workflow;

import dev.ferry.core.s3.S3Location;

/**
 * Where a workflow writes what it makes of one upload under a step's prefix: below the prefix, the
 * uploading user's name, then the folders of the upload's path below the workflow's matched root
 * ({@code <prefix><user>/<folders>/<name>}). So {@code /a/report.csv.gz} and {@code /b/report.csv.gz},
 * or two users' files of one name, never write the same key: the second cannot silently replace
 * the first. An upload with no user (a sync's or a watched folder's) is placed by its object key
 * below the root.
 */
record OutputPlace(String user, String folders) {

  /**
   * {@code root}: the match's fixed folders ("/incoming/" for "/incoming/**.csv", "/" for a glob of
   * names or no glob); {@code path}: the upload's client path, or null (then "/" and its key).
   */
  static OutputPlace of(String root, String user, String path, String key) {
    String where = path != null ? path : "/" + key;
    String below = where.startsWith(root) ? where.substring(root.length()) : where.substring(1);
    int slash = below.lastIndexOf('/');
    return new OutputPlace(user, slash < 0 ? "" : below.substring(0, slash + 1));
  }

  static OutputPlace of(WorkflowDefinition workflow, WorkflowSpec spec) {
    return of(workflow.root(), spec.user(), spec.path(), spec.key());
  }

  /** The folder under {@code prefix} this upload's outputs go to (a key prefix ending in '/'). */
  S3Location folder(S3Location prefix) {
    return new S3Location(prefix.bucket(), prefix.key() + (user != null ? user + "/" : "") + folders);
  }

  /** The key under {@code prefix} of an output named as {@code object} is. */
  S3Location file(S3Location prefix, S3Location object) {
    String key = object.key();
    S3Location folder = folder(prefix);
    return new S3Location(folder.bucket(), folder.key() + key.substring(key.lastIndexOf('/') + 1));
  }

  /**
   * The fixed folders a glob starts with: up to the last '/' before its first wildcard, for a glob
   * of whole paths; "/" for a glob of names (no '/') or none.
   */
  static String rootOf(String glob) {
    if (glob == null || !glob.startsWith("/")) {
      return "/";
    }
    int wildcard = glob.length();
    for (char c : new char[] {'*', '?', '[', '{'}) {
      int at = glob.indexOf(c);
      if (at >= 0) {
        wildcard = Math.min(wildcard, at);
      }
    }
    return glob.substring(0, glob.lastIndexOf('/', wildcard == glob.length() ? glob.length() - 1 : wildcard) + 1);
  }
}
