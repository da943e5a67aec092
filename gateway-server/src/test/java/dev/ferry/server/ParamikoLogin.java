package dev.ferry.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;

/** paramiko, the Python SSH library, logging in with a password as a script would. */
public final class ParamikoLogin {

  private ParamikoLogin() {}

  /** What paramiko says to a password login from 127.0.0.1: "logged in", or the exception it raised. */
  public static String attempt(int port, String user, String password) throws Exception {
    return attemptFrom("127.0.0.1", port, user, password);
  }

  /** The same, with the client's socket bound to {@code address} (another 127.0.0.x). */
  public static String attemptFrom(String address, int port, String user, String password) throws Exception {
    Process python = new ProcessBuilder("/usr/bin/python3", "-c", """
        import socket, sys, paramiko
        s = socket.socket()
        s.bind((sys.argv[1], 0))
        s.connect(("127.0.0.1", int(sys.argv[2])))
        t = paramiko.Transport(s)
        try:
            t.connect(username=sys.argv[3], password=sys.argv[4])
            print("logged in")
        except Exception as e:
            print(type(e).__name__, e)
        finally:
            t.close()
        """, address, Integer.toString(port), user, password).redirectErrorStream(true).start();
    String output = new String(python.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    assertEquals(0, python.waitFor(), output);
    return output;
  }
}
