package dev.ferry.jobs.engine;

import dev.ferry.jobs.remote.RemoteSession;
import java.io.IOException;
import java.util.function.UnaryOperator;

/** A job as its {@link JobWork} sees it while this node holds its claim. */
public interface RunningJob {

  JobRecord record();

  /** The claim this node holds the job under (a new one each time a node claims it). */
  long claim();

  /** Changes the record (progress, the current item); the heartbeat saves it, so every node shows it. */
  void update(UnaryOperator<JobRecord> change);

  /**
   * Whether the engine tries the job again after this attempt fails with {@code failure} (a
   * transient one, attempts left): work that must act on the job's last failure (a workflow's
   * quarantine) asks here instead of repeating the engine's rule.
   */
  boolean retriesAfter(Throwable failure);

  /** Whether an operator cancelled the job: the work stops and throws. */
  boolean cancelRequested();

  /** The connection a cancel closes at once, to stop work blocked on it; null when there is none. */
  void useSession(RemoteSession session);

  /** Counts the attempt keeps as it goes, merged into the record whenever it is shown or saved; null: none. */
  void showProgress(LiveProgress progress);

  /** Saves the record now (the heartbeat does it every second otherwise). */
  void save() throws IOException;

  /**
   * Throws unless this node still holds the job: called before each change the job makes visible,
   * so that a node that froze past its lease, whose job another node has claimed since, changes
   * nothing more.
   */
  void ensureHeld() throws IOException;

  /**
   * Whether this node may go on writing for the job, answered without the store: false once the
   * claim is known lost or not confirmed within the lease (the node froze). For work that writes
   * outside the store chunk by chunk, where {@link #ensureHeld} per write would cost too much.
   */
  boolean holdsClaim();

  /** Publishes {@code detail} about the job (an event and an activity line), as in "resumed from part 5 of 8". */
  void note(String detail);
}
