-- What the objects of a user kept as data are written with, and how fast the user's sessions may
-- go (issue 34). write_options: JSON of the user's s3 options ({"sse": "aws:kms", "kmsKeyId": ...,
-- "tags": {...}}), '' for none; bandwidth_up / bandwidth_down: bytes per second, 0 for no limit.
ALTER TABLE user_accounts ADD COLUMN write_options TEXT NOT NULL DEFAULT '';
ALTER TABLE user_accounts ADD COLUMN bandwidth_up BIGINT NOT NULL DEFAULT 0;
ALTER TABLE user_accounts ADD COLUMN bandwidth_down BIGINT NOT NULL DEFAULT 0;
