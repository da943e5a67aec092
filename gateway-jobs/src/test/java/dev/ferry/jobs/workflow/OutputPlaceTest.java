package dev.ferry.jobs.workflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.ferry.core.s3.S3Location;
import org.junit.jupiter.api.Test;

class OutputPlaceTest {

  private static final S3Location UNPACKED = new S3Location("out", "unpacked/");

  @Test
  void rootOf_theGlobsFixedFolders() {
    assertEquals("/incoming/", OutputPlace.rootOf("/incoming/**.csv"));
    assertEquals("/in/", OutputPlace.rootOf("/in/*"));
    assertEquals("/a/b/", OutputPlace.rootOf("/a/b/{x,y}/*.gz"));
    assertEquals("/exact/", OutputPlace.rootOf("/exact/file.gz"));
    assertEquals("/", OutputPlace.rootOf("*.gz"));
    assertEquals("/", OutputPlace.rootOf("/**"));
    assertEquals("/", OutputPlace.rootOf(null));
  }

  @Test
  void sameNameFromTwoFoldersOrTwoUsers_twoOutputs() {
    S3Location fromA = OutputPlace.of("/", "alice", "/a/report.csv.gz", "home/alice/a/report.csv.gz")
        .file(UNPACKED, new S3Location("b", "home/alice/a/report.csv"));
    S3Location fromB = OutputPlace.of("/", "alice", "/b/report.csv.gz", "home/alice/b/report.csv.gz")
        .file(UNPACKED, new S3Location("b", "home/alice/b/report.csv"));
    S3Location bobs = OutputPlace.of("/", "bob", "/a/report.csv.gz", "home/bob/a/report.csv.gz")
        .file(UNPACKED, new S3Location("b", "home/bob/a/report.csv"));
    assertEquals(new S3Location("out", "unpacked/alice/a/report.csv"), fromA);
    assertEquals(new S3Location("out", "unpacked/alice/b/report.csv"), fromB);
    assertEquals(new S3Location("out", "unpacked/bob/a/report.csv"), bobs);
    assertNotEquals(fromA, bobs);
  }

  @Test
  void pathBelowTheMatchedRoot_andNoUserForIngest() {
    assertEquals(new S3Location("out", "unpacked/alice/2026/11/"),
        OutputPlace.of("/incoming/", "alice", "/incoming/2026/11/x.zip", "k").folder(UNPACKED));
    assertEquals(new S3Location("out", "unpacked/alice/"),
        OutputPlace.of("/incoming/", "alice", "/incoming/x.zip", "k").folder(UNPACKED));
    assertEquals(new S3Location("out", "unpacked/watched/partner-a/"),
        OutputPlace.of("/", null, null, "watched/partner-a/x.zip").folder(UNPACKED));
  }
}
