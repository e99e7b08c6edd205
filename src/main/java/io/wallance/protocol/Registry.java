package io.wallance.protocol;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One epoch of the signed member registry: who may vote, who may command, the contract
 * catalogue and the network-wide parameters. Every node must use the same member set and
 * quorum for a given request, so all of it is versioned together.
 *
 * <p>Epoch 1 (genesis) is installed from configuration and must be signed by one of its own
 * operators; epoch {@code e+1} is valid only when signed by an operator of epoch {@code e}.
 *
 * @param net network id
 * @param epoch the epoch number, from 1
 * @param quorum configured quorum, or 0 for the safe default; never below the safe value
 * @param dcoinRate units per DCoin (default 5)
 * @param reward units a voter earns per rewarded vote (default 2)
 * @param difficulty leading zero hex digits of proof-of-work (default 1)
 * @param outdate states per buyer after which stale votes are forgotten (default 5; memory only)
 * @param members voting members, ascending by id
 * @param operators operator keys, ascending by id
 * @param contracts the catalogue: name → price in DCoin, ascending by name
 * @param continues wallets continued from a named head (a continuing epoch, PROTOCOL.md 9.10),
 *     ascending by wallet id; empty in an ordinary epoch
 * @param signer the operator key that signs this registry
 */
public record Registry(String net, long epoch, long quorum, long dcoinRate, long reward, long difficulty, long outdate,
    List<Party> members, List<Party> operators, Map<String, Long> contracts, List<Continue> continues, String signer)
    implements Body {
  /** The largest fleet one registry may describe. */
  public static final int MAX_MEMBERS = 64;
  /** The most operator keys. */
  public static final int MAX_OPERATORS = 8;
  /** The most contracts in a catalogue. */
  public static final int MAX_CONTRACTS = 64;
  /** The most wallets one continuing epoch names (as many as a status reports). */
  public static final int MAX_CONTINUES = Status.MAX_ENTRIES;

  /** A named key (member or operator). */
  public record Party(String id, String name) {}

  /**
   * One wallet continued from a head the operator names (PROTOCOL.md 9.10): from this epoch
   * on, a request on that head is counted against this epoch's members only.
   *
   * @param wallet the wallet's member id
   * @param head the state hash to continue from (64 zeros for a wallet still at genesis)
   * @param chain the number of finalized purchases on the wallet's chain up to that head
   */
  public record Continue(String wallet, String head, long chain) {}

  /** Copies collections and checks the invariants a registry must always satisfy. */
  public Registry {
    members = List.copyOf(members);
    operators = List.copyOf(operators);
    contracts = java.util.Collections.unmodifiableMap(new TreeMap<>(contracts));
    continues = List.copyOf(continues);
  }

  /** An ordinary epoch: one that continues no wallet from a named head. */
  public Registry(String net, long epoch, long quorum, long dcoinRate, long reward, long difficulty, long outdate,
      List<Party> members, List<Party> operators, Map<String, Long> contracts, String signer) {
    this(net, epoch, quorum, dcoinRate, reward, difficulty, outdate, members, operators, contracts, List.of(), signer);
  }

  /** Checks the rules of a registry on its own (not its place in the chain). */
  public void validate() throws ProtocolException {
    if (members.isEmpty() || members.size() > MAX_MEMBERS) {
      throw new ProtocolException(Reason.BAD_REGISTRY, "a registry has 1.." + MAX_MEMBERS + " members");
    }
    if (operators.isEmpty() || operators.size() > MAX_OPERATORS) {
      throw new ProtocolException(Reason.BAD_REGISTRY, "a registry has 1.." + MAX_OPERATORS + " operators");
    }
    checkSorted(members, "members");
    checkSorted(operators, "operators");
    if (contracts.size() > MAX_CONTRACTS) {
      throw new ProtocolException(Reason.BAD_REGISTRY, "too many contracts");
    }
    for (Map.Entry<String, Long> c : contracts.entrySet()) {
      if (!Canon.isName(c.getKey()) || c.getValue() < 1 || c.getValue() > 1_000_000) {
        throw new ProtocolException(Reason.BAD_REGISTRY, "bad contract " + c.getKey());
      }
    }
    if (quorum != 0 && (quorum < safeQuorum(members.size()) || quorum > members.size())) {
      throw new ProtocolException(Reason.BAD_REGISTRY, "quorum " + quorum + " is below the safe quorum "
          + safeQuorum(members.size()) + " or above the member count; it may only be raised");
    }
    checkContinues();
    if (dcoinRate < 1 || dcoinRate > 1_000_000 || reward < 0 || reward > 1_000_000 || difficulty < 0
        || difficulty > 8 || outdate < 1 || outdate > 1000 || epoch < 1 || !Canon.isName(net)) {
      throw new ProtocolException(Reason.BAD_REGISTRY, "a parameter is out of range");
    }
  }

  /** Checks a genesis registry: valid, epoch 1, signed by one of its own operators. */
  public void validateGenesis() throws ProtocolException {
    validate();
    if (epoch != 1 || operator(signer) == null) {
      throw new ProtocolException(Reason.BAD_REGISTRY, "a genesis registry is epoch 1 signed by one of its operators");
    }
    if (!continues.isEmpty()) {
      throw new ProtocolException(Reason.BAD_REGISTRY, "a genesis registry continues no wallet");
    }
  }

  private void checkContinues() throws ProtocolException {
    if (continues.size() > MAX_CONTINUES) {
      throw new ProtocolException(Reason.BAD_REGISTRY, "a registry continues at most " + MAX_CONTINUES + " wallets");
    }
    for (int i = 0; i < continues.size(); i++) {
      Continue c = continues.get(i);
      if (!Canon.isHex64(c.wallet()) || !Canon.isHex64(c.head()) || c.chain() < 0 || c.chain() > Canon.MAX_UINT
          || i > 0 && continues.get(i - 1).wallet().compareTo(c.wallet()) >= 0) {
        throw new ProtocolException(Reason.BAD_REGISTRY, "continued wallets must be distinct, valid and ascending by id");
      }
      if ((c.chain() == 0) != c.head().equals(Crypto.GENESIS)) {
        throw new ProtocolException(Reason.BAD_REGISTRY, "a continued head is the genesis state exactly when its chain"
            + " length is 0");
      }
    }
  }

  private static void checkSorted(List<Party> parties, String what) throws ProtocolException {
    for (int i = 0; i < parties.size(); i++) {
      Party p = parties.get(i);
      if (!Canon.isHex64(p.id()) || !Canon.isName(p.name())
          || i > 0 && parties.get(i - 1).id().compareTo(p.id()) >= 0) {
        throw new ProtocolException(Reason.BAD_REGISTRY, what + " must be distinct, valid and ascending by id");
      }
    }
  }

  /**
   * Checks that this registry may follow {@code previous}: next epoch, same network, signed
   * by one of the previous epoch's operators (who may retire their own key in it), with the
   * network-wide {@code dcoinRate} and {@code difficulty} unchanged.
   */
  public void validateSuccessorOf(Registry previous) throws ProtocolException {
    validate();
    if (epoch != previous.epoch + 1 || !net.equals(previous.net)) {
      throw new ProtocolException(Reason.BAD_REGISTRY, "epoch " + epoch + " does not follow " + previous.epoch);
    }
    if (previous.operator(signer) == null) {
      throw new ProtocolException(Reason.BAD_REGISTRY, "epoch " + epoch + " is not signed by an operator of epoch "
          + previous.epoch);
    }
    if (dcoinRate != previous.dcoinRate || difficulty != previous.difficulty) {
      throw new ProtocolException(Reason.BAD_REGISTRY, "dcoinRate and difficulty are fixed for a network");
    }
  }

  /** Largest number of lying members the fleet tolerates: f = ⌊(N−1)/3⌋. */
  public static int tolerated(int n) {
    return (n - 1) / 3;
  }

  /** The safe quorum ⌈(N+f+1)/2⌉: any two quorums share at least f+1 members. */
  public static int safeQuorum(int n) {
    int f = tolerated(n);
    return (n + f + 2) / 2;
  }

  /** The quorum in force: the configured one, or the safe one. */
  public int quorumSize() {
    return quorum == 0 ? safeQuorum(members.size()) : (int) quorum;
  }

  /** True when {@code id} is a voting member of this epoch. */
  public boolean isMember(String id) {
    return find(members, id) != null;
  }

  /** The member with this id, or null. */
  public Party member(String id) {
    return find(members, id);
  }

  /** The operator with this id, or null. */
  public Party operator(String id) {
    return find(operators, id);
  }

  private static Party find(List<Party> parties, String id) {
    int lo = 0;
    int hi = parties.size() - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      int c = parties.get(mid).id().compareTo(id);
      if (c == 0) {
        return parties.get(mid);
      } else if (c < 0) {
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return null;
  }

  /** The head this epoch continues {@code wallet} from, or null when it names none for it. */
  public Continue continuation(String wallet) {
    int lo = 0;
    int hi = continues.size() - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      int c = continues.get(mid).wallet().compareTo(wallet);
      if (c == 0) {
        return continues.get(mid);
      } else if (c < 0) {
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return null;
  }

  /** The price of a contract in DCoin, or null when it is not in the catalogue. */
  public Long price(String contract) {
    return contracts.get(contract);
  }

  /** SHA-256 over {@code name=<name>\nprice=<price>\n} per contract, ascending by name. */
  public String catalogueDigest() {
    StringBuilder sb = new StringBuilder();
    contracts.forEach((k, v) -> sb.append("name=").append(k).append('\n').append("price=").append(v).append('\n'));
    return Crypto.sha256Hex(sb.toString().getBytes(StandardCharsets.US_ASCII));
  }

  @Override
  public String author() {
    return signer;
  }

  @Override
  public Type type() {
    return Type.REGISTRY;
  }

  @Override
  public void writeFields(Canon.Writer w) {
    w.put("epoch", epoch).put("quorum", quorum).put("rate", dcoinRate).put("reward", reward)
        .put("difficulty", difficulty).put("outdate", outdate).put("members", members.size());
    members.forEach(p -> w.put("member", p.id() + "," + p.name()));
    w.put("operators", operators.size());
    operators.forEach(p -> w.put("operator", p.id() + "," + p.name()));
    w.put("contracts", contracts.size());
    contracts.forEach((k, v) -> w.put("contract", k + "," + v));
    if (!continues.isEmpty()) {
      // Optional section: absent in an ordinary epoch, so its bytes are those of release 1.
      w.put("continues", continues.size());
      continues.forEach(c -> w.put("continue", c.wallet() + "," + c.head() + "," + c.chain()));
    }
    w.put("signer", signer);
  }

  static Registry read(String net, Canon.Reader r) throws ProtocolException {
    long epoch = r.uint("epoch", 1, Canon.MAX_UINT);
    long quorum = r.uint("quorum", 0, MAX_MEMBERS);
    long rate = r.uint("rate", 1, 1_000_000);
    long reward = r.uint("reward", 0, 1_000_000);
    long difficulty = r.uint("difficulty", 0, 8);
    long outdate = r.uint("outdate", 1, 1000);
    List<Party> members = parties(r, "members", "member", MAX_MEMBERS);
    List<Party> operators = parties(r, "operators", "operator", MAX_OPERATORS);
    int nc = (int) r.uint("contracts", 0, MAX_CONTRACTS);
    Map<String, Long> contracts = new TreeMap<>();
    String last = null;
    for (int i = 0; i < nc; i++) {
      String[] p = r.text("contract").split(",", -1);
      if (p.length != 2 || !Canon.isName(p[0]) || !p[1].matches("[1-9][0-9]{0,6}")
          || last != null && last.compareTo(p[0]) >= 0) {
        throw new ProtocolException(Reason.BAD_VALUE, "contracts must be name,price ascending by name");
      }
      contracts.put(p[0], Long.parseLong(p[1]));
      last = p[0];
    }
    List<Continue> continues = new ArrayList<>();
    if (r.peek("continues")) {
      int n = (int) r.uint("continues", 1, MAX_CONTINUES);
      for (int i = 0; i < n; i++) {
        String[] p = r.text("continue").split(",", -1);
        if (p.length != 3 || !Canon.isHex64(p[0]) || !Canon.isHex64(p[1]) || !Canon.isDecimal(p[2], false)
            || Long.parseLong(p[2]) > Canon.MAX_UINT) {
          throw new ProtocolException(Reason.BAD_VALUE, "continue must be <wallet hex>,<head hex>,<chain length>");
        }
        continues.add(new Continue(p[0], p[1], Long.parseLong(p[2])));
      }
    }
    Registry reg = new Registry(net, epoch, quorum, rate, reward, difficulty, outdate, members, operators, contracts,
        continues, r.hex64("signer"));
    reg.validate();
    return reg;
  }

  private static List<Party> parties(Canon.Reader r, String countKey, String key, int max) throws ProtocolException {
    int n = (int) r.uint(countKey, 1, max);
    List<Party> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      String[] p = r.text(key).split(",", -1);
      if (p.length != 2 || !Canon.isHex64(p[0]) || !Canon.isName(p[1])) {
        throw new ProtocolException(Reason.BAD_VALUE, key + " must be <hex id>,<name>");
      }
      out.add(new Party(p[0], p[1]));
    }
    return out;
  }
}
