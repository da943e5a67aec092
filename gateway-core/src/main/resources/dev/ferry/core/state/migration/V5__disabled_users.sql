-- Users an administrator has disabled (user disable NAME): every node refuses their logins and
-- closes their sessions. A row is removed when the user is enabled again. Configured users and an
-- embedding application's own share the one name space of logins. disabled_at: milliseconds since
-- the epoch; disabled_by: the admin caller (a user, or token:<name>), never a secret.
CREATE TABLE disabled_users (
  user_name   TEXT   PRIMARY KEY,
  reason      TEXT   NOT NULL,
  disabled_by TEXT   NOT NULL,
  disabled_at BIGINT NOT NULL
);
