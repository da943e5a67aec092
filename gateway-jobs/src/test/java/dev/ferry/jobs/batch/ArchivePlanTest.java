package dev.ferry.jobs.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.s3.ObjectInfo;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ArchivePlanTest {

  static ObjectInfo file(String key, long size) {
    return new ObjectInfo(key, size, Instant.EPOCH, "\"e\"", Map.of());
  }

  @Test
  void folder_groupedByDirectoryAndCutAtTheLimit_tooLargeLeftOut() {
    List<ObjectInfo> files = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      files.add(file("in/a/f" + i + ".csv", 1000)); // 512 + 1024 each in the tar
    }
    files.add(file("in/a.txt", 10));
    files.add(file("in/a/b/deep.csv", 10));
    files.add(file("in/a/huge.bin", 10_000));
    ArchivePlan.Plan plan = ArchivePlan.of(files, 8192);

    assertEquals(List.of("in/a/huge.bin"), plan.tooLarge().stream().map(ObjectInfo::key).toList());
    assertEquals(List.of("in/", "in/a/", "in/a/", "in/a/", "in/a/b/"), plan.groups().stream().map(ArchivePlan.Group::directory)
        .toList(), "one directory per archive, in key order");
    assertEquals(List.of(1, 4, 4, 2, 1), plan.groups().stream().map(g -> g.files().size()).toList(),
        "1024 + 4 x 1536 = 7168 fits 8192, a fifth file would not");
    for (ArchivePlan.Group group : plan.groups()) {
      assertTrue(group.tarSize() <= 8192, group.toString());
    }
    assertEquals(1024 + 4 * 1536, plan.groups().get(1).tarSize());
  }

  @Test
  void manySmallFiles_archiveHoldsAtMostMaxFiles() {
    List<ObjectInfo> files = new ArrayList<>();
    for (int i = 0; i < ArchivePlan.MAX_FILES + 5; i++) {
      files.add(file(String.format("in/%06d", i), 1));
    }
    ArchivePlan.Plan plan = ArchivePlan.of(files, 1L << 30);
    assertEquals(List.of(ArchivePlan.MAX_FILES, 5), plan.groups().stream().map(g -> g.files().size()).toList());
  }
}
