package dev.ferry.server.console;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ferry.jobs.engine.JobRecord;
import dev.ferry.jobs.engine.JobState;
import dev.ferry.jobs.transfer.KeptParts;
import dev.ferry.jobs.transfer.TransferMode;
import dev.ferry.jobs.transfer.TransferSpec;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class JobProgressTest {

  static final Instant START = Instant.parse("2026-01-01T00:00:00Z");

  static JobRecord job(JobState state, long size, long done) {
    return new JobRecord("abc", new TransferSpec("b", "k", "h", "/p", 4, 0, TransferMode.DIRECT, false), state, size,
        done, 1, 4, 1, null, START.toString(), START.toString(), null, null, null, null);
  }

  @Test
  void running_quarterDoneAfterTenSeconds_rateAndThirtySecondsLeft() {
    JobProgress progress = JobProgress.of(job(JobState.RUNNING, 400_000_000, 100_000_000), START.plusSeconds(10));
    assertEquals("10.0 MB/s", progress.rate());
    assertEquals("ETA 30s", progress.eta());
    assertEquals("100.0 MB of 400.0 MB", progress.bytes());
    assertEquals("1/4 parts", progress.parts());
  }

  /** Half the file was kept from an earlier attempt: the rate counts only what this attempt moved. */
  @Test
  void resumed_keptBytesAreNotPartOfTheRate() {
    KeptParts kept = new KeptParts("\"etag\"", 400_000_000, 4, 2, List.of(new KeptParts.Part(0, 100_000_000, "a".repeat(64), null),
        new KeptParts.Part(1, 100_000_000, "b".repeat(64), null)), 2, 200_000_000, 0);
    JobRecord resumed = job(JobState.RUNNING, 400_000_000, 300_000_000).withCheckpoint(kept);
    JobProgress progress = JobProgress.of(resumed, START.plusSeconds(10));
    assertEquals("10.0 MB/s", progress.rate());
    assertEquals("ETA 10s", progress.eta());
  }

  @Test
  void running_longWayToGo_minutesAndSeconds() {
    assertEquals("ETA 2m 05s", JobProgress.of(job(JobState.RUNNING, 1_350_000, 100_000), START.plusSeconds(10)).eta());
  }

  @Test
  void notMoving_noRateNoEta() {
    JobProgress done = JobProgress.of(job(JobState.DONE, 1000, 1000), START.plusSeconds(10));
    assertEquals("", done.rate());
    assertEquals("", done.eta());
    assertEquals("", JobProgress.of(job(JobState.RUNNING, 1000, 0), START.plusSeconds(10)).eta());
  }
}
