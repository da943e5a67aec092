package dev.ferry.server;

import sun.misc.Signal;

/**
 * SIGTERM and SIGINT start a graceful shutdown that ends with exit status 0. A JVM shutdown hook
 * alone would exit with 143 and run while other hooks tear the JVM down.
 */
final class ShutdownSignals {

  private ShutdownSignals() {}

  static void onTermination(Runnable shutdown) {
    Runnable once = new Runnable() {
      private boolean started;

      @Override
      public synchronized void run() {
        if (!started) {
          started = true;
          new Thread(shutdown, "ferry-shutdown").start();
        }
      }
    };
    Signal.handle(new Signal("TERM"), signal -> once.run());
    Signal.handle(new Signal("INT"), signal -> once.run());
  }
}
