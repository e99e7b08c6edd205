package io.wallance.it;

import io.vertx.core.json.JsonObject;
import io.wallance.it.LocalNetwork.Node;
import java.security.SecureRandom;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A paced flood from a {@link HostileMember}: messages in a victim's name (forged, lifted and
 * random signatures) sent to every node's {@code to.<id>} in turn, and messages signed by keys
 * outside the registry and undecodable ones on the gossip address. It keeps count of what it
 * sent by kind and of what each node was delivered, so a test can hold the nodes' rejection
 * counters against it.
 */
final class Flood {

  /** What a flood message is, where it goes and the typed reasons a node may reject it with. */
  enum Kind {
    /** A share in the victim's name with an all-zero signature. */
    VICTIM_SHARE_FORGED(false, Set.of("BAD_SIGNATURE", "RATE_LIMITED")),
    /** A vote by the victim for a made-up request, with the signature of one of its genuine messages. */
    VICTIM_VOTE_LIFTED_SIGNATURE(false, Set.of("BAD_SIGNATURE", "RATE_LIMITED")),
    /** A request of the victim on a made-up state, with random signature bytes. */
    VICTIM_REQUEST_FORGED(false, Set.of("BAD_SIGNATURE", "RATE_LIMITED")),
    /** A share properly signed by a key outside the registry. */
    UNKNOWN_KEY(true, Set.of("UNKNOWN_AUTHOR", "RATE_LIMITED")),
    /** Not the wire text of a message (a JSON object). */
    MALFORMED(true, Set.of("MALFORMED")),
    /** 40,000 characters, over the 32 KiB limit. */
    OVERSIZED(true, Set.of("TOO_LARGE")),
    /** A message of this network with an unknown type. */
    UNKNOWN_TYPE(true, Set.of("UNKNOWN_TYPE"));

    /** On the gossip address (every node), else to one node's {@code to.<id>} in turn. */
    final boolean gossip;
    /** The reasons a node may count it under. */
    final Set<String> reasons;

    Kind(boolean gossip, Set<String> reasons) {
      this.gossip = gossip;
      this.reasons = reasons;
    }
  }

  /** Reasons decided before the rate limit: counted exactly once per delivery. */
  static final Set<String> EXACT = Set.of("MALFORMED", "TOO_LARGE", "UNKNOWN_TYPE");

  private static final String OVERSIZED_TEXT = "x".repeat(40_000);

  private final HostileMember rogue;
  private final List<Node> nodes;
  private final Node victim;
  private final byte[] liftedSignature;
  private final SecureRandom random = new SecureRandom();
  private final EnumMap<Kind, Long> sent = new EnumMap<>(Kind.class);
  private final Map<String, EnumMap<Kind, Long>> delivered = new LinkedHashMap<>();
  private long seq = 10_000_000;

  /**
   * @param rogue the hostile member sending
   * @param nodes every node of the network
   * @param victim the member in whose name much of the flood is
   * @param liftedSignature a genuine signature of the victim (from one of its messages)
   */
  Flood(HostileMember rogue, List<Node> nodes, Node victim, byte[] liftedSignature) {
    this.rogue = rogue;
    this.nodes = List.copyOf(nodes);
    this.victim = victim;
    this.liftedSignature = liftedSignature.clone();
    for (Node n : nodes) {
      delivered.put(n.name(), new EnumMap<>(Kind.class));
    }
  }

  /**
   * Sends {@code counts} messages of each kind, interleaved, at about {@code perSecond}
   * messages per second (bounded: it never runs longer than the count allows).
   */
  void send(Map<Kind, Integer> counts, int perSecond) throws InterruptedException {
    EnumMap<Kind, Integer> left = new EnumMap<>(counts);
    long total = counts.values().stream().mapToLong(Integer::longValue).sum();
    long start = System.nanoTime();
    long done = 0;
    while (done < total) {
      for (Kind kind : Kind.values()) {
        int n = left.getOrDefault(kind, 0);
        if (n == 0) {
          continue;
        }
        left.put(kind, n - 1);
        Node to = nodes.get((int) (sent.getOrDefault(kind, 0L) % nodes.size())); // each kind to every node in turn
        sendOne(kind, to);
        done++;
        if (done % 100 == 0) {
          long due = start + done * 1_000_000_000L / perSecond;
          long wait = due - System.nanoTime();
          if (wait > 0) {
            Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
          }
        }
      }
    }
  }

  private void sendOne(Kind kind, Node to) {
    Object body = switch (kind) {
      case VICTIM_SHARE_FORGED -> rogue.shareSignedWith(victim, seq++, new byte[64]);
      case VICTIM_VOTE_LIFTED_SIGNATURE -> rogue.voteSignedWith(victim, other(to), liftedSignature);
      case VICTIM_REQUEST_FORGED -> rogue.requestSignedWith(victim, "Receipt", 1, randomBytes());
      case UNKNOWN_KEY -> rogue.strangerShare(HostileMember.randomKey(), seq++);
      case MALFORMED -> new JsonObject().put("type", "share").put("flood", seq++);
      case OVERSIZED -> OVERSIZED_TEXT;
      case UNKNOWN_TYPE -> rogue.ofUnknownType("flood" + (seq++ % 1000));
    };
    if (kind.gossip) {
      rogue.gossip(body);
      nodes.forEach(n -> delivered.get(n.name()).merge(kind, 1L, Long::sum));
    } else {
      rogue.sendTo(to, body);
      delivered.get(to.name()).merge(kind, 1L, Long::sum);
    }
    sent.merge(kind, 1L, Long::sum);
  }

  /** A buyer for a vote that is not the victim (a vote for oneself is refused for another reason). */
  private Node other(Node to) {
    return to.id().equals(victim.id()) ? nodes.stream().filter(n -> n != victim).findFirst().orElseThrow() : to;
  }

  private byte[] randomBytes() {
    byte[] b = new byte[64];
    random.nextBytes(b);
    return b;
  }

  /** @return messages sent by kind (a gossip message is one message, delivered to every node) */
  EnumMap<Kind, Long> sent() {
    return new EnumMap<>(sent);
  }

  /** @return total messages sent */
  long total() {
    return sent.values().stream().mapToLong(Long::longValue).sum();
  }

  /** @return messages of each kind delivered to {@code node} */
  EnumMap<Kind, Long> delivered(Node node) {
    return new EnumMap<>(delivered.get(node.name()));
  }

  /** @return messages delivered to {@code node} whose reason is one of {@code reasons} only */
  long deliveredWithReasonIn(Node node, Set<String> reasons) {
    return delivered.get(node.name()).entrySet().stream().filter(e -> reasons.containsAll(e.getKey().reasons))
        .mapToLong(Map.Entry::getValue).sum();
  }

  /** @return every message delivered to {@code node} */
  long deliveredTotal(Node node) {
    return delivered.get(node.name()).values().stream().mapToLong(Long::longValue).sum();
  }
}
