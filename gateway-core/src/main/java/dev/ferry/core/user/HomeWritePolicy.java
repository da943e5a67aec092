package dev.ferry.core.user;

import dev.ferry.core.s3.S3Location;
import dev.ferry.core.s3.WriteOptions;
import dev.ferry.core.s3.WritePolicy;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Each object is written with the options of the user whose home holds it (the deepest home, when
 * homes nest), each user's own {@code s3:} options over the node's defaults; an object in no
 * user's home gets the defaults. So a sync, a watched folder or a workflow writing into a
 * partner's home encrypts and classes the object as the partner's own uploads are.
 */
public final class HomeWritePolicy implements WritePolicy {

  private record Home(S3Location prefix, WriteOptions options) {}

  private final WriteOptions defaults;
  /** Deepest first, so the first home holding an object is the one that counts. */
  private final List<Home> homes;

  private HomeWritePolicy(WriteOptions defaults, List<Home> homes) {
    this.defaults = defaults;
    this.homes = homes;
  }

  /**
   * The policy of {@code users} over {@code defaults}. Two users of one home whose options differ
   * are refused, naming both: which of them an object follows would be a guess.
   */
  public static HomeWritePolicy of(WriteOptions defaults, List<User> users) {
    return of(defaults, users, conflict -> {
      throw new IllegalArgumentException(conflict);
    });
  }

  /**
   * As {@link #of(WriteOptions, List)}, telling {@code conflict} of two users of one home whose
   * options differ (the first one's are kept), for a policy read again while Ferry runs.
   */
  static HomeWritePolicy of(WriteOptions defaults, List<User> users, java.util.function.Consumer<String> conflict) {
    Map<S3Location, User> byHome = new HashMap<>();
    List<Home> homes = new ArrayList<>();
    for (User user : users) {
      WriteOptions options = user.objects().over(defaults);
      User other = byHome.putIfAbsent(user.home(), user);
      if (other == null) {
        homes.add(new Home(user.home(), options));
      } else if (!other.objects().over(defaults).equals(options)) {
        conflict.accept("users '" + other.name() + "' and '" + user.name() + "' share the home " + user.home()
            + " but not their s3 options: give them the same, or homes of their own");
      }
    }
    homes.sort(Comparator.comparingInt((Home home) -> home.prefix().key().length()).reversed());
    return new HomeWritePolicy(defaults, List.copyOf(homes));
  }

  @Override
  public WriteOptions forObject(S3Location object) {
    for (Home home : homes) {
      if (home.prefix().bucket().equals(object.bucket()) && object.key().startsWith(home.prefix().key())) {
        return home.options();
      }
    }
    return defaults;
  }
}
