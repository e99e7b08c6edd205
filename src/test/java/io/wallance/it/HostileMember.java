package io.wallance.it;

import io.vertx.core.Vertx;
import io.wallance.it.LocalNetwork.Node;
import io.wallance.protocol.Crypto;
import io.wallance.protocol.Pow;
import io.wallance.protocol.Request;
import io.wallance.protocol.Share;
import io.wallance.protocol.Signed;
import io.wallance.protocol.Vote;
import java.security.SecureRandom;
import java.util.List;

/**
 * A rogue cluster member: the {@link LocalNetwork}'s own observer (open-source Hazelcast
 * authenticates no one), or a clustered Vert.x of its own holding a genuine certificate of the
 * network's CA ({@link HostileMemberIT}), publishing on the network's real addresses what a hostile or lying
 * member would: forged signatures, unmined or malformed messages, and votes that a member's
 * own key signs twice for different requests. Used by {@link HostileMemberIT} and by the
 * dashboard tests, which show what the nodes make of it.
 */
final class HostileMember {
  /** Proof-of-work that the generated registries accept. */
  static final long DIFFICULTY = 1;

  private final LocalNetwork network;
  private final Vertx vertx;

  /** The network's own observer as the rogue (a plain network: no certificate needed). */
  HostileMember(LocalNetwork network) {
    this(network, network.observer());
  }

  /**
   * @param network the network attacked
   * @param vertx the rogue's own clustered Vert.x (e.g. holding a certificate of the network's CA)
   */
  HostileMember(LocalNetwork network, Vertx vertx) {
    this.network = network;
    this.vertx = vertx;
  }

  /** @return the rogue's clustered Vert.x */
  Vertx vertx() {
    return vertx;
  }

  /** Publishes {@code body} on the gossip address, as any member may. */
  void gossip(Object body) {
    vertx.eventBus().publish(network.addresses().gossip(), body);
  }

  /** Publishes {@code body} on one node's {@code to.<id>} address. */
  void sendTo(Node node, Object body) {
    vertx.eventBus().publish(network.addresses().to(node.id()), body);
  }

  // ------------------------------------------------------------------ flood material

  /** @return a mined share in {@code author}'s name carrying {@code signature} (forged or lifted from another message) */
  String shareSignedWith(Node author, long seq, byte[] signature) {
    return Signed.of(Pow.mine(new Share(network.net(), author.id(), seq, "virtual", seq % 1000, 0), DIFFICULTY),
        signature).wireText();
  }

  /** @return a mined vote by {@code voter} for a made-up request of {@code buyer}, carrying {@code signature} */
  String voteSignedWith(Node voter, Node buyer, byte[] signature) {
    return Signed.of(Pow.mine(new Vote(network.net(), voter.id(), buyer.id(), 1, randomHash(), randomHash(), 0),
        DIFFICULTY), signature).wireText();
  }

  /** @return a mined request of {@code buyer} on a made-up previous state, carrying {@code signature} */
  String requestSignedWith(Node buyer, String contract, long price, byte[] signature) {
    return Signed.of(Pow.mine(new Request(network.net(), buyer.id(), 1, randomHash(), 0, List.of(), 1_000, contract,
        price, 0), DIFFICULTY), signature).wireText();
  }

  /** @return a mined share signed by {@code stranger}, a key outside the registry */
  String strangerShare(Crypto.KeyPair stranger, long seq) {
    return Signed.sign(Pow.mine(new Share(network.net(), stranger.id(), seq, "virtual", 1, 0), DIFFICULTY), stranger)
        .wireText();
  }

  /** @return a share in {@code author}'s name, mined, with a forged (all-zero) signature */
  String forgedShare(Node author, long seq) {
    return Signed.of(Pow.mine(new Share(network.net(), author.id(), seq, "virtual", 1, 0), DIFFICULTY), new byte[64])
        .wireText();
  }

  /** @return a vote in {@code voter}'s name for a made-up request of {@code buyer}, with a forged signature */
  String forgedVote(Node voter, Node buyer) {
    Vote vote = Pow.mine(new Vote(network.net(), voter.id(), buyer.id(), 1, Crypto.GENESIS, randomHash(), 0),
        DIFFICULTY);
    return Signed.of(vote, new byte[64]).wireText();
  }

  /**
   * Two votes that {@code liar}'s own key signs for two different (made-up) requests on one
   * (buyer, previous state): equivocation, which every other node must record as evidence.
   * The previous state is made up too, so no real purchase of {@code buyer} is disturbed.
   */
  List<String> equivocatingVotes(Node liar, Node buyer) {
    String prev = randomHash();
    return List.of(vote(liar, buyer, prev, randomHash()), vote(liar, buyer, prev, randomHash()));
  }

  private String vote(Node voter, Node buyer, String prev, String request) {
    return Signed.sign(Pow.mine(new Vote(network.net(), voter.id(), buyer.id(), 1, prev, request, 0), DIFFICULTY),
        voter.key()).wireText();
  }

  /** @return a message of this network with the (unknown) type {@code type}, e.g. markup */
  String ofUnknownType(String type) {
    return "wallance=1\nnet=" + network.net() + "\ntype=" + type + "\n";
  }

  /** @return the share with the smallest nonce whose hash does not satisfy the proof-of-work */
  static Share unmined(Share share) {
    for (long nonce = 0; ; nonce++) {
      Share s = new Share(share.net(), share.author(), share.seq(), share.sensor(), share.reading(), nonce);
      if (!Pow.satisfied(Crypto.sha256Hex(s.canonical()), DIFFICULTY)) {
        return s;
      }
    }
  }

  /** @return a key outside every registry */
  static Crypto.KeyPair randomKey() {
    byte[] seed = new byte[32];
    new SecureRandom().nextBytes(seed);
    return Crypto.KeyPair.fromSeed(seed);
  }

  private static String randomHash() {
    byte[] b = new byte[32];
    new SecureRandom().nextBytes(b);
    return Crypto.hex(b);
  }
}
