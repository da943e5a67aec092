package dev.ferry.core.user;

import dev.ferry.core.quota.QuotaOwner;
import dev.ferry.core.quota.QuotaPlaces;
import dev.ferry.core.s3.S3Location;
import dev.ferry.core.s3.WriteDefaults;
import dev.ferry.core.s3.WriteOptions;
import dev.ferry.core.s3.WritePolicy;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The homes and virtual folders of users, and what the one holding an object (the deepest, when
 * they nest) says of it. Its write options: a user's own {@code s3:} options, or a folder's, over
 * the defaults of the bucket's service ({@link WriteDefaults}); an object in no home or folder gets
 * those defaults. Its quota: the user's for a home, the folder's own for a folder. So a sync, a
 * watched folder or a workflow writing into a partner's home encrypts and classes the object as the
 * partner's own uploads are, and the partner's quota counts it.
 */
public final class Places implements WritePolicy, QuotaPlaces {

  /**
   * A home or a folder: where its objects are, what they are written with, whose it is (for
   * messages), and the quota counting its objects (null: none).
   */
  private record Place(S3Location prefix, WriteOptions options, String owner, boolean home, QuotaOwner quota) {}

  private final WriteDefaults defaults;
  /** Deepest first, so the first place holding an object is the one that counts. */
  private final List<Place> places;

  private Places(WriteDefaults defaults, List<Place> places) {
    this.defaults = defaults;
    this.places = places;
  }

  /**
   * The policy of {@code users} over {@code defaults}. Two users of one home, or of one folder's
   * target, whose options differ are refused, naming both: which of them an object follows would be
   * a guess.
   */
  public static Places of(WriteDefaults defaults, List<User> users) {
    return of(defaults, users, conflict -> {
      throw new IllegalArgumentException(conflict);
    });
  }

  /**
   * As {@link #of(WriteDefaults, List)}, telling {@code conflict} of two users of one place whose
   * options differ (the first one's are kept), for a policy read again while Ferry runs.
   */
  static Places of(WriteDefaults defaults, List<User> users, java.util.function.Consumer<String> conflict) {
    Map<S3Location, Place> byPrefix = new HashMap<>();
    List<Place> places = new ArrayList<>();
    for (User user : users) {
      List<Place> own = new ArrayList<>();
      own.add(new Place(user.home(), user.objects().over(defaults.forBucket(user.home().bucket())),
          "'" + user.name() + "'", true, user.quota().isNone() ? null
              : new QuotaOwner(user.name(), user.home(), user.quota(), user.name())));
      for (VirtualFolder folder : user.folders()) {
        own.add(new Place(folder.target(), folder.objects().over(defaults.forBucket(folder.target().bucket())),
            "'" + user.name() + "' (folder " + folder.path() + ")", false, folder.quota().isNone() ? null
                : new QuotaOwner(folder.target().toString(), folder.target(), folder.quota(),
                    user.name() + "'s folder " + folder.path())));
      }
      for (Place place : own) {
        Place other = byPrefix.putIfAbsent(place.prefix(), place);
        if (other == null) {
          places.add(place);
        } else if (!other.options().equals(place.options())) {
          conflict.accept("users " + other.owner() + " and " + place.owner() + " share "
              + (other.home() && place.home() ? "the home " : "") + place.prefix()
              + " but not their s3 options: give them the same, or places of their own");
        }
      }
    }
    places.sort(Comparator.comparingInt((Place place) -> place.prefix().key().length()).reversed());
    return new Places(defaults, List.copyOf(places));
  }

  @Override
  public WriteOptions forObject(S3Location object) {
    return holding(object).map(Place::options).orElseGet(() -> defaults.forBucket(object.bucket()));
  }

  @Override
  public Optional<QuotaOwner> ownerOf(S3Location object) {
    return holding(object).map(Place::quota);
  }

  private Optional<Place> holding(S3Location object) {
    for (Place place : places) {
      if (place.prefix().bucket().equals(object.bucket()) && object.key().startsWith(place.prefix().key())) {
        return Optional.of(place);
      }
    }
    return Optional.empty();
  }
}
