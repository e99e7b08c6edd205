package io.wallance.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The network of one {@code chaos} run, made of Linux network namespaces: a bridge in a
 * namespace of its own ({@code wlc<pid>-br}), a control namespace for the harness's observer
 * ({@code wlc<pid>-ctl}, address {@code 10.99.0.1}) and one namespace per node
 * ({@code wlc<pid>-n<i>}, address {@code 10.99.0.<i+1>}), each linked to the bridge by a veth
 * pair. {@code <pid>} is the harness's process id, so namespaces of a harness that died
 * without cleaning up are recognised and swept by the next run ({@link #sweepStale()}).
 *
 * <p>Nothing is created in the root namespace: no address, no route, no firewall rule. Faults
 * are nftables rules in a table {@code inet chaos} inside a node's namespace ({@link #partition},
 * {@link #loss}, {@link #heal}); they go with the namespace.
 */
final class ChaosNetwork implements AutoCloseable {
  /** Prefix of every namespace a chaos run creates. */
  static final String PREFIX = "wlc";
  static final String SUBNET = "10.99.0.";
  private static final Pattern OURS = Pattern.compile("^" + PREFIX + "(\\d+)-(br|ctl|n\\d+)$");
  private static final long COMMAND_SECONDS = 20;

  private final String run;
  private final int nodes;
  private final List<String> created = new ArrayList<>();

  private ChaosNetwork(String run, int nodes) {
    this.run = run;
    this.nodes = nodes;
  }

  /** The names and addresses of the run {@code run} (as {@link #run()} returns), without creating anything. */
  static ChaosNetwork of(String run, int nodes) {
    if (!run.matches(PREFIX + "\\d+")) {
      throw new IllegalArgumentException("not a chaos run id: " + run);
    }
    return new ChaosNetwork(run, nodes);
  }

  /**
   * Creates the namespaces, the bridge and the links of a run named after this process.
   * On failure, whatever was created is removed again.
   *
   * @param nodes how many node namespaces
   */
  static ChaosNetwork create(int nodes) throws IOException, InterruptedException {
    ChaosNetwork net = new ChaosNetwork(PREFIX + ProcessHandle.current().pid(), nodes);
    try {
      net.build();
    } catch (IOException | RuntimeException | InterruptedException e) {
      net.close();
      throw e;
    }
    return net;
  }

  private void build() throws IOException, InterruptedException {
    String bridge = bridgeNamespace();
    add(bridge);
    exec("ip", "-n", bridge, "link", "add", "br0", "type", "bridge");
    exec("ip", "-n", bridge, "link", "set", "br0", "up");
    List<String> members = new ArrayList<>();
    members.add(controlNamespace());
    for (int i = 0; i < nodes; i++) {
      members.add(nodeNamespace(i));
    }
    for (int k = 0; k < members.size(); k++) {
      String ns = members.get(k);
      add(ns);
      String port = "v" + k;
      exec("ip", "-n", bridge, "link", "add", port, "type", "veth", "peer", "name", "eth0", "netns", ns);
      exec("ip", "-n", bridge, "link", "set", port, "master", "br0", "up");
      exec("ip", "-n", ns, "link", "set", "lo", "up");
      exec("ip", "-n", ns, "addr", "add", SUBNET + (k + 1) + "/24", "dev", "eth0");
      exec("ip", "-n", ns, "link", "set", "eth0", "up");
    }
  }

  private void add(String ns) throws IOException, InterruptedException {
    exec("ip", "netns", "add", ns);
    created.add(ns);
  }

  /** @return the run id, {@code wlc<pid>} */
  String run() {
    return run;
  }

  String bridgeNamespace() {
    return run + "-br";
  }

  String controlNamespace() {
    return run + "-ctl";
  }

  /** @param index 0-based */
  String nodeNamespace(int index) {
    return run + "-n" + (index + 1);
  }

  String controlAddress() {
    return SUBNET + 1;
  }

  /** @param index 0-based */
  String nodeAddress(int index) {
    return SUBNET + (index + 2);
  }

  /** @return {@code ip netns exec <ns>} to prefix a command with */
  List<String> inNode(int index) {
    return List.of("ip", "netns", "exec", nodeNamespace(index));
  }

  /**
   * Drops every packet between node {@code index} and the given addresses, both ways, with
   * nftables rules in the node's namespace (replacing its earlier fault rules).
   */
  void partition(int index, Collection<String> peers) throws IOException, InterruptedException {
    String set = peers.stream().sorted().collect(Collectors.joining(", ", "{ ", " }"));
    rules(index, "ip saddr " + set + " drop", "ip daddr " + set + " drop");
  }

  /** Drops {@code percent}% of the node's TCP packets at random, both ways ({@code numgen random}). */
  void loss(int index, int percent) throws IOException, InterruptedException {
    String rule = "meta l4proto tcp numgen random mod 100 < " + percent + " drop";
    rules(index, rule, rule);
  }

  /** Removes the node's fault rules. */
  void heal(int index) throws IOException, InterruptedException {
    nft(index, "delete table inet chaos\n", true);
  }

  private void rules(int index, String in, String out) throws IOException, InterruptedException {
    nft(index, "delete table inet chaos\n", true);
    nft(index, "table inet chaos {\n"
        + "  chain in { type filter hook input priority 0; policy accept; " + in + "; }\n"
        + "  chain out { type filter hook output priority 0; policy accept; " + out + "; }\n"
        + "}\n", false);
  }

  private void nft(int index, String script, boolean mayFail) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(inNode(index));
    command.addAll(List.of("nft", "-f", "-"));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    p.getOutputStream().write(script.getBytes(StandardCharsets.US_ASCII));
    p.getOutputStream().close();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    if (!p.waitFor(COMMAND_SECONDS, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException("nft in " + nodeNamespace(index) + " did not finish within " + COMMAND_SECONDS + " s");
    }
    if (p.exitValue() != 0 && !mayFail) {
      throw new IOException("nft in " + nodeNamespace(index) + " failed: " + output);
    }
  }

  /**
   * Removes the run's namespaces: first every process still inside them (SIGKILL), then the
   * namespaces (their links and rules go with them). Best effort, safe to call twice.
   */
  @Override
  public void close() {
    List<String> all = new ArrayList<>(created);
    if (all.isEmpty()) {
      all.addAll(namespaces().stream().filter(ns -> ns.startsWith(run + "-")).toList());
    }
    remove(all);
    created.clear();
  }

  /**
   * Removes the namespaces of earlier runs whose harness is gone (killed with SIGKILL, say).
   *
   * @return the namespaces removed
   */
  static List<String> sweepStale() {
    List<String> stale = new ArrayList<>();
    for (String ns : namespaces()) {
      Matcher m = OURS.matcher(ns);
      if (m.matches() && !harnessAlive(Long.parseLong(m.group(1)))) {
        stale.add(ns);
      }
    }
    remove(stale);
    return stale;
  }

  private static boolean harnessAlive(long pid) {
    Optional<ProcessHandle> h = ProcessHandle.of(pid);
    if (h.isEmpty() || !h.get().isAlive()) {
      return false;
    }
    // The id may have been reused by another program since.
    return h.get().info().arguments().map(a -> List.of(a).contains("chaos")).orElse(true);
  }

  /** Nodes' namespaces first, the bridge's last: killing processes, then deleting. */
  private static void remove(List<String> namespaces) {
    List<String> ordered = new ArrayList<>(namespaces);
    ordered.sort((a, b) -> Boolean.compare(a.endsWith("-br"), b.endsWith("-br")));
    for (String ns : ordered) {
      for (String pid : output("ip", "netns", "pids", ns).split("\\s+")) {
        if (pid.matches("\\d+")) {
          ProcessHandle.of(Long.parseLong(pid)).ifPresent(ProcessHandle::destroyForcibly);
        }
      }
    }
    for (String ns : ordered) {
      output("ip", "netns", "del", ns);
    }
  }

  /** @return the names of all network namespaces ({@code ip netns list}) */
  static List<String> namespaces() {
    List<String> names = new ArrayList<>();
    for (String line : output("ip", "netns", "list").split("\n")) {
      String name = line.strip().split("\\s+")[0];
      if (!name.isEmpty()) {
        names.add(name);
      }
    }
    return names;
  }

  /** Runs a command and fails with its output when it fails. */
  static void exec(String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    if (!p.waitFor(COMMAND_SECONDS, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException(String.join(" ", command) + ": no answer within " + COMMAND_SECONDS + " s");
    }
    if (p.exitValue() != 0) {
      throw new IOException(String.join(" ", command) + " failed: " + output);
    }
  }

  /** Runs a command; its standard output, or "" when it fails. */
  private static String output(String... command) {
    try {
      Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(COMMAND_SECONDS, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return "";
      }
      return p.exitValue() == 0 ? out : "";
    } catch (IOException e) {
      return "";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "";
    }
  }
}
