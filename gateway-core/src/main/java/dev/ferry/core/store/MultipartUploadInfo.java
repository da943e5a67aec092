package dev.ferry.core.store;

import dev.ferry.core.s3.S3Location;
import java.time.Instant;

/** An in-progress multipart upload as S3 lists it. */
public record MultipartUploadInfo(S3Location location, String uploadId, Instant initiated) {}
