package dev.ferry.core.admin;

/** Who runs an admin command and through which surface ("ssh", "http"), for authorization and the audit log. */
public record AdminCaller(String name, boolean admin, String surface) {}
