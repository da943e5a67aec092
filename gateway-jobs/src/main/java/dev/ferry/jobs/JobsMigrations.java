package dev.ferry.jobs;

import dev.ferry.core.state.ModuleMigrations;

/**
 * gateway-jobs' tables in the state store: the jobs the engine claims and runs, and the schedule
 * syncs and batches share. Found by the state store through {@code META-INF/services}.
 */
public final class JobsMigrations implements ModuleMigrations {

  @Override
  public String location() {
    return "classpath:dev/ferry/jobs/migration";
  }
}
