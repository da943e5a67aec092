package dev.ferry.core.state;

/**
 * The tables a module other than core keeps in the state store, as the Flyway location of their
 * migrations. A module declares one in {@code META-INF/services/dev.ferry.core.state.ModuleMigrations}
 * and {@link StateStore} migrates the schema from core's location and every one found on the class
 * path, so core owns its tables without knowing the modules beside it.
 *
 * <p>Versions are one sequence across modules (Flyway applies the migrations of all locations in
 * version order and refuses two of one version): a new migration takes the next version after the
 * highest of any module.
 */
public interface ModuleMigrations {

  /** Where the module's migrations are, as Flyway names locations: {@code classpath:dev/ferry/jobs/migration}. */
  String location();
}
