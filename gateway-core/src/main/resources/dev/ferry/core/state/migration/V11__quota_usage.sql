-- What each user with a quota holds (issue 34): bytes and files of the objects under the user's
-- home (directory markers not counted), as counted by a scan of the home and kept since by every
-- upload, delete and overwrite of the user's sessions; counted_at: when a scan last counted it.
-- Shared by every node, so the quota holds across nodes.
CREATE TABLE quota_usage (
  user_name  TEXT   PRIMARY KEY,
  bytes      BIGINT NOT NULL,
  files      BIGINT NOT NULL,
  counted_at BIGINT NOT NULL
);

-- What uploads in progress on a node have taken ahead of their commit, per user: bytes as they
-- stream (a part's worth at a time) and one file each for a new file. A node's rows are its own:
-- it deletes them as it starts (it has no upload then), and a scan deletes those of dead nodes.
CREATE TABLE quota_reservations (
  user_name TEXT   NOT NULL,
  node_id   TEXT   NOT NULL,
  bytes     BIGINT NOT NULL,
  files     BIGINT NOT NULL,
  PRIMARY KEY (user_name, node_id)
);
