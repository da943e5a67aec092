package dev.ferry.jobs.watch;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.path.FileGlobs;
import java.util.List;
import org.junit.jupiter.api.Test;

class FileSelectionTest {

  @Test
  void accepts_defaults_everythingButHidden() {
    FileSelection all = new FileSelection(new FileGlobs(List.of(), List.of()), false);
    assertTrue(all.accepts("a.csv"));
    assertTrue(all.accepts("deep/er/b.bin"));
    assertFalse(all.accepts(".a.csv.X1b2c3"), "rsync's temp file");
    assertFalse(all.accepts("deep/.b.bin.tmp"));
    assertFalse(all.accepts(".cache/b.bin"), "a file in a hidden directory");
    assertFalse(all.enters(".cache"));
    assertTrue(all.enters("deep/er"));
  }

  @Test
  void accepts_includeHidden_takesThemToo() {
    FileSelection all = new FileSelection(new FileGlobs(List.of(), List.of()), true);
    assertTrue(all.accepts(".a.csv"));
    assertTrue(all.enters(".cache"));
  }

  @Test
  void accepts_globWithoutSlash_matchesTheNameAtAnyDepth() {
    FileSelection csv = new FileSelection(new FileGlobs(List.of("*.csv", "*.csv.gz"), List.of("skip*")), false);
    assertTrue(csv.accepts("a.csv"));
    assertTrue(csv.accepts("x/y/a.csv.gz"));
    assertFalse(csv.accepts("a.txt"));
    assertFalse(csv.accepts("x/skip-me.csv"));
  }

  @Test
  void accepts_globWithSlash_matchesTheRelativePath() {
    FileSelection reports = new FileSelection(new FileGlobs(List.of("reports/**"), List.of("reports/old/*")), false);
    assertTrue(reports.accepts("reports/2024/a.pdf"));
    assertFalse(reports.accepts("other/a.pdf"));
    assertFalse(reports.accepts("reports/old/a.pdf"));
  }

  @Test
  void problemOf_badGlob_says() {
    assertNull(FileGlobs.problemOf("*.{csv,tsv}"));
    assertNotNull(FileGlobs.problemOf("*.{csv"));
    assertNotNull(FileGlobs.problemOf(" "));
  }
}
