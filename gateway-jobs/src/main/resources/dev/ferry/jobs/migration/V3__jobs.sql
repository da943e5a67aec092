-- Transfer jobs, shared by the nodes: a job is claimed by one node at a time (owner_node), and
-- every claim adds one to its claim number, the fencing token the owner's writes must match: a node
-- that froze past its lease and lost the job to another node can no longer change it. A job whose
-- owner stopped heartbeating (see nodes) is claimed again and starts over. The record column holds
-- the job as the admin console shows it (JSON); the other columns are what claims and lists query.
-- Times are milliseconds since the epoch.
CREATE TABLE jobs (
  job_id           TEXT    PRIMARY KEY,
  state            TEXT    NOT NULL,
  created_at       BIGINT  NOT NULL,
  run_after        BIGINT  NOT NULL,
  owner_node       TEXT,
  claim            BIGINT  NOT NULL,
  cancel_requested INTEGER NOT NULL,
  record           TEXT    NOT NULL
);
CREATE INDEX jobs_by_state ON jobs (state, run_after);
CREATE INDEX jobs_by_creation ON jobs (created_at, job_id);
