-- Users kept as data (POST /api/v1/users and the rest of issue 33), beside the users ferry.yaml
-- declares, which stay read-only. Every node sharing the store reads a login's user here, so a
-- change is in force on every node at its next login. version: raised by each change, the
-- optimistic lock an update names (If-Match). Times: milliseconds since the epoch; *_by: the admin
-- caller (a user, or token:<name>), never a secret. password_hash: bcrypt, or NULL for keys only.
CREATE TABLE user_accounts (
  user_name     TEXT    PRIMARY KEY,
  password_hash TEXT,
  home          TEXT    NOT NULL,
  permissions   TEXT    NOT NULL,
  is_admin      INTEGER NOT NULL,
  created_by    TEXT    NOT NULL,
  created_at    BIGINT  NOT NULL,
  updated_by    TEXT    NOT NULL,
  updated_at    BIGINT  NOT NULL,
  version       BIGINT  NOT NULL
);

-- A user's SSH public keys, one row each: the authorized_keys line as given, its SHA256
-- fingerprint (as ssh-keygen -l prints it, the key's name in the API), its comment.
CREATE TABLE user_account_keys (
  user_name   TEXT   NOT NULL,
  fingerprint TEXT   NOT NULL,
  key_line    TEXT   NOT NULL,
  comment     TEXT   NOT NULL,
  added_by    TEXT   NOT NULL,
  added_at    BIGINT NOT NULL,
  PRIMARY KEY (user_name, fingerprint)
);
