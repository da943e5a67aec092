package dev.ferry.ftps.data;

import java.util.function.Supplier;
import org.apache.mina.core.session.IoSession;

/** Per-session state the control-connection filters keep, created on first use by whichever thread comes first. */
final class SessionAttribute {

  private SessionAttribute() {}

  @SuppressWarnings("unchecked")
  static <T> T getOrCreate(IoSession session, String key, Supplier<T> create) {
    T value = (T) session.getAttribute(key);
    if (value == null) {
      T fresh = create.get();
      value = (T) session.setAttributeIfAbsent(key, fresh);
      if (value == null) {
        value = fresh;
      }
    }
    return value;
  }
}
