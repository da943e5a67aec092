-- The rest of a user kept as data's policy (issue 34). write_options: JSON of the user's s3
-- options ({"sse": "aws:kms", "kmsKeyId": ..., "tags": {...}}), '' for none; bandwidth_up /
-- bandwidth_down: bytes per second its sessions on a node may move, 0 for no limit; quota_bytes /
-- quota_files: what its home may hold, 0 for no limit.
ALTER TABLE user_accounts ADD COLUMN write_options TEXT NOT NULL DEFAULT '';
ALTER TABLE user_accounts ADD COLUMN bandwidth_up BIGINT NOT NULL DEFAULT 0;
ALTER TABLE user_accounts ADD COLUMN bandwidth_down BIGINT NOT NULL DEFAULT 0;
ALTER TABLE user_accounts ADD COLUMN quota_bytes BIGINT NOT NULL DEFAULT 0;
ALTER TABLE user_accounts ADD COLUMN quota_files BIGINT NOT NULL DEFAULT 0;
