package io.wallance.protocol;

/**
 * A sensor reading shared by its author: the proof of sharing that credits the author one
 * unit. Credit depends on {@code (author, seq)} only, never on the reading.
 *
 * @param net network id
 * @param author the sharing member
 * @param seq the author's share sequence number, 1, 2, 3, …
 * @param sensor the sensor kind, e.g. {@code virtual} or {@code thermal}
 * @param reading the reading in milli-units (integers only: no float is ever signed)
 * @param nonce proof-of-work nonce
 */
public record Share(String net, String author, long seq, String sensor, long reading, long nonce)
    implements Body.Mined {
  @Override
  public Type type() {
    return Type.SHARE;
  }

  @Override
  public void writeFields(Canon.Writer w) {
    w.put("author", author).put("seq", seq).put("sensor", sensor).put("reading", reading).put("nonce", nonce);
  }

  @Override
  public Share withNonce(long n) {
    return new Share(net, author, seq, sensor, reading, n);
  }

  static Share read(String net, Canon.Reader r) throws ProtocolException {
    return new Share(net, r.hex64("author"), r.uint("seq", 1, Canon.MAX_UINT), r.name("sensor"),
        r.sint("reading", -Canon.MAX_UINT, Canon.MAX_UINT), r.uint("nonce", 0, Canon.MAX_UINT));
  }
}
