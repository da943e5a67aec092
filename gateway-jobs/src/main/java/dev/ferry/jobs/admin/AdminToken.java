package dev.ferry.jobs.admin;

import dev.ferry.core.admin.AdminRole;

/**
 * One bearer token of the admin HTTP API: its name (what the audit log shows, never the token), the
 * SHA-256 of the token, and what it may run. Only the digest is kept, so neither ferry.yaml (with
 * {@code tokenHash}) nor a heap dump needs to hold a usable token.
 */
public record AdminToken(String name, byte[] sha256, AdminRole role) {

  public AdminToken {
    sha256 = sha256.clone();
  }

  @Override
  public byte[] sha256() {
    return sha256.clone();
  }
}
