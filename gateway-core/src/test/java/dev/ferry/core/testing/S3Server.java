package dev.ferry.core.testing;

import java.net.URI;

/**
 * An S3-API server a test runs itself on loopback, which it can stop and start again on the same
 * endpoint with the same objects: how tests make S3 go away and come back.
 */
interface S3Server {

  URI endpoint();

  /** Serves (again), waiting until it answers. */
  void start();

  /** Stops serving; its objects are kept for the next {@link #start()}. */
  void stop();

  /** Ends it for good, without waiting (a shutdown hook's last word). */
  void kill();
}
