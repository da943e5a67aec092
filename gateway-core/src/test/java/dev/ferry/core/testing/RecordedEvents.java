package dev.ferry.core.testing;

import dev.ferry.core.event.EventBus;
import dev.ferry.core.event.FerryEvent;
import dev.ferry.core.event.FileEvent;
import dev.ferry.core.event.JobEvent;
import dev.ferry.core.event.SessionEvent;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Every event an {@link EventBus} publishes from its subscription on, in order, for tests to look at. */
public final class RecordedEvents implements AutoCloseable {

  private final List<FerryEvent> events = new CopyOnWriteArrayList<>();
  private final EventBus.Subscription subscription;

  private RecordedEvents(EventBus bus) {
    this.subscription = bus.subscribe("test", events::add);
  }

  public static RecordedEvents of(EventBus bus) {
    return new RecordedEvents(bus);
  }

  public List<FerryEvent> all() {
    return List.copyOf(events);
  }

  public List<SessionEvent> sessions() {
    return of(SessionEvent.class);
  }

  public List<FileEvent> files() {
    return of(FileEvent.class);
  }

  public List<JobEvent> jobs() {
    return of(JobEvent.class);
  }

  private <T extends FerryEvent> List<T> of(Class<T> type) {
    return events.stream().filter(type::isInstance).map(type::cast).toList();
  }

  @Override
  public void close() {
    subscription.close();
  }
}
