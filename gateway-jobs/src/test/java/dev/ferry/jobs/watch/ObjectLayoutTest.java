package dev.ferry.jobs.watch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.path.BadPathException;
import dev.ferry.core.s3.S3Location;
import org.junit.jupiter.api.Test;

class ObjectLayoutTest {

  @Test
  void objectFor_target_underItsPrefix() throws BadPathException {
    ObjectLayout layout = ObjectLayout.under(new S3Location("data", "in/"), false);
    assertEquals(new S3Location("data", "in/a/b.csv.gz"), layout.objectFor("a/b.csv.gz"));
  }

  @Test
  void objectFor_gunzip_gzSuffixDropped() throws BadPathException {
    ObjectLayout layout = ObjectLayout.under(new S3Location("data", ""), true);
    assertEquals(new S3Location("data", "a/b.csv"), layout.objectFor("a/b.csv.gz"));
    assertEquals(new S3Location("data", "a/b.csv"), layout.objectFor("a/b.csv"));
  }

  @Test
  void objectFor_bucketKey_firstDirectoryIsTheBucket() throws BadPathException {
    ObjectLayout layout = ObjectLayout.bucketKey(false);
    assertEquals(new S3Location("example-bucket", "path/to/file.txt"), layout.objectFor("example-bucket/path/to/file.txt"));
    BadPathException noBucket = assertThrows(BadPathException.class, () -> layout.objectFor("file.txt"));
    assertTrue(noBucket.getReason().contains("no bucket"), noBucket.getReason());
    assertThrows(BadPathException.class, () -> layout.objectFor("Not_A_Bucket/file.txt"));
  }

  /** A name Ferry's clients could not name, or one over 900 bytes, is refused, never shortened. */
  @Test
  void objectFor_nameBreakingVirtualPathRules_refused() {
    ObjectLayout layout = ObjectLayout.under(new S3Location("data", ""), false);
    assertThrows(BadPathException.class, () -> layout.objectFor("back\\slash.txt"));
    assertThrows(BadPathException.class, () -> layout.objectFor("bell\u0007.txt"));
    assertThrows(BadPathException.class, () -> layout.objectFor("d/".repeat(500) + "long.txt"));
  }
}
