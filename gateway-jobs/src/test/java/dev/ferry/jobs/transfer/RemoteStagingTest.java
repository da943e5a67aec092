package dev.ferry.jobs.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class RemoteStagingTest {

  @Test
  void paths_nextToDestination_oneFolderPerClaim() {
    RemoteStaging staging = new RemoteStaging("/data/in/file.bin", 7);
    assertEquals("/data/in", staging.directory());
    assertEquals("/data/in/file.bin.part", staging.root());
    assertEquals("/data/in/file.bin.part/claim-7", staging.folder());
    assertEquals("/data/in/file.bin.part/claim-7/file.bin", staging.file());
    assertEquals("/data/in/file.bin.part/claim-7/part-3", staging.partFile(3));
    assertEquals("/", new RemoteStaging("/top", 1).directory());
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
