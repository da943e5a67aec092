package dev.ferry.jobs.admin;

import dev.ferry.core.admin.AdminResponse;

/** One stage of the admin command chain, in the manner of OkHttp's interceptors. */
public interface AdminInterceptor {

  AdminResponse<?> intercept(Chain chain) throws Exception;

  /** The rest of the chain from this stage on. */
  interface Chain {
    AdminRequest request();

    AdminResponse<?> proceed(AdminRequest request) throws Exception;
  }
}
