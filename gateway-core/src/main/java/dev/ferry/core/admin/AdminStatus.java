package dev.ferry.core.admin;

/** How an admin command ended; each surface maps it once (HTTP status, SSH exit status). */
public enum AdminStatus {
  OK(200, 0), BAD_REQUEST(400, 2), REFUSED(403, 3), NOT_FOUND(404, 4), CONFLICT(409, 5),
  /** The change named a version of what it changes that is no longer the current one. */
  STALE(412, 6), FAILED(500, 1);

  private final int httpStatus;
  private final int exitStatus;

  AdminStatus(int httpStatus, int exitStatus) {
    this.httpStatus = httpStatus;
    this.exitStatus = exitStatus;
  }

  public int httpStatus() {
    return httpStatus;
  }

  public int exitStatus() {
    return exitStatus;
  }
}
