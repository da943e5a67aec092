package dev.ferry.core.testing;

import java.util.function.BooleanSupplier;

/**
 * Which S3-API server the ITs run against: the server at {@code S3_TEST_ENDPOINT} when it is set
 * (./minio-start.sh's, or any other); else MinIO in a container when a Docker engine answers, the
 * design card's choice (Testcontainers); else S3Proxy as a child process, which needs nothing but
 * the JVM. The reason is kept, so that a run says what it tested against.
 */
record S3ServerChoice(Kind kind, String why) {

  enum Kind { EXTERNAL, MINIO, S3PROXY }

  /** For this JVM: asked once, as a Docker engine's answer takes a moment. */
  private static volatile S3ServerChoice current;

  static S3ServerChoice forThisMachine() {
    S3ServerChoice choice = current;
    if (choice == null) {
      choice = choose(System.getenv("S3_TEST_ENDPOINT"), MinioContainer::dockerAnswers);
      current = choice;
      System.out.println("S3TestServer: " + choice.kind() + " (" + choice.why() + ")");
    }
    return choice;
  }

  static S3ServerChoice choose(String externalEndpoint, BooleanSupplier dockerAnswers) {
    if (externalEndpoint != null && !externalEndpoint.isBlank()) {
      return new S3ServerChoice(Kind.EXTERNAL, "S3_TEST_ENDPOINT is " + externalEndpoint);
    }
    if (dockerAnswers.getAsBoolean()) {
      return new S3ServerChoice(Kind.MINIO, "a Docker engine answers: MinIO through Testcontainers");
    }
    return new S3ServerChoice(Kind.S3PROXY, "no Docker engine answers and S3_TEST_ENDPOINT is not set: S3Proxy as"
        + " a child process");
  }
}
