-- A user kept as data's virtual folders (issue 34): JSON of the folders as the users API gives them
-- ([{"path": "/shared", "target": "s3://bucket/prefix/", "permissions": ["list", "read"], "s3": {...}}]),
-- '' for none.
ALTER TABLE user_accounts ADD COLUMN folders TEXT NOT NULL DEFAULT '';
