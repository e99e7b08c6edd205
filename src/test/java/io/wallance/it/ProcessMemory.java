package io.wallance.it;

import io.wallance.it.LocalNetwork.Node;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The memory of one node process, measured from outside as an operator would: a full
 * collection forced with {@code jcmd <pid> GC.run}, then the heap in use after that
 * collection as the node itself reports it ({@code perf.heapAfterGcBytes} of its view: the
 * JVM's per-pool collection usage, i.e. live data), and the resident set size from
 * {@code /proc/<pid>/status} ({@code VmRSS}).
 *
 * @param heapAfterGcBytes heap in use right after the forced full collection
 * @param rssBytes resident set size of the process
 */
record ProcessMemory(long heapAfterGcBytes, long rssBytes) {

  /** Forces a full GC in the node's JVM and reads its heap after GC and its RSS (bounded waits). */
  static ProcessMemory measure(LocalNetwork network, Node node) throws Exception {
    long pid = node.process().pid();
    String java = ProcessHandle.current().info().command().orElse("java");
    Path jcmd = Path.of(java).resolveSibling("jcmd");
    Process gc = new ProcessBuilder(Files.isExecutable(jcmd) ? jcmd.toString() : "jcmd", Long.toString(pid),
        "GC.run").redirectErrorStream(true).start();
    gc.getOutputStream().close();
    if (!gc.waitFor(60, TimeUnit.SECONDS)) {
      gc.destroyForcibly();
      throw new AssertionError("jcmd " + pid + " GC.run did not finish in 60 s");
    }
    String out = new String(gc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (gc.exitValue() != 0) {
      throw new AssertionError("jcmd " + pid + " GC.run failed: " + out);
    }
    long heap = network.query(node).getJsonObject("perf").getLong("heapAfterGcBytes");
    return new ProcessMemory(heap, rss(pid));
  }

  /** @return {@code VmRSS} of the process in bytes */
  static long rss(long pid) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
      }
    }
    throw new IOException("no VmRSS in /proc/" + pid + "/status");
  }

  /** @return bytes in MiB, one decimal */
  static String mib(long bytes) {
    return String.format(java.util.Locale.ROOT, "%.1f", bytes / 1048576.0);
  }
}
