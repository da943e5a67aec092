package dev.ferry.core.event;

/**
 * One client connection as events name it: its id (unique on this node while it runs, and in the
 * logs), protocol ("FTPS", "SFTP"), client address, and user once logged in (else null).
 */
public record SessionInfo(String id, String protocol, String address, String user) {}
