package io.wallance.protocol;

/**
 * A request for items the sender lacks. Every answer is made of signed items that verify
 * themselves, so a pull needs no trust in whoever answers.
 *
 * @param net network id
 * @param node the asking member (answers go to it only)
 * @param what what is asked for
 * @param subject the author (shares), request hash (request), buyer (chain), voter (rewards,
 *     sums), or 64 zeros (registry)
 * @param from first item wanted: share seq, chain index, bucket key (rewards, sums,
 *     see {@link Sums}) or registry epoch
 * @param to last item wanted (inclusive); answers are capped at {@link #MAX_ITEMS} items
 */
public record Pull(String net, String node, What what, String subject, long from, long to) implements Body {
  /** The most items one answer carries. */
  public static final int MAX_ITEMS = 64;

  /** What a pull asks for. */
  public enum What {
    /** Shares {@code from..to} of author {@code subject}. */
    SHARES,
    /** The request with hash {@code subject} and every vote known for it. */
    REQUEST,
    /** The finalized requests {@code from..to} (0-based chain index) of buyer {@code subject}, each with its votes. */
    CHAIN,
    /**
     * The votes that earned voter {@code subject} its rewards on purchases whose bucket key
     * (see {@link Sums}) is in {@code from..to}, in hash order.
     */
    REWARDS,
    /** Registries of epochs {@code from..to}. */
    REGISTRY,
    /** A {@link Sums} of voter {@code subject}'s rewards over the bucket {@code from..to}. */
    SUMS;

    String wire() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  @Override
  public String author() {
    return node;
  }

  @Override
  public Type type() {
    return Type.PULL;
  }

  @Override
  public void writeFields(Canon.Writer w) {
    w.put("node", node).put("what", what.wire()).put("subject", subject).put("from", from).put("to", to);
  }

  static Pull read(String net, Canon.Reader r) throws ProtocolException {
    String node = r.hex64("node");
    String what = r.text("what");
    What kind = null;
    for (What w : What.values()) {
      if (w.wire().equals(what)) {
        kind = w;
      }
    }
    if (kind == null) {
      throw new ProtocolException(Reason.BAD_VALUE, "unknown pull kind");
    }
    String subject = r.hex64("subject");
    long from = r.uint("from", 0, Canon.MAX_UINT);
    long to = r.uint("to", 0, Canon.MAX_UINT);
    if (to < from) {
      throw new ProtocolException(Reason.BAD_VALUE, "pull range is empty");
    }
    if (kind == What.SUMS && !Sums.isBucket(from, to)) {
      throw new ProtocolException(Reason.BAD_VALUE, "sums range is not a bucket of the reward hash space");
    }
    return new Pull(net, node, kind, subject, from, to);
  }
}
