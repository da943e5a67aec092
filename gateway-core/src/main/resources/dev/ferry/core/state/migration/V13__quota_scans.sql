-- Which node is counting a quota's place again (quota scan, issue 34): one scan of a user's home or a
-- folder at a time across nodes. A row of a node that stopped heartbeating no longer holds.
CREATE TABLE quota_scans (
  user_name  TEXT   PRIMARY KEY,
  node_id    TEXT   NOT NULL,
  started_at BIGINT NOT NULL
);
