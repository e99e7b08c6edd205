package io.wallance.ledger;

import io.wallance.protocol.Body;
import io.wallance.protocol.Crypto;
import io.wallance.protocol.Pow;
import io.wallance.protocol.ProtocolException;
import io.wallance.protocol.Registry;
import io.wallance.protocol.Request;
import io.wallance.protocol.Share;
import io.wallance.protocol.Signed;
import io.wallance.protocol.Vote;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The test network: 4 members and 1 operator with fixed keys, net "test", dcoinRate 5, reward 2,
 * difficulty 1, outdate 5, contracts Nespresso=2 and Receipt=1 (DCoin).
 */
final class TestNet {
  static final String NET = "test";
  static final Map<String, Long> CATALOGUE = Map.of("Nespresso", 2L, "Receipt", 1L);
  static final long RATE = 5;
  static final long REWARD = 2;
  static final long DIFFICULTY = 1;

  /** The four members, ascending by id: A, B, C, D. */
  static final List<Crypto.KeyPair> MEMBERS = List.of(key(1), key(2), key(3), key(4)).stream()
      .sorted(Comparator.comparing(Crypto.KeyPair::id)).toList();
  static final Crypto.KeyPair A = MEMBERS.get(0);
  static final Crypto.KeyPair B = MEMBERS.get(1);
  static final Crypto.KeyPair C = MEMBERS.get(2);
  static final Crypto.KeyPair D = MEMBERS.get(3);
  static final Crypto.KeyPair OPERATOR = key(100);
  /** Not in the registry. */
  static final Crypto.KeyPair OUTSIDER = key(200);

  private TestNet() {}

  static Crypto.KeyPair key(int n) {
    byte[] seed = new byte[32];
    Arrays.fill(seed, (byte) n);
    return Crypto.KeyPair.fromSeed(seed);
  }

  static List<Registry.Party> parties(List<Crypto.KeyPair> keys, String prefix) {
    return keys.stream().sorted(Comparator.comparing(Crypto.KeyPair::id))
        .map(k -> new Registry.Party(k.id(), prefix + k.id().substring(0, 4))).toList();
  }

  static Registry registry(long epoch, List<Crypto.KeyPair> members, List<Crypto.KeyPair> operators,
      Map<String, Long> contracts, Crypto.KeyPair signer) {
    return new Registry(NET, epoch, 0, RATE, REWARD, DIFFICULTY, 5, parties(members, "pi-"),
        parties(operators, "op-"), contracts, signer.id());
  }

  static Signed<Registry> genesis() {
    return Signed.sign(registry(1, MEMBERS, List.of(OPERATOR), CATALOGUE, OPERATOR), OPERATOR);
  }

  static Replica replica(Crypto.KeyPair key) {
    return replica(key, ReplicaOptions.defaults());
  }

  static Replica replica(Crypto.KeyPair key, ReplicaOptions options) {
    try {
      return Replica.create(key, genesis(), Rules.none(), new SignatureCheck(4096), options);
    } catch (ProtocolException e) {
      throw new AssertionError(e);
    }
  }

  /** Signs a body after mining its proof-of-work. */
  static <M extends Body.Mined> Signed<M> mined(M body, Crypto.KeyPair key) {
    return Signed.sign(Pow.mine(body, DIFFICULTY), key);
  }

  /** A body whose hash does not satisfy the proof-of-work, signed correctly. */
  static <M extends Body.Mined> Signed<M> unmined(M body, Crypto.KeyPair key) {
    for (long n = 0; ; n++) {
      @SuppressWarnings("unchecked")
      M candidate = (M) body.withNonce(n);
      if (!Pow.satisfied(Crypto.sha256Hex(candidate.canonical()), DIFFICULTY)) {
        return Signed.sign(candidate, key);
      }
    }
  }

  static Signed<Share> share(Crypto.KeyPair author, long seq, long reading) {
    return mined(new Share(NET, author.id(), seq, "virtual", reading, 0), author);
  }

  static Signed<Request> request(Crypto.KeyPair buyer, String prev, long shares, List<String> rewards, long balance,
      String contract, long price) {
    return mined(new Request(NET, buyer.id(), 1, prev, shares, rewards, balance, contract, price, 0), buyer);
  }

  static Signed<Vote> vote(Crypto.KeyPair voter, Signed<Request> request) {
    Request r = request.body();
    return mined(new Vote(NET, voter.id(), r.buyer(), r.epoch(), r.prev(), request.hash(), 0), voter);
  }

  static Signed<Vote> vote(Crypto.KeyPair voter, Crypto.KeyPair buyer, String prev, String requestHash) {
    return mined(new Vote(NET, voter.id(), buyer.id(), 1, prev, requestHash, 0), voter);
  }
}
