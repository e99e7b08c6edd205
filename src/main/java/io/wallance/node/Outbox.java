package io.wallance.node;

import io.vertx.core.Context;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.wallance.protocol.Frames;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Coalesces what a node publishes during one turn of its event loop: the protocol messages
 * for each address go out as one frame ({@link Frames}, {@code docs/PROTOCOL.md} 4.8) and
 * the observer events as one JSON array ({@code docs/ARCHITECTURE.md}, "Observer events").
 * Under load a node finalizes, votes and reports several purchases in one turn (the journal
 * group-commits, and one read from a peer's connection carries several frames); each
 * event-bus message costs an encoding, a TLS record and a write per receiving member, so one
 * frame instead of several cuts that cost. Nothing waits: the first thing added schedules a
 * flush at the end of the current turn ({@link Context#runOnContext}), so a lone message goes
 * out as soon as before, and alone it is sent exactly as before (one message per frame, one
 * event as a JSON object).
 *
 * <p>Order: messages to one address keep their order inside and across frames; events keep
 * theirs. Used on the node's event loop only (not thread-safe).
 */
final class Outbox {

  /** The most events in one published array. */
  static final int MAX_EVENTS = 256;

  private final Context context;
  private final EventBus bus;
  private final String eventsAddress;
  private final Map<String, Frame> frames = new LinkedHashMap<>();
  private List<JsonObject> events = new ArrayList<>();
  private boolean scheduled;
  private long messages;
  private long framesSent;
  private long eventMessages;

  /** One address's frame being filled. */
  private static final class Frame {
    final StringBuilder text = new StringBuilder();
    int count;
  }

  /**
   * @param context the node verticle's context (flushes run on it)
   * @param bus the event bus
   * @param eventsAddress where observer events are published
   */
  Outbox(Context context, EventBus bus, String eventsAddress) {
    this.context = Objects.requireNonNull(context, "context");
    this.bus = Objects.requireNonNull(bus, "bus");
    this.eventsAddress = Objects.requireNonNull(eventsAddress, "eventsAddress");
  }

  /** Adds one protocol message (its wire text) for {@code address}. */
  void message(String address, String wireText) {
    Frame frame = frames.computeIfAbsent(address, a -> new Frame());
    if (frame.count > 0 && (frame.count == Frames.MAX_MESSAGES
        || frame.text.length() + wireText.length() > Frames.MAX_BYTES)) {
      publish(address, frame);
    }
    frame.text.append(wireText);
    frame.count++;
    messages++;
    schedule();
  }

  /** Adds one observer event (complete: type, node and name already set). */
  void event(JsonObject event) {
    if (events.size() == MAX_EVENTS) {
      publishEvents();
    }
    events.add(event);
    schedule();
  }

  /** Publishes everything added so far (also called by the scheduled flush). */
  void flush() {
    scheduled = false;
    for (Map.Entry<String, Frame> e : frames.entrySet()) {
      if (e.getValue().count > 0) {
        publish(e.getKey(), e.getValue());
      }
    }
    frames.clear();
    if (!events.isEmpty()) {
      publishEvents();
    }
  }

  /** @return protocol messages added since start */
  long messages() {
    return messages;
  }

  /** @return frames published since start (each holds one or more messages) */
  long frames() {
    return framesSent;
  }

  /** @return event-bus messages published on the events address (each holds one or more events) */
  long eventMessages() {
    return eventMessages;
  }

  private void schedule() {
    if (!scheduled) {
      scheduled = true;
      context.runOnContext(v -> flush());
    }
  }

  private void publish(String address, Frame frame) {
    bus.publish(address, frame.text.toString());
    framesSent++;
    frame.text.setLength(0);
    frame.count = 0;
  }

  private void publishEvents() {
    List<JsonObject> batch = events;
    events = new ArrayList<>();
    bus.publish(eventsAddress, batch.size() == 1 ? batch.get(0) : new JsonArray(batch));
    eventMessages++;
  }
}
