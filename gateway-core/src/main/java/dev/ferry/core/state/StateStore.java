package dev.ferry.core.state;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.pool.HikariPool;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/**
 * Everything Ferry keeps beyond one process, in one database: the embedded default (a SQLite file
 * in {@code dataDir}, nothing to set up) or PostgreSQL, which several Ferry nodes share. The schema
 * is Flyway's migrations, the same for both, applied at start: core's under
 * {@code dev/ferry/core/state/migration}, and each other module's where its {@link ModuleMigrations}
 * says (gateway-jobs': the jobs and the schedule of syncs and batches).
 *
 * <p>SQLite rather than H2 or Derby for the embedded store: its file format and durability are
 * the most proven of the embedded databases, and it takes the same {@code INSERT ... ON CONFLICT}
 * and {@code RETURNING} as PostgreSQL, so one set of statements serves both stores.
 */
public final class StateStore implements AutoCloseable {

  /**
   * Core's own tables. V6 stays here whole although its console_sessions table is gateway-server's:
   * Flyway validates every applied migration's version, description and checksum against the file
   * of that version, so a file cannot be split (or changed) once a store applied it, and its other
   * tables (node_sessions, disconnect_requests) are core's. For the same reason the migrations moved
   * to their modules (V3, V4, V7 to gateway-jobs) kept their file names and bytes: a store migrated
   * when core held them all validates unchanged (StoreMadeBeforeModuleMigrationsIT). A process needs
   * every module whose migrations its store applied, as the server has them all: a version applied
   * and found nowhere fails validation.
   */
  private static final String CORE_MIGRATIONS = "classpath:dev/ferry/core/state/migration";

  private final HikariDataSource pool;
  /** SQLite's connections that commit without waiting for the disk; null for PostgreSQL. */
  private final HikariDataSource notFlushedPool;
  private final Database database;
  private final Nodes nodes;
  private final boolean shared;
  /** How the nodes sharing the store tell each other what they changed in S3; null for one node. */
  private final PostgresChangeFeed changeFeed;

  private StateStore(HikariDataSource pool, HikariDataSource notFlushedPool, Database database, Nodes nodes,
      StateStoreSettings settings) {
    this.pool = pool;
    this.notFlushedPool = notFlushedPool;
    this.database = database;
    this.nodes = nodes;
    this.shared = settings.shared();
    this.changeFeed = shared ? new PostgresChangeFeed(settings) : null;
  }

  /**
   * Connects to the store and brings its schema up to date. A store that cannot be reached or
   * migrated fails here, with its address in the message, before Ferry accepts any client.
   */
  public static StateStore open(StateStoreSettings settings, Clock clock) throws IOException {
    HikariConfig config = poolConfig("ferry-state", settings);
    Database.Vendor vendor;
    if (settings.embedded()) {
      Files.createDirectories(settings.embeddedFile().toAbsolutePath().getParent());
      config.setDataSource(sqlite(settings, SQLiteConfig.SynchronousMode.FULL));
      vendor = Database.Vendor.SQLITE;
    } else {
      postgres(config, settings);
      vendor = Database.Vendor.POSTGRESQL;
    }
    HikariDataSource pool;
    try {
      pool = new HikariDataSource(config);
    } catch (HikariPool.PoolInitializationException | IllegalArgumentException e) {
      throw new StateStoreException("connecting", settings.describe(), e);
    }
    try {
      Flyway.configure().dataSource(pool).locations(migrationLocations()).load().migrate();
    } catch (FlywayException e) {
      pool.close();
      throw new StateStoreException("migrating the schema", settings.describe(), e);
    }
    HikariDataSource notFlushedPool = null;
    Nodes nodes;
    try {
      HikariConfig notFlushed = poolConfig("ferry-state-not-flushed", settings);
      if (settings.embedded()) {
        notFlushed.setDataSource(sqlite(settings, SQLiteConfig.SynchronousMode.NORMAL));
      } else {
        postgres(notFlushed, settings);
        notFlushed.setConnectionInitSql("SET synchronous_commit TO OFF");
      }
      notFlushedPool = new HikariDataSource(notFlushed);
      Database database = new Database(pool, notFlushedPool, vendor, settings.describe());
      nodes = new Nodes(database, settings.nodeName(), settings.lease(), clock);
      return new StateStore(pool, notFlushedPool, database, nodes, settings);
    } catch (StateStoreException | HikariPool.PoolInitializationException e) {
      if (notFlushedPool != null) {
        notFlushedPool.close();
      }
      pool.close();
      throw e instanceof StateStoreException store ? store : new StateStoreException("connecting", settings.describe(), e);
    }
  }

  private static void postgres(HikariConfig config, StateStoreSettings settings) {
    config.setJdbcUrl(settings.url());
    config.setUsername(settings.user());
    config.setPassword(settings.password());
  }

  private static HikariConfig poolConfig(String name, StateStoreSettings settings) {
    HikariConfig config = new HikariConfig();
    config.setPoolName(name);
    config.setMaximumPoolSize(settings.maxConnections());
    config.setMinimumIdle(1);
    // Operations wait this long for a connection, then fail clearly instead of hanging a client.
    config.setConnectionTimeout(10_000);
    return config;
  }

  /** Core's migrations and those of every module on the class path that has tables of its own. */
  private static String[] migrationLocations() {
    List<String> locations = new ArrayList<>();
    locations.add(CORE_MIGRATIONS);
    ServiceLoader.load(ModuleMigrations.class, StateStore.class.getClassLoader())
        .forEach(module -> locations.add(module.location()));
    return locations.toArray(String[]::new);
  }

  /**
   * WAL lets listings read while uploads record; FULL makes every commit reach the disk before the
   * client hears "OK", as PostgreSQL's default does (NORMAL for the pool of
   * {@link Database#transactionNotFlushed}); the busy timeout makes a writer wait its turn
   * instead of failing (SQLite has one writer at a time).
   */
  private static SQLiteDataSource sqlite(StateStoreSettings settings, SQLiteConfig.SynchronousMode synchronous) {
    SQLiteConfig config = new SQLiteConfig();
    config.setJournalMode(SQLiteConfig.JournalMode.WAL);
    config.setSynchronous(synchronous);
    config.setBusyTimeout(30_000);
    // A transaction that reads and then writes takes the write lock at its start: taken later it
    // could fail at once (SQLITE_BUSY) instead of waiting its turn.
    config.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
    config.enforceForeignKeys(true);
    SQLiteDataSource source = new SQLiteDataSource(config);
    source.setUrl("jdbc:sqlite:" + settings.embeddedFile().toAbsolutePath());
    return source;
  }

  public Database database() {
    return database;
  }

  /** This node and its heartbeat among the nodes sharing the store. */
  public Nodes nodes() {
    return nodes;
  }

  /** Whether several nodes may share this store (PostgreSQL), so locks must go through it. */
  public boolean shared() {
    return shared;
  }

  /** The feed of object changes between the nodes sharing the store; empty for a store of one node. */
  public java.util.Optional<PostgresChangeFeed> changeFeed() {
    return java.util.Optional.ofNullable(changeFeed);
  }

  /** For a stop: leave steps wait at most {@code wait} for a connection ({@link Database}). */
  public void waitLessForConnections(java.time.Duration wait) {
    database.waitLessForConnections(wait);
  }

  @Override
  public void close() {
    if (changeFeed != null) {
      changeFeed.close();
    }
    nodes.close();
    if (notFlushedPool != null) {
      notFlushedPool.close();
    }
    pool.close();
  }
}
