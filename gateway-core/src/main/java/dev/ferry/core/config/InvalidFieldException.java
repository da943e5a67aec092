package dev.ferry.core.config;

/**
 * A value refused by the rules of the thing it describes, naming its field ({@code allowFrom[2]},
 * {@code sse}) and the problem apart, so that ferry.yaml can name the full key
 * ({@code users[0].s3.sse}) and the API the field of its body, each with the same words.
 */
public final class InvalidFieldException extends IllegalArgumentException {

  private final String field;
  private final String problem;

  public InvalidFieldException(String field, String problem) {
    super(field + ": " + problem);
    this.field = field;
    this.problem = problem;
  }

  public String field() {
    return field;
  }

  public String problem() {
    return problem;
  }
}
