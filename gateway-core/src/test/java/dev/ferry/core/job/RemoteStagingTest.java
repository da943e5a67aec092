package dev.ferry.core.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class RemoteStagingTest {

  @Test
  void paths_nextToDestination() {
    RemoteStaging staging = new RemoteStaging("/data/in/file.bin");
    assertEquals("/data/in", staging.directory());
    assertEquals("/data/in/file.bin.part", staging.folder());
    assertEquals("/data/in/file.bin.part/file.bin", staging.assembled());
    assertEquals("/data/in/file.bin.part/part-3", staging.partFile(3));
    assertEquals("/", new RemoteStaging("/top").directory());
  }

  @Test
  void problem_relativeDotDotOrDirectory_named() {
    assertNotNull(RemoteStaging.problem("relative/x"));
    assertNotNull(RemoteStaging.problem("/a/../etc/passwd"));
    assertNotNull(RemoteStaging.problem("/a/dir/"));
    assertNotNull(RemoteStaging.problem("/a//b"));
    assertNull(RemoteStaging.problem("/a/we ird $(x); 'q'"));
  }
}
