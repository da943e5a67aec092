package dev.ferry.core.vfs;

/** The digest of a file's bytes as a client asked for it: lower-case hex, with the size it covers. */
public record FileChecksum(ChecksumAlgorithm algorithm, String hex, long size) {}
