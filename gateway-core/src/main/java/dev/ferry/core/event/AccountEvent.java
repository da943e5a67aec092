package dev.ferry.core.event;

import java.time.Instant;

/**
 * A user kept as data was created, changed or deleted, or had a key added or removed:
 * {@code user} is the account, {@code by} the admin caller (a user, or token:&lt;name&gt;),
 * {@code detail} what changed, by field name (never a password or a hash).
 */
public record AccountEvent(String id, Instant time, Type type, String user, String by, String detail)
    implements FerryEvent {

  public enum Type { USER_CREATED, USER_UPDATED, USER_DELETED, KEY_ADDED, KEY_REMOVED }
}
