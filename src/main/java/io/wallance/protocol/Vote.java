package io.wallance.protocol;

/**
 * A member's approval of exactly one request, by hash. A member signs at most one vote per
 * {@code (buyer, prev)}; two votes with different request hashes are equivocation.
 *
 * @param net network id
 * @param voter the voting member
 * @param buyer the request's buyer
 * @param epoch the request's epoch
 * @param prev the request's previous state
 * @param request the SHA-256 of the request's canonical bytes
 * @param nonce proof-of-work nonce
 */
public record Vote(String net, String voter, String buyer, long epoch, String prev, String request, long nonce)
    implements Body.Mined {
  @Override
  public String author() {
    return voter;
  }

  @Override
  public Type type() {
    return Type.VOTE;
  }

  @Override
  public void writeFields(Canon.Writer w) {
    w.put("voter", voter).put("buyer", buyer).put("epoch", epoch).put("prev", prev).put("request", request)
        .put("nonce", nonce);
  }

  @Override
  public Vote withNonce(long n) {
    return new Vote(net, voter, buyer, epoch, prev, request, n);
  }

  static Vote read(String net, Canon.Reader r) throws ProtocolException {
    return new Vote(net, r.hex64("voter"), r.hex64("buyer"), r.uint("epoch", 1, Canon.MAX_UINT), r.hex64("prev"),
        r.hex64("request"), r.uint("nonce", 0, Canon.MAX_UINT));
  }
}
