package dev.ferry.core.user;

/**
 * Where a login comes from, for an identity source that decides by it (an HTTP identity provider is
 * told the protocol and the client's address): {@code protocol} FTPS, SFTP or console,
 * {@code address} the client's real address (behind a balancer, the PROXY protocol's).
 */
public record LoginSource(String protocol, String address) {}
