package dev.ferry.core.admin;

/** The admin HTTP API's listener and the bearer token every request but GET /health must carry. */
public record AdminHttpSettings(boolean enabled, String bindAddress, int port, String token) {}
