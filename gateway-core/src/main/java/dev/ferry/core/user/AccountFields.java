package dev.ferry.core.user;

import dev.ferry.core.bandwidth.BandwidthLimit;
import dev.ferry.core.quota.QuotaLimit;
import dev.ferry.core.s3.WriteOptions;
import java.util.List;

/**
 * What a request to create or change a user gives, field by field, as the API's JSON and the admin
 * commands name them; null is "not given" (a PATCH changes only what it gives). {@code password}
 * is the clear text, hashed with bcrypt before it is kept; {@code passwordHash} an existing bcrypt
 * hash, for users moved from elsewhere. Neither is ever written back or logged. {@code allowFrom}:
 * networks a login must come from (empty: anywhere); {@code expires}: an ISO-8601 instant from
 * which logins are refused ("" clears it); {@code s3}: what the objects of the user's home are
 * written with, already checked ({@link WriteOptions#NONE} clears them); {@code bandwidth}: what
 * the user's sessions on a node may move per second; {@code quota}: what the user's home may hold;
 * {@code folders}: the user's virtual folders as given, not yet checked (empty clears them).
 */
public record AccountFields(String password, String passwordHash, String home, List<String> permissions,
    Boolean admin, List<String> keys, List<String> allowFrom, String expires, WriteOptions s3,
    BandwidthLimit bandwidth, QuotaLimit quota, List<VirtualFolders.Given> folders) {

  /** The names of the fields given, for the activity log: never their values. */
  public List<String> given() {
    List<String> names = new java.util.ArrayList<>();
    if (password != null || passwordHash != null) {
      names.add("password");
    }
    if (home != null) {
      names.add("home");
    }
    if (permissions != null) {
      names.add("permissions");
    }
    if (admin != null) {
      names.add("admin");
    }
    if (keys != null) {
      names.add("keys");
    }
    if (allowFrom != null) {
      names.add("allowFrom");
    }
    if (expires != null) {
      names.add("expires");
    }
    if (s3 != null) {
      names.add("s3");
    }
    if (bandwidth != null) {
      names.add("bandwidth");
    }
    if (quota != null) {
      names.add("quota");
    }
    if (folders != null) {
      names.add("folders");
    }
    return names;
  }

  @Override
  public String toString() {
    return "AccountFields" + given();
  }
}
