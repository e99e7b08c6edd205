package io.wallance.cli;

import io.wallance.contract.Contract;
import io.wallance.contract.ContractCatalogue;
import io.wallance.node.NodeKeys;
import io.wallance.node.RegistryFile;
import io.wallance.protocol.Crypto;
import io.wallance.protocol.ProtocolException;
import io.wallance.protocol.Registry;
import io.wallance.protocol.Signed;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code wallance registry}: writes a signed registry for the fleet: members, the operator who
 * signs it, the network parameters and the contract catalogue (name → price) from a contracts
 * directory or the catalogue bundled in the jar.
 *
 * <p>Without {@code --previous} it writes a genesis (epoch 1). With {@code --previous FILE} it
 * writes the next epoch of that registry: same network, operators, fixed parameters (rate,
 * difficulty), reward, outdate and catalogue (unless {@code --contracts} is given); members are
 * the previous ones plus {@code --member} minus {@code --remove}; the quorum is
 * {@code --quorum} (default 0 = the safe quorum of the new member count). The operator key must
 * be an operator of the previous epoch (PROTOCOL.md 4.6).
 *
 * <p>With {@code --continue-from} it writes a continuing epoch (PROTOCOL.md 9.10): every wallet
 * is continued from the head at the longest chain any live member holds, read from the
 * dashboard or from saved node views. Every member of the new epoch must be heard, and no
 * removed member may be online.
 */
@Command(
    name = "registry",
    mixinStandardHelpOptions = true,
    description = {
        "Writes the signed member registry (wire text) that every node installs.",
        "Members are NAME=PUBHEX (the line keygen prints) or NAME=@FILE.pub.",
        "With --previous FILE: the next epoch of that registry (members added and removed)."
    })
