package dev.ferry.core.upload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.s3.S3Location;
import dev.ferry.core.state.StateStore;
import dev.ferry.core.store.MultipartUploadInfo;
import dev.ferry.core.testing.TestStateStores;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The upload journal in a real (embedded) state store, and what a Ferry before it left in dataDir/uploads. */
class UploadJournalTest {

  @TempDir
  Path directory;

  @Test
  void startedThenFinished_listedMeanwhileAsThisLiveNodes() throws IOException {
    try (StateStore state = TestStateStores.embedded(directory)) {
      UploadJournal journal = new UploadJournal(state.database(), state.nodes(), state.shared());
      MultipartUploadInfo upload = new MultipartUploadInfo(new S3Location("b", "k/file.bin"), "upload-1",
          Instant.ofEpochMilli(1_700_000_000_123L));

      journal.started(upload);
      List<UploadJournal.Entry> entries = journal.entries();
      journal.finished("upload-1");

      assertEquals(List.of(new UploadJournal.Entry(upload, state.nodes().selfId(), true)), entries);
      assertEquals(List.of(), journal.entries());
    }
  }

  @Test
  void importFiles_journalFilesOfAnEarlierFerry_becomeEntriesAndAreRemoved() throws IOException {
    Path old = Files.createDirectories(directory.resolve("uploads"));
    Files.writeString(old.resolve("0123.upload"), "bucket\ndir/big file.bin\nupload-9\n1700000000000\n");
    Files.writeString(old.resolve("bad.upload"), "half\n");
    try (StateStore state = TestStateStores.embedded(directory)) {
      UploadJournal journal = new UploadJournal(state.database(), state.nodes(), state.shared());

      assertEquals(1, journal.importFiles(old));

      List<UploadJournal.Entry> entries = journal.entries();
      assertEquals(1, entries.size());
      assertEquals(new MultipartUploadInfo(new S3Location("bucket", "dir/big file.bin"), "upload-9",
          Instant.ofEpochMilli(1_700_000_000_000L)), entries.get(0).upload());
      assertTrue(entries.get(0).nodeAlive());
      assertFalse(Files.list(old).findAny().isPresent(), "imported files are removed");
    }
  }
}
