-- The client sessions logged in on each node, as that node last published them (only when nodes
-- share the store): what every node's console shows. Rows of a node whose heartbeat is older than
-- the lease are ignored. transfers: one line per open file, "direction<TAB>bytes<TAB>path".
CREATE TABLE node_sessions (
  node_id    TEXT   NOT NULL,
  session_id TEXT   NOT NULL,
  protocol   TEXT   NOT NULL,
  address    TEXT   NOT NULL,
  user_name  TEXT,
  transfers  TEXT   NOT NULL,
  PRIMARY KEY (node_id, session_id)
);

-- A disconnect asked for on one node of a session on another: the owning node takes the request
-- (within a second) and closes the session as its own disconnect command does.
CREATE TABLE disconnect_requests (
  session_id   TEXT   PRIMARY KEY,
  node_id      TEXT   NOT NULL,
  requested_by TEXT   NOT NULL,
  requested_at BIGINT NOT NULL
);

-- Signed-in console browsers, valid on every node: the SHA-256 of the cookie's random id (the id
-- itself is never stored), the admin user, the CSRF token its forms carry, and when it ends.
CREATE TABLE console_sessions (
  id_sha256    TEXT   PRIMARY KEY,
  user_name    TEXT   NOT NULL,
  csrf_token   TEXT   NOT NULL,
  idle_end     BIGINT NOT NULL,
  absolute_end BIGINT NOT NULL
);
