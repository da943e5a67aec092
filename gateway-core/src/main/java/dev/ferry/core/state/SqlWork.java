package dev.ferry.core.state;

import java.sql.Connection;
import java.sql.SQLException;

/** Work done on one connection of the state store. */
@FunctionalInterface
public interface SqlWork<T> {
  T run(Connection connection) throws SQLException;
}
