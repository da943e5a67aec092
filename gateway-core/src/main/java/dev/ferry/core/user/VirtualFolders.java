package dev.ferry.core.user;

import dev.ferry.core.config.InvalidFieldException;
import dev.ferry.core.path.BadPathException;
import dev.ferry.core.path.VirtualPath;
import dev.ferry.core.quota.QuotaLimit;
import dev.ferry.core.s3.S3Location;
import dev.ferry.core.s3.WriteOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The rules a user's folders obey, wherever they are given (ferry.yaml, the users API): each one
 * level under the root, on a known storage, none over another's objects or the home's. A refusal
 * names the field as {@code folders[1].target}, which ferry.yaml prefixes with the user's key.
 */
public final class VirtualFolders {

  /** Storage of a folder that names none: the {@code s3:} service. */
  public static final String MAIN_STORAGE = "s3";

  /**
   * A folder as given, before it is checked: {@code permissions} null for the default [list, read],
   * {@code storage} null for {@value #MAIN_STORAGE}, {@code objects} and {@code quota} null for none.
   */
  public record Given(String path, String target, List<String> permissions, String storage, WriteOptions objects,
      QuotaLimit quota) {}

  private VirtualFolders() {}

  /**
   * The folders {@code given} for a user of {@code home}, on the {@code s3:} service or one of
   * {@code storages} (null: any storage name, for folders checked when they were given).
   */
  public static List<VirtualFolder> check(List<Given> given, S3Location home, Set<String> storages) {
    List<VirtualFolder> folders = new ArrayList<>();
    for (int i = 0; i < given.size(); i++) {
      String field = "folders[" + i + "]";
      Given folder = given.get(i);
      String path = required(folder.path(), field + ".path");
      if (!path.matches("/[^/]+") || path.equals("/.") || path.equals("/..")) {
        throw new InvalidFieldException(field + ".path", "must be one level under the home's root, such as /shared,"
            + " got '" + path + "'");
      }
      try {
        VirtualPath.parse(path);
      } catch (BadPathException e) {
        throw new InvalidFieldException(field + ".path", e.getMessage());
      }
      S3Location target;
      try {
        target = S3Location.parsePrefix(required(folder.target(), field + ".target"));
      } catch (IllegalArgumentException e) {
        throw e instanceof InvalidFieldException ? e : new InvalidFieldException(field + ".target", e.getMessage());
      }
      Set<Permission> permissions;
      try {
        permissions = Permission.parseAll(folder.permissions() != null ? folder.permissions() : List.of("list", "read"));
      } catch (IllegalArgumentException e) {
        throw new InvalidFieldException(field + ".permissions", e.getMessage());
      }
      String storage = folder.storage() != null ? folder.storage() : MAIN_STORAGE;
      if (storages != null && !storage.equals(MAIN_STORAGE) && !storages.contains(storage)) {
        throw new InvalidFieldException(field + ".storage", "names no storage: '" + storage + "' is not in storages:"
            + " (known: " + MAIN_STORAGE + (storages.isEmpty() ? "" : ", " + String.join(", ", storages)) + ")");
      }
      VirtualFolder checked = new VirtualFolder(path.substring(1), target, permissions, storage,
          folder.objects() != null ? folder.objects() : WriteOptions.NONE,
          folder.quota() != null ? folder.quota() : QuotaLimit.NONE);
      for (VirtualFolder other : folders) {
        if (other.name().equals(checked.name())) {
          throw new InvalidFieldException(field + ".path", "is the path of an earlier folder too");
        }
        if (VirtualFolder.overlap(other.target(), target)) {
          throw new InvalidFieldException(field + ".target", "overlaps the target of folder " + other.path() + " ("
              + other.target() + "): one would show the other's objects");
        }
      }
      folders.add(checked);
    }
    checkHome(folders, home);
    return folders;
  }

  /** Whether {@code folders} fit beside {@code home}: no target over the home's objects or under them. */
  public static void checkHome(List<VirtualFolder> folders, S3Location home) {
    for (int i = 0; i < folders.size(); i++) {
      if (VirtualFolder.overlap(home, folders.get(i).target())) {
        throw new InvalidFieldException("folders[" + i + "].target", "overlaps the user's home (" + home
            + "): the same objects would show at two paths");
      }
    }
  }

  private static String required(String value, String field) {
    if (value == null || value.isBlank()) {
      throw new InvalidFieldException(field, "is required");
    }
    return value;
  }
}
