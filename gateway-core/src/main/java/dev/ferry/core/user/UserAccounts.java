package dev.ferry.core.user;

import dev.ferry.core.admin.AdminException;
import dev.ferry.core.admin.AdminStatus;
import dev.ferry.core.bandwidth.BandwidthLimit;
import dev.ferry.core.quota.QuotaLimit;
import dev.ferry.core.event.AccountEvent;
import dev.ferry.core.event.EventBus;
import dev.ferry.core.s3.S3Location;
import dev.ferry.core.s3.WriteOptions;
import dev.ferry.core.state.Database;
import dev.ferry.core.state.StateStoreException;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * Users kept as data in the state store: created, changed and deleted while Ferry runs, by the
 * API and the console, on whichever node; every node reads a login's user here, so a change is in
 * force everywhere at the next login. Each change is checked first ({@link AccountRules}: nothing
 * is written when a field is refused), conditional on the version the caller read when it names
 * one, and published as an {@link AccountEvent} naming the caller. Users declared in ferry.yaml
 * are not here and cannot be made here: a name is declared in one place only.
 */
public final class UserAccounts {

  /** Whether a bucket exists on a storage (null: the s3: service), asked before a home or folder in it is accepted. */
  @FunctionalInterface
  public interface Buckets {
    boolean exists(String storage, String bucket) throws IOException;
  }

  /** Any version: the change is not conditional. */
  public static final long ANY_VERSION = -1;

  private static final String COLUMNS =
      "user_name, password_hash, home, permissions, is_admin, created_by, created_at, updated_by, updated_at, version,"
      + " allow_from, expires_at, write_options, bandwidth_up, bandwidth_down, quota_bytes, quota_files, folders";

  private final Database database;
  private final Clock clock;
  private final EventBus events;
  private final Predicate<String> declaredInConfig;
  private final Buckets buckets;
  /** The names of ferry.yaml's storages, which folders may be on. */
  private final Set<String> storages;
  /** Every user's write options, which a user's home and s3 options must fit and a change refreshes. */
  private final UserPlaces writePolicy;

  public UserAccounts(Database database, Clock clock, EventBus events, Predicate<String> declaredInConfig,
      Buckets buckets, Set<String> storages, UserPlaces writePolicy) {
    this.database = database;
    this.clock = clock;
    this.events = events;
    this.declaredInConfig = declaredInConfig;
    this.buckets = buckets;
    this.storages = Set.copyOf(storages);
    this.writePolicy = writePolicy;
  }

  public Optional<UserAccount> find(String name) throws StateStoreException {
    return database.run("reading user " + name, connection -> {
      List<UserAccount> found = read(connection, " WHERE user_name = ?", name);
      return found.isEmpty() ? Optional.<UserAccount>empty() : Optional.of(found.get(0));
    });
  }

  /** Every user kept here, by name. */
  public List<UserAccount> all() throws StateStoreException {
    return database.run("listing users", connection -> read(connection, " ORDER BY user_name", null));
  }

  /** The names kept here: what a sweep for deleted users' sessions compares with. */
  public Set<String> names() throws StateStoreException {
    return database.run("listing user names", connection -> {
      try (PreparedStatement select = connection.prepareStatement("SELECT user_name FROM user_accounts");
           ResultSet rows = select.executeQuery()) {
        Set<String> names = new java.util.HashSet<>();
        while (rows.next()) {
          names.add(rows.getString(1));
        }
        return names;
      }
    });
  }

