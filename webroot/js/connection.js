// The live link to the web verticle: the SockJS event bus (observer events in, Buy and
// Cancel out) plus the /api/state snapshot that re-syncs the view on every (re)connect.
// EventBus and SockJS are the vendored globals loaded by index.html.

const POLL_MS = 3_000;
const SEND_TIMEOUT_MS = 15_000;

export class Connection {
  /**
   * @param session the answer of /api/session (addresses, csrf)
   * @param handlers {onState(state), onEvent(event), onStatus(kind, text), onRefused(text)}
   */
  constructor(session, handlers) {
    this.session = session;
    this.handlers = handlers;
    this.bus = null;
    this.pending = [];
  }

  start() {
    this.open();
    this.poll();
    setInterval(() => this.poll(), POLL_MS);
  }

  open() {
    const bus = new EventBus('/eventbus', { vertxbus_reconnect_delay_max: 4000 });
    bus.enableReconnect(true);
    bus.onopen = () => {
      this.handlers.onStatus('live', 'live');
      bus.registerHandler(this.session.addresses.events, (err, msg) => {
        // One event, or several of one node's event-loop turn as an array (docs/ARCHITECTURE.md).
        if (!err && msg) for (const event of Array.isArray(msg.body) ? msg.body : [msg.body]) this.handlers.onEvent(event);
      });
      this.poll(true); // re-sync: what happened while we were away is in the snapshot
    };
    bus.onclose = () => {
      this.failPending('the connection closed before the answer came');
      this.handlers.onStatus('down', 'reconnecting…');
      this.checkLogin();
    };
    // The bridge answers a refused message with {type: 'err', body: 'access_denied'} (no address).
    bus.onerror = (e) => {
      const why = typeof e?.body === 'string' ? e.body : typeof e?.message === 'string' ? e.message : 'error';
      this.failPending('refused by the server: ' + why);
      this.handlers.onRefused(why);
    };
    this.bus = bus;
  }

  /** Asks the web verticle (over the bridge) to buy or cancel; resolves with the purchase. */
  request(kind, body) {
    return new Promise((resolve, reject) => {
      if (!this.bus || this.bus.state !== EventBus.OPEN) {
        reject(new Error('not connected; try again in a moment'));
        return;
      }
      const entry = { reject };
      entry.timer = setTimeout(() => this.settle(entry, () => reject(new Error('no answer in time'))), SEND_TIMEOUT_MS);
      this.pending.push(entry);
      this.bus.send(this.session.addresses[kind], body, (err, msg) => this.settle(entry, () => {
        if (err) reject(new Error(typeof err.message === 'string' ? err.message : 'refused'));
        else resolve(msg.body);
      }));
    });
  }

  settle(entry, action) {
    const i = this.pending.indexOf(entry);
    if (i < 0) return;
    this.pending.splice(i, 1);
    clearTimeout(entry.timer);
    action();
  }

  failPending(why) {
    for (const entry of [...this.pending]) this.settle(entry, () => entry.reject(new Error(why)));
  }

  async poll(resync = false) {
    try {
      const r = await fetch('/api/state', { credentials: 'same-origin', cache: 'no-store' });
      if (!r.ok) throw new Error('HTTP ' + r.status);
      this.handlers.onState(await r.json(), resync);
      if (this.bus?.state !== EventBus.OPEN) this.handlers.onStatus('down', 'reconnecting…');
    } catch (e) {
      this.handlers.onStatus('offline', 'web verticle unreachable');
    }
  }

  /** After a close: a lost session (e.g. the web process restarted) means logging in again. */
  async checkLogin() {
    try {
      const r = await fetch('/api/session', { credentials: 'same-origin', cache: 'no-store' });
      if (r.status === 401) location.assign('/login.html');
    } catch (e) {
      // unreachable: the bus keeps retrying
    }
  }
}
