package io.wallance.cluster;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/** Free TCP ports on 127.0.0.1 for the in-process cluster tests of this package. */
final class LoopbackPorts {
  private static final int FIRST = 5801;
  private static final int SPAN = 199;

  private LoopbackPorts() {
  }

  /**
   * Free Hazelcast ports in 5801-5999 on loopback, from a random start so two builds on one
   * machine rarely probe the same ports.
   *
   * @throws IOException when fewer than {@code count} are free
   */
  static List<Integer> free(int count) throws IOException {
    InetAddress loopback = InetAddress.getByName("127.0.0.1");
    int offset = ThreadLocalRandom.current().nextInt(SPAN);
    List<Integer> ports = new ArrayList<>();
    for (int i = 0; i < SPAN && ports.size() < count; i++) {
      int port = FIRST + (offset + i) % SPAN;
      try (ServerSocket probe = new ServerSocket(port, 1, loopback)) {
        ports.add(probe.getLocalPort());
      } catch (IOException busy) {
        // taken: try the next one
      }
    }
    if (ports.size() < count) {
      throw new IOException("fewer than " + count + " free ports in " + FIRST + "-" + (FIRST + SPAN - 1)
          + " on 127.0.0.1");
    }
    return ports;
  }
}