  public UserAccount create(String name, AccountFields fields, String by)
      throws AdminException, StateStoreException {
    AccountRules.name(name);
    if (declaredInConfig.test(name)) {
      throw new AdminException(AdminStatus.CONFLICT, "user '" + name + "' is declared in ferry.yaml; change it there");
    }
    String hash = AccountRules.passwordHash(fields);
    S3Location home = checkedHome(fields.home());
    Set<Permission> permissions = AccountRules.permissions(
        fields.permissions() != null ? fields.permissions() : List.of("list", "read"));
    Map<String, String> keys = AccountRules.keys(fields.keys() != null ? fields.keys() : List.of());
    if (hash == null && keys.isEmpty()) {
      throw AccountRules.invalid("password", "a password or at least one key is required to log in");
    }
    LoginLimits limits = AccountRules.limits(fields, LoginLimits.NONE);
    WriteOptions objects = fields.s3() != null ? fields.s3() : WriteOptions.NONE;
    BandwidthLimit bandwidth = fields.bandwidth() != null ? fields.bandwidth() : BandwidthLimit.NONE;
    QuotaLimit quota = fields.quota() != null ? fields.quota() : QuotaLimit.NONE;
    List<VirtualFolder> folders = fields.folders() != null ? checkedFolders(fields.folders(), home) : List.of();
    writePolicy.check(name, home, objects, folders);
    Instant now = now();
    boolean admin = Boolean.TRUE.equals(fields.admin());
    boolean created = database.transaction("creating user " + name, connection -> {
      try (PreparedStatement insert = connection.prepareStatement("INSERT INTO user_accounts (" + COLUMNS
          + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (user_name) DO NOTHING")) {
        insert.setString(1, name);
        insert.setString(2, hash);
        insert.setString(3, home.toString());
        insert.setString(4, text(permissions));
        insert.setInt(5, admin ? 1 : 0);
        insert.setString(6, by);
        insert.setLong(7, now.toEpochMilli());
        insert.setString(8, by);
        insert.setLong(9, now.toEpochMilli());
        setLimits(insert, 10, limits);
        setPolicy(insert, 12, objects, bandwidth, quota, folders);
        if (insert.executeUpdate() == 0) {
          return false;
        }
      }
      insertKeys(connection, name, keys, by, now);
      return true;
    });
    if (!created) {
      throw new AdminException(AdminStatus.CONFLICT, "user '" + name + "' exists");
    }
    StringBuilder detail = new StringBuilder("home " + home + ", permissions " + text(permissions)
        + (admin ? ", admin" : "") + ", " + keys.size() + " key(s)" + (hash != null ? ", a password" : ""));
    if (!limits.allowFrom().isEmpty()) {
      detail.append(", allowFrom ").append(limits.allowFrom());
    }
    if (limits.expires() != null) {
      detail.append(", expires ").append(limits.expires());
    }
    if (!objects.isEmpty()) {
      detail.append(", s3 options");
    }
    if (!bandwidth.equals(BandwidthLimit.NONE)) {
      detail.append(", a bandwidth limit");
    }
    if (!quota.isNone()) {
      detail.append(", a quota");
    }
    if (!folders.isEmpty()) {
      detail.append(", folders ").append(folders.stream().map(VirtualFolder::path).toList());
    }
    events.account(AccountEvent.Type.USER_CREATED, name, by, detail.toString());
    writePolicy.refresh();
    return find(name).orElseThrow();
  }

  /**
   * Changes the fields given ({@code replace}: a PUT, where home is required and permissions and
   * admin not given go back to their defaults; otherwise a PATCH). Keys given replace the user's
   * keys; a password given replaces the password.
   */
  public UserAccount update(String name, AccountFields fields, boolean replace, long version, String by)
      throws AdminException, StateStoreException {
    UserAccount now = existing(name);
    String hash = AccountRules.passwordHash(fields);
    S3Location home = fields.home() != null || replace ? checkedHome(fields.home()) : now.home();
    Set<Permission> permissions = fields.permissions() != null ? AccountRules.permissions(fields.permissions())
        : replace ? AccountRules.permissions(List.of("list", "read")) : now.permissions();
    boolean admin = fields.admin() != null ? fields.admin() : !replace && now.admin();
    Map<String, String> keys = fields.keys() != null ? AccountRules.keys(fields.keys()) : null;
    LoginLimits limits = AccountRules.limits(fields, replace ? LoginLimits.NONE : now.policy().login());
    WriteOptions objects = fields.s3() != null ? fields.s3() : replace ? WriteOptions.NONE : now.policy().objects();
    BandwidthLimit bandwidth = fields.bandwidth() != null ? fields.bandwidth()
        : replace ? BandwidthLimit.NONE : now.policy().bandwidth();
    QuotaLimit quota = fields.quota() != null ? fields.quota() : replace ? QuotaLimit.NONE : now.policy().quota();
    List<VirtualFolder> folders = fields.folders() != null ? checkedFolders(fields.folders(), home)
        : replace ? List.of() : foldersKeptBeside(now.policy().folders(), home);
    writePolicy.check(name, home, objects, folders);
    String keptHash = hash != null ? hash : now.passwordHash();
    if (keptHash == null && (keys != null ? keys.isEmpty() : now.keys().isEmpty())) {
      throw AccountRules.invalid("keys", "a password or at least one key is required to log in");
    }
    Instant at = now();
    long expected = version == ANY_VERSION ? now.version() : version;
    boolean changed = database.transaction("updating user " + name, connection -> {
      try (PreparedStatement update = connection.prepareStatement("UPDATE user_accounts SET password_hash = ?,"
          + " home = ?, permissions = ?, is_admin = ?, updated_by = ?, updated_at = ?, allow_from = ?, expires_at = ?,"
          + " write_options = ?, bandwidth_up = ?, bandwidth_down = ?, quota_bytes = ?, quota_files = ?, folders = ?,"
          + " version = version + 1"
          + " WHERE user_name = ? AND version = ?")) {
        update.setString(1, keptHash);
        update.setString(2, home.toString());
        update.setString(3, text(permissions));
        update.setInt(4, admin ? 1 : 0);
        update.setString(5, by);
        update.setLong(6, at.toEpochMilli());
        setLimits(update, 7, limits);
        setPolicy(update, 9, objects, bandwidth, quota, folders);
        update.setString(15, name);
        update.setLong(16, expected);
        if (update.executeUpdate() == 0) {
          return false;
        }
      }
      if (keys != null) {
        deleteKeys(connection, name, null);
        insertKeys(connection, name, keys, by, at);
      }
      return true;
    });
    if (!changed) {
      throw stale(name, expected);
    }
    events.account(AccountEvent.Type.USER_UPDATED, name, by, "changed: " + String.join(", ", fields.given()));
    writePolicy.refresh();
    return find(name).orElseThrow();
  }

  public void delete(String name, long version, String by) throws AdminException, StateStoreException {
    UserAccount now = existing(name);
    long expected = version == ANY_VERSION ? now.version() : version;
    boolean deleted = database.transaction("deleting user " + name, connection -> {
      try (PreparedStatement delete = connection.prepareStatement(
          "DELETE FROM user_accounts WHERE user_name = ? AND version = ?")) {
        delete.setString(1, name);
        delete.setLong(2, expected);
        if (delete.executeUpdate() == 0) {
          return false;
        }
      }
      deleteKeys(connection, name, null);
      return true;
    });
    if (!deleted) {
      throw stale(name, expected);
    }
    events.account(AccountEvent.Type.USER_DELETED, name, by, null);
    writePolicy.refresh();
  }

  public UserAccount addKey(String name, String line, String by) throws AdminException, StateStoreException {
    String key = AccountRules.key("key", line);
    existing(name);
    String fingerprint = AuthorizedKeyLine.fingerprint(key);
    Instant at = now();
    // The user's row is touched first, in the same transaction: a user deleted meanwhile (its row
    // gone) gets no key, which would otherwise wait there for the next user of that name.
    String outcome = database.transaction("adding a key to user " + name, connection -> {
      if (touch(connection, name, by, at) == 0) {
        return "gone";
      }
      try (PreparedStatement present = connection.prepareStatement(
          "SELECT 1 FROM user_account_keys WHERE user_name = ? AND fingerprint = ?")) {
        present.setString(1, name);
        present.setString(2, fingerprint);
        try (ResultSet row = present.executeQuery()) {
          if (row.next()) {
            connection.rollback();
            return "present";
          }
        }
      }
      insertKeys(connection, name, Map.of(fingerprint, key), by, at);
      return "added";
    });
    if (outcome.equals("gone")) {
      throw new AdminException(AdminStatus.NOT_FOUND, "no user '" + name + "' (deleted meanwhile)");
    }
    if (outcome.equals("present")) {
      throw new AdminException(AdminStatus.CONFLICT, "user " + name + " has key " + fingerprint + " already");
    }
    events.account(AccountEvent.Type.KEY_ADDED, name, by, fingerprint);
    return find(name).orElseThrow();
  }

  public UserAccount removeKey(String name, String fingerprint, String by) throws AdminException, StateStoreException {
    UserAccount now = existing(name);
    boolean last = now.keys().size() == 1 && now.keys().get(0).fingerprint().equals(fingerprint);
    if (last && !now.hasPassword()) {
      throw AccountRules.invalid("fingerprint", "is the last key of user " + name
          + ", who has no password: give the user a password or another key first");
    }
    Instant at = now();
    int removed = database.transaction("removing a key of user " + name, connection -> {
      int count = deleteKeys(connection, name, fingerprint);
      if (count > 0) {
        touch(connection, name, by, at);
      }
      return count;
    });
    if (removed == 0) {
      throw new AdminException(AdminStatus.NOT_FOUND, "user " + name + " has no key " + fingerprint
          + " (keys are named by their SHA256 fingerprint, as ssh-keygen -l prints it)");
    }
    events.account(AccountEvent.Type.KEY_REMOVED, name, by, fingerprint);
    return find(name).orElseThrow();
  }

  private UserAccount existing(String name) throws AdminException, StateStoreException {
    if (declaredInConfig.test(name)) {
      throw new AdminException(AdminStatus.CONFLICT, "user '" + name + "' is declared in ferry.yaml; change it there");
    }
    return find(name).orElseThrow(() -> new AdminException(AdminStatus.NOT_FOUND, "no user '" + name + "'"));
  }

  private AdminException stale(String name, long expected) throws StateStoreException {
    return find(name).<AdminException>map(current -> new AdminException(AdminStatus.STALE, "user " + name
            + " is at version " + current.version() + ", not " + expected + ": read it again and retry"))
        .orElseGet(() -> new AdminException(AdminStatus.NOT_FOUND, "no user '" + name + "' (deleted meanwhile)"));
  }

  private S3Location checkedHome(String text) throws AdminException {
    S3Location home = AccountRules.home(text);
    checkedBucket("home", null, home.bucket());
    return home;
  }

  /** Refuses {@code field} unless {@code bucket} exists on {@code storage} (null: the s3: service). */
  private void checkedBucket(String field, String storage, String bucket) throws AdminException {
    boolean exists;
    try {
      exists = buckets.exists(storage, bucket);
    } catch (IOException e) {
      throw new AdminException(AdminStatus.FAILED, field + ": whether bucket " + bucket + " exists is unknown: "
          + e.getMessage());
    }
    if (!exists) {
      throw AccountRules.invalid(field, "bucket " + bucket + " does not exist");
    }
  }

  /**
   * The folders {@code given} for a user of {@code home}, checked as ferry.yaml's are, each target's
   * bucket there on the folder's storage.
   */
  private List<VirtualFolder> checkedFolders(List<VirtualFolders.Given> given, S3Location home) throws AdminException {
    List<VirtualFolder> folders;
    try {
      folders = VirtualFolders.check(given, home, storages);
    } catch (dev.ferry.core.config.InvalidFieldException e) {
      throw AccountRules.invalid(e.field(), e.problem());
    }
    for (int i = 0; i < folders.size(); i++) {
      VirtualFolder folder = folders.get(i);
      checkedBucket("folders[" + i + "].target", folder.storage().equals(VirtualFolders.MAIN_STORAGE) ? null
          : folder.storage(), folder.target().bucket());
    }
    return folders;
  }

  /** The user's folders kept as they are beside a new {@code home}: refused if it now overlaps one. */
  private static List<VirtualFolder> foldersKeptBeside(List<VirtualFolder> folders, S3Location home)
      throws AdminException {
    for (VirtualFolder folder : folders) {
      if (VirtualFolder.overlap(home, folder.target())) {
        throw AccountRules.invalid("home", "overlaps the target of folder " + folder.path() + " (" + folder.target()
            + "): the same objects would show at two paths");
      }
    }
    return folders;
  }

  private Instant now() {
    return Instant.ofEpochMilli(clock.millis());
  }

  /** Raises the user's version as a change of it; returns 0 when the user's row is gone. */
  private static int touch(Connection connection, String name, String by, Instant at) throws SQLException {
    try (PreparedStatement update = connection.prepareStatement("UPDATE user_accounts SET updated_by = ?,"
        + " updated_at = ?, version = version + 1 WHERE user_name = ?")) {
      update.setString(1, by);
      update.setLong(2, at.toEpochMilli());
      update.setString(3, name);
      return update.executeUpdate();
    }
  }

  private static void insertKeys(Connection connection, String name, Map<String, String> keys, String by, Instant at)
      throws SQLException {
    try (PreparedStatement insert = connection.prepareStatement("INSERT INTO user_account_keys"
        + " (user_name, fingerprint, key_line, comment, added_by, added_at) VALUES (?, ?, ?, ?, ?, ?)")) {
      for (Map.Entry<String, String> key : keys.entrySet()) {
        insert.setString(1, name);
        insert.setString(2, key.getKey());
        insert.setString(3, key.getValue());
        insert.setString(4, AuthorizedKeyLine.comment(key.getValue()));
        insert.setString(5, by);
        insert.setLong(6, at.toEpochMilli());
        insert.addBatch();
      }
      insert.executeBatch();
    }
  }

  /** Deletes one key of {@code name}, or all of them when {@code fingerprint} is null; returns how many. */
  private static int deleteKeys(Connection connection, String name, String fingerprint) throws SQLException {
    try (PreparedStatement delete = connection.prepareStatement("DELETE FROM user_account_keys WHERE user_name = ?"
        + (fingerprint != null ? " AND fingerprint = ?" : ""))) {
      delete.setString(1, name);
      if (fingerprint != null) {
        delete.setString(2, fingerprint);
      }
      return delete.executeUpdate();
    }
  }

  private static List<UserAccount> read(Connection connection, String where, String name) throws SQLException {
    Map<String, List<UserAccount.Key>> keys = new HashMap<>();
    try (PreparedStatement select = connection.prepareStatement("SELECT user_name, fingerprint, key_line, comment,"
        + " added_by, added_at FROM user_account_keys" + (name != null ? " WHERE user_name = ?" : "")
        + " ORDER BY added_at, fingerprint")) {
      if (name != null) {
        select.setString(1, name);
      }
      try (ResultSet rows = select.executeQuery()) {
        while (rows.next()) {
          keys.computeIfAbsent(rows.getString(1), n -> new ArrayList<>()).add(new UserAccount.Key(rows.getString(3),
              rows.getString(2), rows.getString(4), rows.getString(5), Instant.ofEpochMilli(rows.getLong(6))));
        }
      }
    }
    Map<String, UserAccount> accounts = new LinkedHashMap<>();
    try (PreparedStatement select = connection.prepareStatement("SELECT " + COLUMNS + " FROM user_accounts" + where)) {
      if (name != null) {
        select.setString(1, name);
      }
      try (ResultSet row = select.executeQuery()) {
        while (row.next()) {
          String user = row.getString(1);
          accounts.put(user, new UserAccount(user, row.getString(2), S3Location.parsePrefix(row.getString(3)),
              permissions(row.getString(4)), row.getInt(5) != 0, List.copyOf(keys.getOrDefault(user, List.of())),
              policy(row, S3Location.parsePrefix(row.getString(3))), row.getString(6), Instant.ofEpochMilli(row.getLong(7)), row.getString(8),
              Instant.ofEpochMilli(row.getLong(9)), row.getLong(10)));
        }
      }
    }
    return List.copyOf(accounts.values());
  }

  /** allow_from: the networks as given, one per line ("" for anywhere); expires_at: milliseconds, or NULL. */
  private static void setLimits(PreparedStatement statement, int first, LoginLimits limits) throws SQLException {
    statement.setString(first, String.join("\n", limits.allowFromText()));
    if (limits.expires() == null) {
      statement.setNull(first + 1, java.sql.Types.BIGINT);
    } else {
      statement.setLong(first + 1, limits.expires().toEpochMilli());
    }
  }

  private static void setPolicy(PreparedStatement statement, int first, WriteOptions objects,
      BandwidthLimit bandwidth, QuotaLimit quota, List<VirtualFolder> folders) throws SQLException {
    statement.setString(first, WriteOptionsJson.toText(objects));
    statement.setLong(first + 1, bandwidth.upBytesPerSecond());
    statement.setLong(first + 2, bandwidth.downBytesPerSecond());
    statement.setLong(first + 3, quota.bytes());
    statement.setLong(first + 4, quota.files());
    statement.setString(first + 5, VirtualFoldersJson.toText(folders));
  }

  private static UserPolicy policy(ResultSet row, S3Location home) throws SQLException {
    return new UserPolicy(limits(row.getString(11), expiresAt(row)), WriteOptionsJson.fromText(row.getString(13)),
        new BandwidthLimit(row.getLong(14), row.getLong(15)), new QuotaLimit(row.getLong(16), row.getLong(17)),
        VirtualFoldersJson.fromText(row.getString(18), home));
  }

  private static Long expiresAt(ResultSet row) throws SQLException {
    long millis = row.getLong(12);
    return row.wasNull() ? null : millis;
  }

  private static LoginLimits limits(String allowFrom, Long expiresAt) {
    return LoginLimits.parse(allowFrom.isEmpty() ? List.of() : List.of(allowFrom.split("\n")),
        expiresAt == null ? null : Instant.ofEpochMilli(expiresAt).toString(), "allow_from", "expires_at");
  }

  private static String text(Set<Permission> permissions) {
    return permissions.stream().sorted().map(Permission::label).collect(Collectors.joining(","));
  }

  private static Set<Permission> permissions(String text) {
    return text.isEmpty() ? Set.of() : Arrays.stream(text.split(",")).map(Permission::parse)
        .collect(Collectors.toUnmodifiableSet());
  }
}
