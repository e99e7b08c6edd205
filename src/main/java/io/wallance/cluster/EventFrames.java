package io.wallance.cluster;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.function.Consumer;

/**
 * Reads a message on a network's events address ({@link Addresses#events()},
 * {@code docs/ARCHITECTURE.md} "Observer events"): one event as a JSON object, or several, in
 * order, as a JSON array of objects (a node coalesces the events of one event-loop turn).
 * Every observer (web verticle, metrics, bench, tests) reads events through {@link #each}.
 */
public final class EventFrames {

  private EventFrames() {}

  /**
   * Hands each event of one message to {@code handler}, in order.
   *
   * @param body the message body
   * @param handler called with each JSON object
   * @return how many parts were not JSON objects (the whole body, or entries of an array), skipped
   */
  public static int each(Object body, Consumer<JsonObject> handler) {
    if (body instanceof JsonObject event) {
      handler.accept(event);
      return 0;
    }
    if (!(body instanceof JsonArray events)) {
      return 1;
    }
    int skipped = 0;
    for (int i = 0; i < events.size(); i++) {
      if (events.getValue(i) instanceof JsonObject event) {
        handler.accept(event);
      } else {
        skipped++;
      }
    }
    return skipped;
  }
}