final class RegistryCommand implements Callable<Integer> {

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,32}");
  private static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");

  @Spec
  private CommandSpec spec;

  @Option(names = "--operator-key", required = true, paramLabel = "FILE",
      description = "The operator's private key file (keygen); it signs the registry and commands.")
  private Path operatorKey;

  @Option(names = "--operator-name", defaultValue = "operator", paramLabel = "NAME",
      description = "The operator's name in the registry. Default: ${DEFAULT-VALUE}.")
  private String operatorName;

  @Option(names = "--net", paramLabel = "NAME",
      description = "The network id (inside every signed message); required for a genesis.")
  private String net;

  @Option(names = "--member", paramLabel = "NAME=PUBHEX",
      description = "A voting member (repeat for each); PUBHEX may be @FILE to read a .pub file.")
  private List<String> members = new ArrayList<>();

  @Option(names = "--previous", paramLabel = "FILE",
      description = "Write the next epoch of this signed registry (its members, minus --remove, plus --member).")
  private Path previous;

  @Option(names = "--remove", paramLabel = "NAME|PUBHEX",
      description = "With --previous: a member to remove (repeat for each).")
  private List<String> removals = new ArrayList<>();

  /** For a dashboard URL in --continue-from: reading /api/heads needs the operator password. */
  @picocli.CommandLine.Mixin
  private OperatorPassword password;

  @Option(names = "--continue-from", paramLabel = "URL|FILE",
      description = {"With --previous: write a continuing epoch, every wallet continued from the head at the longest"
          + " chain the live members hold (PROTOCOL.md 9.10). A dashboard URL (GET /api/heads) or a JSON file with a"
          + " node view or a saved /api/heads answer; repeat to combine.",
          "Use it only when the removed members are down for good and their data will not come back."})
  private List<String> continueFrom = new ArrayList<>();

  @Option(names = "--ca", paramLabel = "FILE",
      description = "For an https:// dashboard in --continue-from: the project CA certificate to trust (ca.crt).")
  private Path ca;

  @Option(names = "--contracts", paramLabel = "DIR",
      description = "Contract catalogue directory. Default: the catalogue bundled in the jar.")
  private Path contracts;

  @Option(names = "--epoch", description = "Registry epoch. Default: 1, or the previous epoch + 1.")
  private Long epoch;

  @Option(names = "--quorum", defaultValue = "0",
      description = "Quorum; 0 = the safe quorum (it may only be raised). Default: ${DEFAULT-VALUE}.")
  private long quorum;

  @Option(names = "--dcoin-rate", defaultValue = "5", description = "Units per DCoin. Default: ${DEFAULT-VALUE}.")
  private long dcoinRate;

  @Option(names = "--reward", defaultValue = "2", description = "Units per rewarded vote. Default: ${DEFAULT-VALUE}.")
  private long reward;

  @Option(names = "--difficulty", defaultValue = "1",
      description = "Proof-of-work difficulty (zero hex digits). Default: ${DEFAULT-VALUE}.")
  private long difficulty;

  @Option(names = "--outdate", defaultValue = "5", description = "Stale vote memory. Default: ${DEFAULT-VALUE}.")
  private long outdate;

  @Option(names = "--out", required = true, paramLabel = "FILE", description = "Where to write the registry.")
  private Path out;

  @Override
  public Integer call() throws Exception {
    Crypto.KeyPair operator = NodeKeys.readPrivate(operatorKey);
    if (!NAME.matcher(operatorName).matches()) {
      throw new ParameterException(spec.commandLine(), "--operator-name must be 1-32 characters [A-Za-z0-9_.-]");
    }
    Registry before = previous == null ? null : RegistryFile.read(previous).body();
    if (before == null && (net == null || members.isEmpty())) {
      throw new ParameterException(spec.commandLine(), "a genesis needs --net and at least one --member"
          + " (or give --previous FILE to write the next epoch)");
    }
    if (before == null && !removals.isEmpty()) {
      throw new ParameterException(spec.commandLine(), "--remove needs --previous");
    }
    if (before == null && !continueFrom.isEmpty()) {
      throw new ParameterException(spec.commandLine(), "--continue-from needs --previous");
    }
    if (before == null) {
      List<Registry.Party> parties = new ArrayList<>();
      for (String m : members) {
        Registry.Party p = member(m);
        if (parties.stream().anyMatch(q -> q.id().equals(p.id()) || q.name().equals(p.name()))) {
          throw new ParameterException(spec.commandLine(), "--member " + p.name() + " is already a member");
        }
        parties.add(p);
      }
      parties.sort(Comparator.comparing(Registry.Party::id));
      Registry registry = new Registry(net, epoch == null ? 1 : epoch, quorum, dcoinRate, reward, difficulty, outdate,
          parties, List.of(new Registry.Party(operator.id(), operatorName)), catalogue(), operator.id());
      try {
        registry.validate();
      } catch (ProtocolException e) {
        throw new IllegalArgumentException("invalid registry: " + e.getMessage(), e);
      }
      report(write(Signed.sign(registry, operator), out));
      return 0;
    }
    if (net != null && !net.equals(before.net())) {
      throw new ParameterException(spec.commandLine(), "--net " + net + " differs from " + before.net()
          + " of " + previous);
    }
    List<Registry.Party> added = new ArrayList<>();
    for (String m : members) {
      added.add(member(m));
    }
    Signed<Registry> next;
    try {
      next = successor(before, operator, added, removals, epoch, quorum, contracts == null ? null : catalogue());
    } catch (Change e) {
      throw new ParameterException(spec.commandLine(), e.getMessage().replace("{previous}", previous.toString()));
    }
    if (!continueFrom.isEmpty()) {
      Registry r = next.body();
      Registry continuing = new Registry(r.net(), r.epoch(), r.quorum(), r.dcoinRate(), r.reward(), r.difficulty(),
          r.outdate(), r.members(), r.operators(), r.contracts(), continues(before, r.members()), r.signer());
      try {
        continuing.validateSuccessorOf(before);
      } catch (ProtocolException e) {
        throw new IllegalArgumentException("invalid registry: " + e.getMessage(), e);
      }
      next = Signed.sign(continuing, operator);
    }
    report(write(next, out));
    return 0;
  }

  /** A membership change that cannot be made (e.g. removing a non-member); {@code {previous}} names the file. */
  static final class Change extends Exception {
    private static final long serialVersionUID = 1L;

    Change(String message) {
      super(message);
    }
  }

  /**
   * The next epoch of a registry, signed: same network, operators, fixed parameters, reward,
   * outdate and (unless given) catalogue; members are {@code before}'s plus {@code added}
   * minus {@code removed}. Shared by this command and {@code demo}'s "add a node".
   *
   * @param before the current epoch
   * @param operator an operator of {@code before}
   * @param added new members
   * @param removed members to remove, by id or name
   * @param epoch the new epoch, or null for {@code before.epoch() + 1}
   * @param quorum the quorum, 0 for the safe quorum of the new member count
   * @param contracts the catalogue, or null to keep {@code before}'s
   * @return the signed successor, validated against {@code before}
   * @throws Change for a member added twice or removed though absent
   * @throws IllegalArgumentException for a registry {@code before} would not accept as successor
   */
  static Signed<Registry> successor(Registry before, Crypto.KeyPair operator, List<Registry.Party> added,
      List<String> removed, Long epoch, long quorum, Map<String, Long> contracts) throws Change {
    List<Registry.Party> parties = new ArrayList<>(before.members());
    for (String r : removed) {
      if (!parties.removeIf(p -> p.id().equals(r) || p.name().equals(r))) {
        throw new Change("--remove " + r + ": no such member in {previous}");
      }
    }
    for (Registry.Party p : added) {
      if (parties.stream().anyMatch(q -> q.id().equals(p.id()) || q.name().equals(p.name()))) {
        throw new Change("--member " + p.name() + " is already a member");
      }
      parties.add(p);
    }
    parties.sort(Comparator.comparing(Registry.Party::id));
    Registry registry = new Registry(before.net(), epoch == null ? before.epoch() + 1 : epoch, quorum,
        before.dcoinRate(), before.reward(), before.difficulty(), before.outdate(), parties, before.operators(),
        contracts == null ? before.contracts() : contracts, operator.id());
    try {
      registry.validateSuccessorOf(before);
    } catch (ProtocolException e) {
      throw new IllegalArgumentException("invalid registry: " + e.getMessage(), e);
    }
    return Signed.sign(registry, operator);
  }

  /**
   * Writes a signed registry's wire text atomically (a temporary file, then a rename).
   *
   * @return the registry written
   */
  static Signed<Registry> write(Signed<Registry> signed, Path out) throws IOException {
    Path target = out.toAbsolutePath();
    if (target.getParent() != null) {
      Files.createDirectories(target.getParent());
    }
    Path tmp = Files.createTempFile(target.getParent(), ".registry", ".tmp");
    Files.writeString(tmp, signed.wireText(), StandardCharsets.US_ASCII);
    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    return signed;
  }

  private void report(Signed<Registry> signed) {
    Registry registry = signed.body();
    spec.commandLine().getErr().println("registry: wrote " + out.toAbsolutePath() + " (network " + registry.net()
        + ", epoch " + registry.epoch() + ", " + registry.members().size() + " members, quorum "
        + registry.quorumSize() + ", " + registry.contracts().size() + " contracts, "
        + (registry.continues().isEmpty() ? "" : registry.continues().size() + " wallets continued, ") + "hash "
        + signed.hash() + ")");
    spec.commandLine().getErr().flush();
  }

  /** The heads to continue from: every new member heard, no removed member online (PROTOCOL.md 9.10). */
  private List<Registry.Continue> continues(Registry before, List<Registry.Party> parties) throws IOException {
    List<HeadViews.View> views = HeadViews.read(continueFrom, password::get, ca);
    java.util.Set<String> heard = new java.util.TreeSet<>();
    for (HeadViews.View v : views) {
      Registry.Party removed = before.member(v.node());
      if (removed != null && parties.stream().noneMatch(p -> p.id().equals(v.node()))) {
        throw new IllegalArgumentException("--continue-from: " + removed.name() + " is online but removed; a continuing"
            + " epoch may only remove members that are down for good (PROTOCOL.md 9.10)");
      }
      heard.add(v.node());
    }
    for (Registry.Party p : parties) {
      if (before.isMember(p.id()) && !heard.contains(p.id())) {
        throw new IllegalArgumentException("--continue-from: no view from " + p.name() + "; every live member of the"
            + " new epoch must be heard, since its chain may be the longest");
      }
    }
    List<Registry.Continue> chosen = io.wallance.protocol.Continuations.choose(
        views.stream().map(HeadViews.View::wallets).toList());
    for (Registry.Continue c : chosen) {
      Registry.Party p = before.member(c.wallet());
      spec.commandLine().getErr().println("registry: continue " + (p == null ? c.wallet().substring(0, 12) : p.name())
          + " from chain length " + c.chain() + ", head " + c.head());
    }
    return chosen;
  }

  private Registry.Party member(String spec) throws NodeKeys.KeyFileException {
    int eq = spec.indexOf('=');
    if (eq < 0) {
      throw new ParameterException(this.spec.commandLine(), "--member must be NAME=PUBHEX, got '" + spec + "'");
    }
    String name = spec.substring(0, eq);
    String key = spec.substring(eq + 1);
    if (!NAME.matcher(name).matches()) {
      throw new ParameterException(this.spec.commandLine(),
          "--member name '" + name + "' must be 1-32 characters [A-Za-z0-9_.-]");
    }
    if (key.startsWith("@")) {
      key = NodeKeys.readPublic(Path.of(key.substring(1)));
    }
    if (!HEX64.matcher(key).matches()) {
      throw new ParameterException(this.spec.commandLine(),
          "--member " + name + ": the public key must be 64 lowercase hex digits");
    }
    return new Registry.Party(key, name);
  }

  private Map<String, Long> catalogue() throws Exception {
    ContractCatalogue catalogue;
    if (contracts != null) {
      catalogue = ContractCatalogue.load(contracts);
    } else {
      Path tmp = Files.createTempDirectory("wallance-catalogue");
      try {
        catalogue = ContractCatalogue.loadBundled(RegistryCommand.class.getClassLoader(), tmp.resolve("contracts"));
      } finally {
        deleteTree(tmp);
      }
    }
    Map<String, Long> prices = new TreeMap<>();
    for (Contract c : catalogue.contracts()) {
      prices.put(c.name(), c.price());
    }
    return prices;
  }

  private static void deleteTree(Path root) throws IOException {
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
