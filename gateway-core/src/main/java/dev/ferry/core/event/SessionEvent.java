package dev.ferry.core.event;

import java.time.Instant;

/** A client connection's life: connected, logged in or refused, gone. */
public record SessionEvent(String id, Instant time, Type type, SessionInfo session, String detail)
    implements FerryEvent {

  public enum Type {
    /** Accepted and given a session slot. */
    CONNECTED,
    /** Logged in as {@link SessionInfo#user()}. */
    LOGIN,
    /** Credentials refused; {@code detail} names the user name tried. */
    AUTH_FAILURE,
    /** The connection closed; {@code detail} says how long it lasted. */
    EXIT
  }
}
