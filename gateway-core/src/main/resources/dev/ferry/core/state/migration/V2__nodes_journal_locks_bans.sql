-- The Ferry nodes sharing this store. A node writes its heartbeat every third of the lease; one
-- whose heartbeat is older than the lease is dead to the others: its path locks may be taken over
-- and its multipart uploads aborted. Times are milliseconds since the epoch, by the nodes' clocks.
CREATE TABLE nodes (
  node_id      TEXT   PRIMARY KEY,
  name         TEXT   NOT NULL,
  started_at   BIGINT NOT NULL,
  heartbeat_at BIGINT NOT NULL
);

-- Multipart uploads started and not yet completed or aborted, with the node writing each: the
-- orphan sweep of any node aborts those of dead nodes, and its own that no open upload owns.
CREATE TABLE upload_journal (
  upload_id  TEXT   PRIMARY KEY,
  bucket     TEXT   NOT NULL,
  object_key TEXT   NOT NULL,
  node_id    TEXT   NOT NULL,
  started_at BIGINT NOT NULL
);

-- Failed logins by client address; an address banned on one node is banned on every node.
CREATE TABLE login_failures (
  address      TEXT    PRIMARY KEY,
  failures     INTEGER NOT NULL,
  first_at     BIGINT  NOT NULL,
  banned_until BIGINT
);

-- Path locks held across nodes (only when nodes share the store): one key, or every key under a
-- prefix. A lock counts while its node is alive; a dead node's locks are taken over.
CREATE TABLE path_locks (
  lock_id     TEXT   PRIMARY KEY,
  bucket      TEXT   NOT NULL,
  lock_key    TEXT   NOT NULL,
  kind        TEXT   NOT NULL,
  node_id     TEXT   NOT NULL,
  purpose     TEXT   NOT NULL,
  acquired_at BIGINT NOT NULL
);
CREATE INDEX path_locks_by_key ON path_locks (bucket, lock_key);
