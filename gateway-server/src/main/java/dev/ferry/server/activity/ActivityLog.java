package dev.ferry.server.activity;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.core.event.AccountEvent;
import dev.ferry.core.event.EventBus;
import dev.ferry.core.event.FerryEvent;
import dev.ferry.core.event.FileEvent;
import dev.ferry.core.event.JobEvent;
import dev.ferry.core.event.Origin;
import dev.ferry.core.event.SessionEvent;
import dev.ferry.core.event.SessionInfo;
import dev.ferry.core.s3.S3Location;
import dev.ferry.core.thread.DaemonThreads;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The activity log: one JSON line per event on the logger {@code ferry.activity}, which logback.xml
 * sends where the operator wants it (stdout by default, a rotating file with
 * deploy/logback-activity-file.xml). The vocabulary is AWS Transfer Family's where it fits
 * (CONNECTED, AUTH_FAILURE, OPEN, CLOSE, PARTIAL_CLOSE, DELETE, RENAME, CREATE_DIRECTORY,
 * DELETE_DIRECTORY, SETSTAT, ERROR, EXIT), plus LOGIN, COPY (a workflow's copy inside S3) and JOB. Each line names the session, user,
 * protocol and client address it came from, the path and object, bytes, duration and SHA-256 where
 * known, and the outcome. Events carry no password, so no line can. Connections that end without
 * trying to log in have no line each, but a NO_LOGIN line per address and minute ({@link PreLoginLines}).
 */
public final class ActivityLog {

  /** The logger the lines go to: the name a logback configuration routes. */
  public static final String LOGGER = "ferry.activity";

  private static final Logger lines = LoggerFactory.getLogger(LOGGER);
  private static final Logger log = LoggerFactory.getLogger(ActivityLog.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private ActivityLog() {}

  /** Writes every event of {@code events} from now on; closing the subscription stops the summaries. */
  public static EventBus.Subscription subscribeTo(EventBus events) {
    PreLoginLines preLogin = new PreLoginLines();
    ScheduledExecutorService summaries = Executors.newSingleThreadScheduledExecutor(
        DaemonThreads.named("ferry-activity-summaries"));
    long period = PreLoginLines.PERIOD.toMillis();
    summaries.scheduleAtFixedRate(() -> preLogin.takeSummaries().forEach(ActivityLog::writeSummary), period, period,
        TimeUnit.MILLISECONDS);
    EventBus.Subscription subscription = events.subscribe("activity log",
        event -> preLogin.accept(event, ActivityLog::write));
    return () -> {
      subscription.close();
      summaries.shutdownNow();
      preLogin.takeSummaries().forEach(ActivityLog::writeSummary);
    };
  }

  private static void writeSummary(PreLoginLines.Summary summary) {
    Map<String, Object> line = new LinkedHashMap<>();
    line.put("time", summary.to().toString());
    line.put("activity", "NO_LOGIN");
    line.put("protocol", summary.protocol());
    line.put("clientIp", summary.address());
    line.put("connections", summary.connections());
    line.put("since", summary.from().toString());
    line.put("outcome", "OK");
    try {
      lines.info(JSON.writeValueAsString(line));
    } catch (JsonProcessingException e) {
      log.warn("activity log: a NO_LOGIN line could not be written as JSON: {}", e.getMessage());
    }
  }

  private static void write(FerryEvent event) {
    if (!lines.isInfoEnabled()) {
      return;
    }
    try {
      lines.info(JSON.writeValueAsString(line(event)));
    } catch (JsonProcessingException e) {
      log.warn("activity log: event {} could not be written as JSON: {}", event.id(), e.getMessage());
    }
  }

  /** The fields of one line, in the order they are written; absent values are left out. */
  static Map<String, Object> line(FerryEvent event) {
    Map<String, Object> line = new LinkedHashMap<>();
    line.put("time", event.time().toString());
    if (event instanceof SessionEvent session) {
      line.put("activity", switch (session.type()) {
        case CONNECTED -> "CONNECTED";
        case LOGIN -> "LOGIN";
        case AUTH_FAILURE -> "AUTH_FAILURE";
        case EXIT -> "EXIT";
      });
      session(line, session.session());
      put(line, "outcome", session.type() == SessionEvent.Type.AUTH_FAILURE ? "REFUSED" : "OK");
      put(line, "detail", session.detail());
    } else if (event instanceof FileEvent file) {
      file(line, file);
    } else if (event instanceof JobEvent job) {
      line.put("activity", "JOB");
      line.put("jobId", job.jobId());
      line.put("kind", job.kind());
      line.put("state", job.state());
      line.put("outcome", "FAILED".equals(job.state()) ? "FAILED" : "OK");
      put(line, "detail", job.error() != null ? job.error() : job.detail());
    } else if (event instanceof AccountEvent account) {
      line.put("activity", account.type().name());
      line.put("user", account.user());
      line.put("by", account.by());
      line.put("outcome", "OK");
      put(line, "detail", account.detail());
    }
    line.put("eventId", event.id());
    return line;
  }

  private static void file(Map<String, Object> line, FileEvent file) {
    line.put("activity", switch (file.type()) {
      case OPENED -> "OPEN";
      case UPLOADED, DOWNLOADED -> "CLOSE";
      case PARTIAL_UPLOAD -> "PARTIAL_CLOSE";
      case DELETED -> "DELETE";
      case RENAMED -> "RENAME";
      case COPIED -> "COPY";
      case DIRECTORY_CREATED -> "CREATE_DIRECTORY";
      case DIRECTORY_DELETED -> "DELETE_DIRECTORY";
      case TIMES_SET -> "SETSTAT";
      case REFUSED, FAILED, REJECTED -> "ERROR";
    });
    Origin origin = file.origin();
    if (origin.session() != null) {
      session(line, origin.session());
    }
    if (origin.kind() != Origin.Kind.CLIENT) {
      line.put("origin", origin.kind().name());
      put(line, "originName", origin.name());
    }
    switch (file.type()) {
      case OPENED -> line.put("mode", file.detail());
      case UPLOADED, PARTIAL_UPLOAD, REJECTED -> line.put("mode", "WRITE");
      case DOWNLOADED -> line.put("mode", "READ");
      default -> { }
    }
    put(line, "path", file.path());
    object(line, "object", file.object());
    put(line, "fromPath", file.fromPath());
    object(line, "fromObject", file.fromObject());
    if (file.type() == FileEvent.Type.UPLOADED || file.type() == FileEvent.Type.PARTIAL_UPLOAD
        || file.type() == FileEvent.Type.REJECTED || file.type() == FileEvent.Type.DOWNLOADED) {
      line.put("bytes", file.bytes());
    }
    if (file.duration() != null) {
      line.put("durationMs", file.duration().toMillis());
    }
    put(line, "sha256", file.sha256());
    line.put("outcome", switch (file.type()) {
      case PARTIAL_UPLOAD -> "PARTIAL";
      case REFUSED -> "REFUSED";
      case FAILED -> "FAILED";
      case REJECTED -> "REJECTED";
      default -> "OK";
    });
    if (file.type() != FileEvent.Type.OPENED) {
      put(line, "detail", file.detail());
    }
  }

  private static void session(Map<String, Object> line, SessionInfo session) {
    line.put("sessionId", session.id());
    put(line, "user", session.user());
    line.put("protocol", session.protocol());
    line.put("clientIp", session.address());
  }

  private static void object(Map<String, Object> line, String name, S3Location object) {
    if (object != null) {
      line.put(name, "s3://" + object.bucket() + "/" + object.key());
    }
  }

  private static void put(Map<String, Object> line, String name, Object value) {
    if (value != null) {
      line.put(name, value);
    }
  }
}
