package io.wallance.protocol;

import java.util.List;

/**
 * A member's periodic, signed summary of its ledger, one entry per wallet. Peers compare it
 * with their own view and pull whatever they lack; it is the anti-entropy that makes every
 * honest ledger converge even when messages are lost.
 *
 * @param net network id
 * @param node the reporting member
 * @param epoch the newest registry epoch the member holds
 * @param entries one summary per wallet, ascending by id
 */
public record Status(String net, String node, long epoch, List<Entry> entries) implements Body {
  /** The most entries a status may carry (the largest fleet we support, with headroom). */
  public static final int MAX_ENTRIES = 128;

  /** Copies the list so the record stays immutable. */
  public Status {
    entries = List.copyOf(entries);
  }

  /**
   * One wallet as the reporter sees it.
   *
   * @param id the wallet's member id
   * @param shares contiguous shares held (1..shares)
   * @param chain number of finalized purchases on the wallet's chain
   * @param head the wallet's current state
   * @param rewards number of rewards the wallet has earned
   * @param rewardDigest XOR of the purchase hashes of those rewards (64 zeros when none)
   */
  public record Entry(String id, long shares, long chain, String head, long rewards, String rewardDigest) {
    String encode() {
      return id + "," + shares + "," + chain + "," + head + "," + rewards + "," + rewardDigest;
    }

    static Entry decode(String s) throws ProtocolException {
      String[] p = s.split(",", -1);
      if (p.length != 6 || !Canon.isHex64(p[0]) || !Canon.isHex64(p[3]) || !Canon.isHex64(p[5])) {
        throw new ProtocolException(Reason.BAD_VALUE, "malformed status entry");
      }
      try {
        long shares = Long.parseLong(p[1]);
        long chain = Long.parseLong(p[2]);
        long rewards = Long.parseLong(p[4]);
        if (shares < 0 || chain < 0 || rewards < 0 || shares > Canon.MAX_UINT || chain > Canon.MAX_UINT
            || rewards > Canon.MAX_UINT || !p[1].equals(Long.toString(shares))
            || !p[2].equals(Long.toString(chain)) || !p[4].equals(Long.toString(rewards))) {
          throw new ProtocolException(Reason.BAD_VALUE, "status counters must be canonical non-negative integers");
        }
        return new Entry(p[0], shares, chain, p[3], rewards, p[5]);
      } catch (NumberFormatException e) {
        throw new ProtocolException(Reason.BAD_VALUE, "status counter is not a number");
      }
    }
  }

  @Override
  public String author() {
    return node;
  }

  @Override
  public Type type() {
    return Type.STATUS;
  }

  @Override
  public void writeFields(Canon.Writer w) {
    w.put("node", node).put("epoch", epoch).put("entries", entries.size());
    for (Entry e : entries) {
      w.put("entry", e.encode());
    }
  }

  static Status read(String net, Canon.Reader r) throws ProtocolException {
    String node = r.hex64("node");
    long epoch = r.uint("epoch", 1, Canon.MAX_UINT);
    int n = (int) r.uint("entries", 0, MAX_ENTRIES);
    Entry[] entries = new Entry[n];
    for (int i = 0; i < n; i++) {
      entries[i] = Entry.decode(r.text("entry"));
      if (i > 0 && entries[i - 1].id().compareTo(entries[i].id()) >= 0) {
        throw new ProtocolException(Reason.BAD_VALUE, "status entries must ascend by id");
      }
    }
    return new Status(net, node, epoch, List.of(entries));
  }
}
