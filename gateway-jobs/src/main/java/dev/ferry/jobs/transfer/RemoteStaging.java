package dev.ferry.jobs.transfer;

/**
 * Where a transfer puts its bytes before they are final, as the seed did: a staging folder
 * {@code <dir>/<name>.part/} next to the destination, and in it one folder per claim of the job
 * ({@code claim-<n>/}) holding the file the parts are written into, which is renamed into place only
 * once it is complete and verified. A folder per claim keeps a node that froze past its lease and
 * woke from writing into the folder of the node that took the job over: the newer claim removed the
 * older folder, so the woken node's writes fail instead of mixing with the new ones.
 */
public record RemoteStaging(String destination, long claim) {

  public String directory() {
    int slash = destination.lastIndexOf('/');
    return slash == 0 ? "/" : destination.substring(0, slash);
  }

  public String name() {
    return destination.substring(destination.lastIndexOf('/') + 1);
  }

  /** {@code <dest>.part}: every claim's folder; a claim removes it whole before it starts. */
  public String root() {
    return rootOf(destination);
  }

  /** The staging folder of {@code destination}, whatever the claim. */
  public static String rootOf(String destination) {
    return destination + ".part";
  }

  /** This claim's folder. */
  public String folder() {
    return root() + "/claim-" + claim;
  }

  public String partFile(int index) {
    return folder() + "/" + partName(index);
  }

  /** Part {@code index}'s file by its name in this claim's folder. */
  public String partName(int index) {
    return "part-" + index;
  }

  /**
   * The one file every part is written into at its offset, renamed into place once whole and
   * verified. Same name as the destination, so a failed rename leaves an obviously named file to
   * inspect.
   */
  public String file() {
    return folder() + "/" + name();
  }

  /**
   * Why {@code path} cannot be a transfer destination, or null when it can: absolute, a file name at
   * the end, no empty, "." or ".." segments, no NUL.
   */
  public static String problem(String path) {
    if (!path.startsWith("/")) {
      return "remote path '" + path + "' must be absolute";
    }
    if (path.endsWith("/")) {
      return "remote path '" + path + "' must name a file, not a directory";
    }
    if (path.indexOf('\0') >= 0) {
      return "remote path must not contain NUL";
    }
    for (String segment : path.substring(1).split("/", -1)) {
      if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
        return "remote path '" + path + "' must not contain empty, '.' or '..' segments";
      }
    }
    return null;
  }
}
