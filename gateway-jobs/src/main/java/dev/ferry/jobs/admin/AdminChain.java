package dev.ferry.jobs.admin;

import dev.ferry.core.admin.AdminResponse;
import java.util.List;

/** Walks the stages in order; each stage calls {@link #proceed} at most once, as OkHttp's RealInterceptorChain checks. */
final class AdminChain implements AdminInterceptor.Chain {

  private final List<AdminInterceptor> stages;
  private final int index;
  private final AdminRequest request;
  private boolean proceeded;

  AdminChain(List<AdminInterceptor> stages, int index, AdminRequest request) {
    this.stages = stages;
    this.index = index;
    this.request = request;
  }

  @Override
  public AdminRequest request() {
    return request;
  }

  @Override
  public AdminResponse<?> proceed(AdminRequest next) throws Exception {
    if (index >= stages.size()) {
      throw new IllegalStateException("the last admin stage must not proceed");
    }
    if (proceeded) {
      throw new IllegalStateException("admin stage " + stages.get(index - 1) + " proceeded twice");
    }
    proceeded = true;
    return stages.get(index).intercept(new AdminChain(stages, index + 1, next));
  }
}
