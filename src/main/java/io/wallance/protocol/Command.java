package io.wallance.protocol;

/**
 * An operator's command to one node: buy a contract, or cancel a purchase not yet published.
 * The node, not the operator, then signs its own request.
 *
 * @param net network id
 * @param operator the operator key that signs
 * @param node the node that must carry it out
 * @param counter strictly increasing per (operator, node), stored durably by the node, so a
 *     replayed command is refused even after a restart
 * @param action what to do
 * @param contract the contract to buy (for a cancel: the contract of the purchase)
 * @param purchase the operator-side purchase id
 */
public record Command(String net, String operator, String node, long counter, Action action, String contract,
    long purchase) implements Body {
  /** What a command asks for. */
  public enum Action {
    /** Buy {@code contract} as soon as it is affordable. */
    BUY,
    /** Cancel purchase {@code purchase} if its request is not yet published. */
    CANCEL
  }

  @Override
  public String author() {
    return operator;
  }

  @Override
  public Type type() {
    return Type.COMMAND;
  }

  @Override
  public void writeFields(Canon.Writer w) {
    w.put("operator", operator).put("node", node).put("counter", counter)
        .put("action", action.name().toLowerCase(java.util.Locale.ROOT)).put("contract", contract)
        .put("purchase", purchase);
  }

  static Command read(String net, Canon.Reader r) throws ProtocolException {
    String operator = r.hex64("operator");
    String node = r.hex64("node");
    long counter = r.uint("counter", 1, Canon.MAX_UINT);
    String a = r.text("action");
    Action action = switch (a) {
      case "buy" -> Action.BUY;
      case "cancel" -> Action.CANCEL;
      default -> throw new ProtocolException(Reason.BAD_VALUE, "unknown action");
    };
    return new Command(net, operator, node, counter, action, r.name("contract"), r.uint("purchase", 1, Canon.MAX_UINT));
  }
}
