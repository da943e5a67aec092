package dev.ferry.core.event;

/**
 * Who made a file change: a client in a session, or Ferry itself for a sync, a watched folder or a
 * workflow (named). Workflows run on client uploads unless a rule opts in to other origins, so
 * that a workflow's outputs and ingested files do not set off workflows by themselves.
 */
public record Origin(Kind kind, String name, SessionInfo session) {

  public enum Kind { CLIENT, SYNC, WATCH, WORKFLOW }

  public static Origin client(SessionInfo session) {
    return new Origin(Kind.CLIENT, session.user(), session);
  }

  public static Origin of(Kind kind, String name) {
    return new Origin(kind, name, null);
  }
}
