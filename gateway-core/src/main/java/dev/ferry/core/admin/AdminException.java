package dev.ferry.core.admin;

/** An admin command that did not run, or did not succeed, with a message naming the problem. */
public final class AdminException extends Exception {

  private final AdminStatus status;

  public AdminException(AdminStatus status, String message) {
    super(message);
    this.status = status;
  }

  public AdminStatus status() {
    return status;
  }
}
