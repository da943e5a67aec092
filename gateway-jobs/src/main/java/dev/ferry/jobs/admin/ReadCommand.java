package dev.ferry.jobs.admin;

/**
 * A command that only reads (sessions, transfers, ls, users...): its syntax given once, and
 * {@link #readOnly} true, so its successful runs are audited at debug level (the console polls them).
 */
abstract class ReadCommand implements AdminCommand {

  private final Syntax syntax;

  ReadCommand(Syntax syntax) {
    this.syntax = syntax;
  }

  @Override
  public final boolean readOnly() {
    return true;
  }

  @Override
  public final Syntax syntax() {
    return syntax;
  }
}
