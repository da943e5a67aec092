-- Where and until when a user kept as data may log in (issue 34): allow_from holds the networks
-- (CIDR) or addresses as given, one per line, '' for anywhere; expires_at, milliseconds since the
-- epoch from which every login is refused, NULL for never.
ALTER TABLE user_accounts ADD COLUMN allow_from TEXT NOT NULL DEFAULT '';
ALTER TABLE user_accounts ADD COLUMN expires_at BIGINT;
