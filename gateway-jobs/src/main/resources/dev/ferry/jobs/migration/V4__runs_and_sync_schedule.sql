-- A job that is a run of something that must never run twice at once (a sync) names it in run_of:
-- the unique index lets at most one such job be unfinished, whichever node inserts it. Transfers
-- have none (NULLs are never equal in a unique index).
ALTER TABLE jobs ADD COLUMN run_of TEXT;
CREATE UNIQUE INDEX jobs_one_unfinished_run ON jobs (run_of)
  WHERE state IN ('QUEUED', 'WAITING_FOR_SPACE', 'RUNNING', 'VERIFYING');
CREATE INDEX jobs_by_run ON jobs (run_of, created_at);

-- When each configured sync's next runs fall due (milliseconds since the epoch). The node that moves
-- a time on (compare and set) starts that run, so several nodes start it once. full_pending: a full
-- run fell due while another run of the sync was unfinished; it starts when that one ends.
CREATE TABLE sync_schedule (
  name                TEXT    PRIMARY KEY,
  next_incremental_at BIGINT  NOT NULL,
  next_full_at        BIGINT  NOT NULL,
  full_pending        INTEGER NOT NULL
);
