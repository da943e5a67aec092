package dev.ferry.core.quota;

import dev.ferry.core.s3.S3Location;
import java.util.Optional;

/**
 * Which quota counts an object, by where it is: the quota of the home or virtual folder holding it
 * (the deepest), for changes that no session counts (syncs, watched folders, workflows).
 */
@FunctionalInterface
public interface QuotaPlaces {

  QuotaPlaces NONE = object -> Optional.empty();

  /** The quota counting {@code object}; empty where none does. */
  Optional<QuotaOwner> ownerOf(S3Location object);
}
