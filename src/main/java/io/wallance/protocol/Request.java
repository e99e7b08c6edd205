package io.wallance.protocol;

import java.util.List;

/**
 * A purchase request: the buyer spends against an exact, citable position of its wallet.
 *
 * @param net network id
 * @param buyer the buying member
 * @param epoch the registry epoch whose member set and catalogue apply (never older than the
 *     previous state's)
 * @param prev the buyer's current wallet state, which this request moves on from
 * @param shares the buyer's share position: shares 1..shares are counted
 * @param rewards the rewards newly counted, as the hashes of the purchases they were earned
 *     on, strictly ascending, at most {@link #MAX_REWARDS}
 * @param balance the buyer's balance in units at the cited position, before the debit
 * @param contract the contract bought
 * @param price the contract's price in DCoin; the debit is {@code price × dcoinRate} units
 * @param nonce proof-of-work nonce
 */
public record Request(String net, String buyer, long epoch, String prev, long shares, List<String> rewards,
    long balance, String contract, long price, long nonce) implements Body.Mined {
  /** The most rewards one request may cite; more are cited by later requests. */
  public static final int MAX_REWARDS = 16;

  /** Copies the list so the record stays immutable. */
  public Request {
    rewards = List.copyOf(rewards);
  }

  @Override
  public String author() {
    return buyer;
  }

  @Override
  public Type type() {
    return Type.REQUEST;
  }

  @Override
  public void writeFields(Canon.Writer w) {
    w.put("buyer", buyer).put("epoch", epoch).put("prev", prev).put("shares", shares)
        .put("rewards", String.join(",", rewards)).put("balance", balance)
        .put("contract", contract).put("price", price).put("nonce", nonce);
  }

  @Override
  public Request withNonce(long n) {
    return new Request(net, buyer, epoch, prev, shares, rewards, balance, contract, price, n);
  }

  static Request read(String net, Canon.Reader r) throws ProtocolException {
    String buyer = r.hex64("buyer");
    long epoch = r.uint("epoch", 1, Canon.MAX_UINT);
    String prev = r.hex64("prev");
    long shares = r.uint("shares", 0, Canon.MAX_UINT);
    String list = r.text("rewards");
    List<String> rewards = list.isEmpty() ? List.of() : List.of(list.split(",", -1));
    if (rewards.size() > MAX_REWARDS) {
      throw new ProtocolException(Reason.BAD_VALUE, "more than " + MAX_REWARDS + " rewards");
    }
    for (int i = 0; i < rewards.size(); i++) {
      if (!Canon.isHex64(rewards.get(i)) || i > 0 && rewards.get(i - 1).compareTo(rewards.get(i)) >= 0) {
        throw new ProtocolException(Reason.BAD_VALUE, "rewards must be distinct hashes in ascending order");
      }
    }
    return new Request(net, buyer, epoch, prev, shares, rewards, r.uint("balance", 0, Canon.MAX_UINT),
        r.name("contract"), r.uint("price", 1, Canon.MAX_UINT), r.uint("nonce", 0, Canon.MAX_UINT));
  }
}
