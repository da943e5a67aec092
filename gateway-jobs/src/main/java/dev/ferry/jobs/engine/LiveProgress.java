package dev.ferry.jobs.engine;

/**
 * Counts an attempt keeps as it goes (parts fetched in parallel), read whenever the job is shown or
 * saved, so that the work need not write its record for every part.
 */
public interface LiveProgress {

  long bytesDone();

  int partsDone();
}
