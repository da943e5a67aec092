-- When a job reached its final state (DONE, FAILED, CANCELLED), in milliseconds since the epoch;
-- NULL while it is not final. jobs.retention deletes finished jobs by it. Jobs already final take
-- their creation time: the best this migration knows.
ALTER TABLE jobs ADD COLUMN finished_at BIGINT;
UPDATE jobs SET finished_at = created_at WHERE state IN ('DONE', 'FAILED', 'CANCELLED');
CREATE INDEX jobs_by_finish ON jobs (finished_at);
