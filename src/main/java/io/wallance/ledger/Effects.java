package io.wallance.ledger;

import io.wallance.protocol.Body;
import io.wallance.protocol.Signed;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * What one call into a replica produced: messages to send and events to show. The caller
 * (a verticle or the simulator) delivers them; the replica has already made its own state
 * change. The caller must first make that change durable: store
 * {@link Replica#drainChanges()} in one transaction, then deliver these effects.
 */
public final class Effects {
  /** A message to send; {@code to == null} means broadcast to every member. */
  public record Outgoing(String to, Signed<? extends Body> message) {}

  private final List<Outgoing> out = new ArrayList<>();
  private final List<LedgerEvent> events = new ArrayList<>();

  void broadcast(Signed<? extends Body> m) {
    out.add(new Outgoing(null, m));
  }

  void send(String to, Signed<? extends Body> m) {
    out.add(new Outgoing(to, m));
  }

  void event(LedgerEvent e) {
    events.add(e);
  }

  /** The messages to send, in order. */
  public List<Outgoing> messages() {
    return Collections.unmodifiableList(out);
  }

  /** The events, in order. */
  public List<LedgerEvent> events() {
    return Collections.unmodifiableList(events);
  }
}
