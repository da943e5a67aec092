-- What Ferry knows about an object it wrote, beyond what S3 keeps: the SHA-256 of its bytes and the
-- modification time a client set. An entry is keyed by the object's ETag and holds only while the
-- object in S3 has that ETag: an object replaced or deleted by another S3 client has no valid entry.
-- An entry with neither fact records that an object was looked at and had none, so listings do not
-- ask S3 about it again.
CREATE TABLE object_facts (
  bucket             TEXT    NOT NULL,
  object_key         TEXT    NOT NULL,
  etag               TEXT    NOT NULL,
  sha256             TEXT,
  client_time_second BIGINT,
  client_time_nano   INTEGER,
  recorded_at        BIGINT  NOT NULL,
  PRIMARY KEY (bucket, object_key, etag)
);
