package dev.ferry.core.object;

import dev.ferry.core.s3.S3Location;
import java.io.IOException;

/** The object's path lock is held (a client's transfer, delete or rename of it): the change was not made. */
public final class ObjectBusyException extends IOException {

  private final S3Location object;

  ObjectBusyException(S3Location object, String purpose, Throwable cause) {
    super(purpose + ": " + object + " is busy (a client's transfer, delete or rename of it is in progress): "
        + cause.getMessage(), cause);
    this.object = object;
  }

  public S3Location object() {
    return object;
  }
}
