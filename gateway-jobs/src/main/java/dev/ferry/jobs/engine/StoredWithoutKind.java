package dev.ferry.jobs.engine;

import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.deser.DeserializationProblemHandler;
import com.fasterxml.jackson.databind.jsontype.TypeIdResolver;

/**
 * A spec with no {@code kind} (written before there were kinds) or one no registered kind has is
 * read as the kind stored without one (a transfer), given at run time so the engine names no kind.
 */
final class StoredWithoutKind extends DeserializationProblemHandler {
  private final Class<? extends JobSpec> spec;

  StoredWithoutKind(Class<? extends JobSpec> spec) {
    this.spec = spec;
  }

  @Override
  public JavaType handleMissingTypeId(DeserializationContext context, JavaType baseType, TypeIdResolver resolver,
      String failureMessage) {
    return baseType.getRawClass() == JobSpec.class ? context.constructType(spec) : null;
  }

  @Override
  public JavaType handleUnknownTypeId(DeserializationContext context, JavaType baseType, String subTypeId,
      TypeIdResolver resolver, String failureMessage) {
    return baseType.getRawClass() == JobSpec.class ? context.constructType(spec) : null;
  }
}
