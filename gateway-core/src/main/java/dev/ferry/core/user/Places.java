package dev.ferry.core.user;

import dev.ferry.core.quota.QuotaOwner;
import dev.ferry.core.quota.QuotaPlaces;
import dev.ferry.core.s3.BucketStorages;
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
public final class Places implements WritePolicy, QuotaPlaces, BucketStorages {

  /**
   * A home or a folder: where its objects are, what they are written with, whose it is (for
   * messages), and the quota counting its objects (null: none).
   */
  private record Place(S3Location prefix, WriteOptions options, String owner, boolean home, QuotaOwner quota) {}

  private final WriteDefaults defaults;
  /** Deepest first, so the first place holding an object is the one that counts. */
  private final List<Place> places;
  /** The buckets on other storages than s3:, and their storage's name. */
  private final Map<String, String> storageOfBucket;

  private Places(WriteDefaults defaults, List<Place> places, Map<String, String> storageOfBucket) {
    this.defaults = defaults;
    this.places = places;
    this.storageOfBucket = storageOfBucket;
  }

  /**
   * The places of {@code users} over {@code defaults}. Two users of one home, or of one folder's
   * target, whose options differ are refused, naming both: which of them an object follows would be
   * a guess. So is a bucket that one user's home or folder has on one storage and another's on
   * another: requests go to a storage by bucket.
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
    Map<String, String> storageOfBucket = storagesOfBuckets(users, conflict);
    java.util.function.Function<String, WriteOptions> serviceDefaults =
        bucket -> defaults.forStorage(storageOfBucket.get(bucket));
    Map<S3Location, Place> byPrefix = new HashMap<>();
    List<Place> places = new ArrayList<>();
    for (User user : users) {
      List<Place> own = new ArrayList<>();
      own.add(new Place(user.home(), user.objects().over(serviceDefaults.apply(user.home().bucket())),
          "'" + user.name() + "'", true, user.quota().isNone() ? null
              : new QuotaOwner(user.name(), user.home(), user.quota(), user.name())));
      for (VirtualFolder folder : user.folders()) {
        own.add(new Place(folder.target(), folder.objects().over(serviceDefaults.apply(folder.target().bucket())),
            "'" + user.name() + "' (folder " + folder.path() + ")", false, folder.quota().isNone() ? null
                : new QuotaOwner(folder.target().toString(), folder.target(), folder.quota(),
                    user.name() + "'s folder " + folder.path())));
      }
      for (Place place : own) {
        Place other = byPrefix.putIfAbsent(place.prefix(), place);
        if (other == null) {
          places.add(place);
        } else if (!other.options().equals(place.options())) {
          conflict.accept("s3: users " + other.owner() + " and " + place.owner() + " share "
              + (other.home() && place.home() ? "the home " : "") + place.prefix()
              + " but not their s3 options: give them the same, or places of their own");
        }
      }
    }
    places.sort(Comparator.comparingInt((Place place) -> place.prefix().key().length()).reversed());
    return new Places(defaults, List.copyOf(places), storageOfBucket);
  }

  /** The storage of each bucket a folder has on another storage than s3:; a bucket on two is a conflict. */
  private static Map<String, String> storagesOfBuckets(List<User> users, java.util.function.Consumer<String> conflict) {
    Map<String, String> storageOf = new HashMap<>();
    Map<String, String> namedBy = new HashMap<>();
    for (User user : users) {
      claim(storageOf, namedBy, user.home().bucket(), VirtualFolders.MAIN_STORAGE, "'" + user.name() + "'s home",
          conflict);
      for (VirtualFolder folder : user.folders()) {
        claim(storageOf, namedBy, folder.target().bucket(), folder.storage(), "'" + user.name() + "'s folder "
            + folder.path(), conflict);
      }
    }
    storageOf.values().removeIf(VirtualFolders.MAIN_STORAGE::equals);
    return Map.copyOf(storageOf);
  }

  private static void claim(Map<String, String> storageOf, Map<String, String> namedBy, String bucket, String storage,
      String by, java.util.function.Consumer<String> conflict) {
    String earlier = storageOf.putIfAbsent(bucket, storage);
    if (earlier == null) {
      namedBy.put(bucket, by);
    } else if (!earlier.equals(storage)) {
      conflict.accept("folders: bucket '" + bucket + "' is on storage '" + earlier + "' for " + namedBy.get(bucket)
          + " but on storage '" + storage + "' for " + by + ": a bucket is on one storage");
    }
  }

  @Override
  public String storageOf(String bucket) {
    return storageOfBucket.get(bucket);
  }

  /** Whether every folder of {@code user} on another storage is routed there here. */
  boolean routes(User user) {
    for (VirtualFolder folder : user.folders()) {
      String storage = folder.storage().equals(VirtualFolders.MAIN_STORAGE) ? null : folder.storage();
      if (!java.util.Objects.equals(storage, storageOfBucket.get(folder.target().bucket()))) {
        return false;
      }
    }
    return true;
  }

  @Override
  public WriteOptions forObject(S3Location object) {
    return holding(object).map(Place::options).orElseGet(() -> defaults.forStorage(storageOf(object.bucket())));
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
