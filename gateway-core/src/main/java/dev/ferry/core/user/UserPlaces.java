package dev.ferry.core.user;

import dev.ferry.core.admin.AdminException;
import dev.ferry.core.admin.AdminStatus;
import dev.ferry.core.quota.QuotaOwner;
import dev.ferry.core.quota.QuotaPlaces;
import dev.ferry.core.s3.BucketStorages;
import dev.ferry.core.s3.S3Location;
import dev.ferry.core.s3.WriteDefaults;
import dev.ferry.core.s3.WriteOptions;
import dev.ferry.core.s3.WritePolicy;
import dev.ferry.core.state.StateStoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The {@link Places} of every user: those ferry.yaml declares and those kept as data,
 * whose homes and options change while Ferry runs. A write asks a snapshot in memory, never the
 * state store (a write may be started on an event loop); the snapshot is read again every few
 * seconds and after each change of a user on this node, so a change made on another node is in
 * force here within that time.
 */
public final class UserPlaces implements WritePolicy, QuotaPlaces, BucketStorages {

  private static final Logger log = LoggerFactory.getLogger(UserPlaces.class);

  private final WriteDefaults defaults;
  private final List<User> declared;
  private volatile UserAccounts accounts;
  private volatile Places current;

  public UserPlaces(WriteDefaults defaults, List<User> declared) {
    this.defaults = defaults;
    this.declared = List.copyOf(declared);
    this.current = Places.of(defaults, declared);
  }

  /** From now on the users kept in {@code accounts} count too; reads them at once. */
  public void keepAccountsIn(UserAccounts accounts) {
    this.accounts = accounts;
    refresh();
  }

  @Override
  public WriteOptions forObject(S3Location object) {
    return current.forObject(object);
  }

  @Override
  public Optional<QuotaOwner> ownerOf(S3Location object) {
    return current.ownerOf(object);
  }

  @Override
  public String storageOf(String bucket) {
    return current.storageOf(bucket);
  }

  /**
   * Makes sure requests about {@code user}'s folders go to their storages before a session uses
   * them: a folder given on another node a moment ago, not yet in this node's snapshot, is read in
   * now rather than within the next refresh.
   */
  public void route(User user) {
    if (!current.routes(user)) {
      refresh();
    }
  }

  /**
   * Reads the kept users again. When the store cannot be asked, the snapshot stays as it was; two
   * users of one home with different options (which {@link #check} refuses, but two nodes could
   * let through at the same moment) are logged and the first one's options kept.
   */
  public void refresh() {
    UserAccounts store = accounts;
    if (store == null) {
      return;
    }
    try {
      current = Places.of(defaults, everyone(store, null, null),
          conflict -> log.error("users' homes and folders: {}; the first one's is used", conflict));
    } catch (StateStoreException e) {
      log.warn("object write options of users kept as data not read again ({}); as last read", e.getMessage());
    }
  }

  /**
   * Whether user {@code name} may have {@code home} with {@code options}, and {@code folders}, beside
   * every other user: a home or folder target another user has with other options is refused (409),
   * naming both.
   */
  void check(String name, S3Location home, WriteOptions options, List<VirtualFolder> folders)
      throws AdminException, StateStoreException {
    UserAccounts store = accounts;
    User candidate = new User(name, null, home, java.util.Set.of(), List.of(), false,
        new UserPolicy(null, options, null, null, folders));
    try {
      Places.of(defaults, store == null ? List.of(candidate) : everyone(store, name, candidate));
    } catch (IllegalArgumentException e) {
      throw new AdminException(AdminStatus.CONFLICT, e.getMessage());
    }
  }

  /** The declared users and the kept ones, the one named {@code replaced} (if any) as {@code candidate}. */
  private List<User> everyone(UserAccounts store, String replaced, User candidate) throws StateStoreException {
    List<User> all = new ArrayList<>(declared);
    for (UserAccount account : store.all()) {
      if (!account.name().equals(replaced)) {
        all.add(account.user());
      }
    }
    if (candidate != null) {
      all.add(candidate);
    }
    return all;
  }
}
