package dev.ferry.core.testing;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * A plain TCP proxy on loopback between Ferry and a real S3-API server that notes every HTTP
 * request passing through (method, path, query, headers), so a test can count what Ferry asked of
 * S3. Requests are read as HTTP/1.1 (Content-Length or chunked bodies) only to find where one ends;
 * every byte is forwarded as it came, and responses are passed back untouched. A test may hold the
 * requests it names ({@link #hold}): they reach the server only once released, as if S3 were slow
 * to answer them.
 */
public final class S3RequestLog implements AutoCloseable {

  /** One request as it passed: method, path, query (may be empty) and headers (lower-case names). */
  public record Request(String method, String path, String query, Map<String, String> headers) {

    /**
     * A request that writes an object: a PUT of a whole object, a CopyObject, or the completion of
     * a multipart upload (each makes one new object version and one ObjectCreated event).
     */
    public boolean writesObject() {
      boolean put = method.equals("PUT") && !query.contains("partNumber=") && !query.contains("tagging");
      boolean complete = method.equals("POST") && query.contains("uploadId=");
      return put || complete;
    }

    public boolean isCopy() {
      return method.equals("PUT") && headers.containsKey("x-amz-copy-source") && !query.contains("partNumber=");
    }

    @Override
    public String toString() {
      return method + " " + path + (query.isEmpty() ? "" : "?" + query);
    }
  }

  private final URI upstream;
  private final ServerSocket listener;
  private final List<Request> requests = new CopyOnWriteArrayList<>();
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private volatile boolean closed;
  /** System.nanoTime() of the last request seen; 0 before any. */
  private volatile long lastRequestAt;
  /** Requests this accepts wait before they are sent on, until {@link #release}; null: none waits. */
  private volatile Predicate<Request> held;
  private static final Duration LONGEST_HOLD = Duration.ofMinutes(3);

  public S3RequestLog(URI upstream) throws IOException {
    this.upstream = upstream;
    this.listener = new ServerSocket();
    listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    Thread acceptor = new Thread(this::acceptLoop, "s3-request-log");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** The address to give Ferry as its S3 endpoint. */
  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + listener.getLocalPort());
  }

  public List<Request> requests() {
    return List.copyOf(requests);
  }

  /** The requests so far that {@code filter} accepts, whose path ends with {@code keySuffix}. */
  public List<Request> requests(String keySuffix, Predicate<Request> filter) {
    return requests.stream().filter(r -> r.path().endsWith(keySuffix) && filter.test(r)).toList();
  }

  public void clear() {
    requests.clear();
  }

  /** From now on, requests {@code which} accepts wait (at most three minutes) until {@link #release}. */
  public void hold(Predicate<Request> which) {
    held = which;
  }

  /** Sends on every held request, and holds none from now on. */
  public void release() {
    held = null;
    synchronized (this) {
      notifyAll();
    }
  }

  /** How many requests wait now. */
  public int waiting() {
    return waiting.get();
  }

  private final java.util.concurrent.atomic.AtomicInteger waiting = new java.util.concurrent.atomic.AtomicInteger();

  private void awaitRelease(Request request) {
    long giveUp = System.nanoTime() + LONGEST_HOLD.toNanos();
    waiting.incrementAndGet();
    try {
      synchronized (this) {
        for (Predicate<Request> which = held; which != null && which.test(request) && !closed; which = held) {
          long left = giveUp - System.nanoTime();
          if (left <= 0) {
            return;
          }
          wait(Math.max(1, Math.min(200, left / 1_000_000)));
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      waiting.decrementAndGet();
    }
  }

  /** The first byte a request's Range header asks for ({@code bytes=N-M}), or -1 when it has none. */
  public static long rangeStart(Request request) {
    String range = request.headers().get("range");
    if (range == null || !range.startsWith("bytes=")) {
      return -1;
    }
    String first = range.substring("bytes=".length()).split("-", 2)[0].trim();
    return first.isEmpty() ? -1 : Long.parseLong(first);
  }

  /** Whether no request has come for {@code quiet}: what the server sends after its answer has been sent too. */
  public boolean quietFor(Duration quiet) {
    long last = lastRequestAt;
    return last == 0 || System.nanoTime() - last >= quiet.toNanos();
  }

  private void acceptLoop() {
    while (!closed) {
      try {
        Socket client = listener.accept();
        Socket server = new Socket(upstream.getHost(), upstream.getPort());
        sockets.add(client);
        sockets.add(server);
        start("s3-request-log-up", () -> relayRequests(client, server));
        start("s3-request-log-down", () -> copy(server, client));
      } catch (IOException e) {
        if (!closed) {
          System.err.println("S3RequestLog: " + e);
        }
      }
    }
  }

  private static void start(String name, Runnable work) {
    Thread thread = new Thread(work, name);
    thread.setDaemon(true);
    thread.start();
  }

  private void relayRequests(Socket client, Socket server) {
    // Buffered, so that a held request's head stays here until it is flushed on release.
    try (InputStream in = new BufferedInputStream(client.getInputStream());
        OutputStream out = new java.io.BufferedOutputStream(server.getOutputStream(), 64 * 1024)) {
      while (true) {
        String requestLine = line(in, out);
        if (requestLine == null) {
          return;
        }
        Map<String, String> headers = new TreeMap<>();
        for (String header = line(in, out); header != null && !header.isEmpty(); header = line(in, out)) {
          int colon = header.indexOf(':');
          if (colon > 0) {
            headers.put(header.substring(0, colon).trim().toLowerCase(Locale.ROOT), header.substring(colon + 1).trim());
          }
        }
        String[] parts = requestLine.split(" ");
        String target = parts.length > 1 ? parts[1] : "";
        int question = target.indexOf('?');
        Request request = new Request(parts[0], question < 0 ? target : target.substring(0, question),
            question < 0 ? "" : target.substring(question + 1), headers);
        requests.add(request);
        lastRequestAt = System.nanoTime();
        awaitRelease(request);
        out.flush();
        if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
          relayChunks(in, out);
        } else {
          copyExactly(in, out, Long.parseLong(headers.getOrDefault("content-length", "0")));
        }
        out.flush();
      }
    } catch (IOException e) {
      // the connection ended
    } finally {
      closeQuietly(client);
      closeQuietly(server);
    }
  }

  private static void relayChunks(InputStream in, OutputStream out) throws IOException {
    while (true) {
      String size = line(in, out);
      if (size == null) {
        throw new IOException("connection ended in a chunked body");
      }
      long length = Long.parseLong(size.split(";")[0].trim(), 16);
      if (length == 0) {
        for (String trailer = line(in, out); trailer != null && !trailer.isEmpty(); trailer = line(in, out)) {
          // trailers forwarded as read
        }
        return;
      }
      copyExactly(in, out, length);
      line(in, out);
    }
  }

  /** Reads one CRLF-terminated line, forwarding its bytes; null at the end of the stream. */
  private static String line(InputStream in, OutputStream out) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) != -1) {
      out.write(b);
      if (b == '\n') {
        String text = bytes.toString(StandardCharsets.ISO_8859_1);
        return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
      }
      bytes.write(b);
    }
    return bytes.size() == 0 ? null : bytes.toString(StandardCharsets.ISO_8859_1);
  }

  private static void copyExactly(InputStream in, OutputStream out, long length) throws IOException {
    byte[] buffer = new byte[64 * 1024];
    while (length > 0) {
      int n = in.read(buffer, 0, (int) Math.min(buffer.length, length));
      if (n < 0) {
        throw new IOException("connection ended in a body");
      }
      out.write(buffer, 0, n);
      length -= n;
    }
  }

  private static void copy(Socket from, Socket to) {
    try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
      byte[] buffer = new byte[64 * 1024];
      for (int n; (n = in.read(buffer)) != -1; ) {
        out.write(buffer, 0, n);
        out.flush();
      }
    } catch (IOException e) {
      // the connection ended
    } finally {
      closeQuietly(from);
      closeQuietly(to);
    }
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException ignored) {
      // already closed
    }
  }

  @Override
  public void close() {
    closed = true;
    try {
      listener.close();
    } catch (IOException ignored) {
      // closing anyway
    }
    sockets.forEach(S3RequestLog::closeQuietly);
  }

  /** The requests that wrote objects, as text, for assertion messages. */
  public static String describe(List<Request> requests) {
    List<String> lines = new ArrayList<>();
    requests.forEach(r -> lines.add(r.toString()));
    return String.join("\n", lines);
  }
}
