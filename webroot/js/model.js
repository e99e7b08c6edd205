// What the page knows: the last /api/state snapshot, with the observer events that arrived
// since applied on top, plus short histories for the charts. Only events from registry
// members (ids in the snapshot) are taken; every value is kept as data and shown as text.

const KEEP = 60;            // entries per live list
const HISTORY = 300;        // balance samples (one per 2 s: 10 minutes)
const GRACE_MS = 15_000;    // a digest must differ this long before a node is flagged

export class Model {
  constructor() {
    this.net = '';
    this.quorum = 0;
    this.rate = 5;
    this.nodes = new Map();         // id → node (shape of /api/state nodes[])
    this.contracts = [];
    this.requests = new Map();      // hash → {request, buyer, buyerName, contract, price, voters: Set, final, seen}
    this.finalized = [];            // newest first
    this.rejections = [];
    this.misbehaviour = [];
    this.results = [];
    this.balanceHistory = [];       // [{t, values: Map id → DCoin}]
    this.latencyHistory = [];       // [{t, ms}]
    this.finalTimes = [];           // ms of each finalized purchase (purchases per minute)
    this.divergingSince = new Map();
    this.loaded = false;
  }

  name(id) {
    return this.nodes.get(id)?.name ?? (typeof id === 'string' ? id.slice(0, 8) + '…' : '?');
  }

  onlineCount() {
    let n = 0;
    for (const node of this.nodes.values()) if (node.online) n++;
    return n;
  }

  /**
   * A snapshot of /api/state. Nodes, requests and finality (keyed, so nothing doubles) are
   * always taken; the keyless lists (rejections, misbehaviour, results) only on a re-sync
   * (first load or reconnect), since between re-syncs the events bring them.
   */
  applyState(s, resync, now = Date.now()) {
    this.net = s.net;
    this.quorum = s.quorum;
    this.rate = s.dcoinRate;
    this.contracts = s.contracts || [];
    const old = this.nodes;
    this.nodes = new Map();
    for (const n of s.nodes || []) {
      n.readings = mergeReadings(old.get(n.id)?.readings, n.readings);
      this.nodes.set(n.id, n);
    }
    const requests = new Map();
    for (const r of (s.recentRequests || []).slice().reverse()) {
      const known = this.requests.get(r.request);
      requests.set(r.request, { ...r, voters: new Set(r.voters || []), seen: known?.seen ?? now });
    }
    this.requests = requests;
    this.finalized = (s.recentFinalized || []).slice(0, KEEP);
    if (resync || !this.loaded) {
      this.rejections = (s.recentRejections || []).slice(0, KEEP);
      this.misbehaviour = (s.recentMisbehaviour || []).slice(0, KEEP);
      this.results = (s.recentContractResults || []).slice(0, KEEP);
    }
    if (!this.loaded) {
      for (const f of this.finalized) {
        this.finalTimes.push(f.time ?? now);
        const ms = maxLatency(f.latencyMs);
        if (ms !== null) this.latencyHistory.push({ t: f.time ?? now, ms });
      }
      this.finalTimes.sort((a, b) => a - b);
      this.latencyHistory.sort((a, b) => a.t - b.t);
    }
    this.loaded = true;
    this.updateDivergence(now);
  }

  /** One observer event; returns false when it is not from a member or not understood. */
  applyEvent(e, now = Date.now()) {
    if (!e || typeof e !== 'object' || !this.nodes.has(e.node)) return false;
    const node = this.nodes.get(e.node);
    switch (e.type) {
      case 'node':
        node.balanceUnits = e.balanceUnits;
        node.balance = this.rate > 0 ? e.balanceUnits / this.rate : node.balance;
        node.state = e.state;
        node.ledgerDigest = e.checkpointDigest;
        node.pendingRequests = e.pending;
        node.online = true;
        this.updateDivergence(now);
        return true;
      case 'reading':
        node.lastReading = { kind: e.kind, value: e.value, seq: e.seq };
        node.readings = mergeReadings(node.readings, [{ seq: e.seq, value: e.value, time: now }]);
        return true;
      case 'request':
        if (!this.requests.has(e.request)) {
          this.requests.set(e.request, { request: e.request, buyer: e.buyer, buyerName: this.name(e.buyer),
            contract: e.contract, price: e.price, voters: new Set(), final: false, seen: now });
          trim(this.requests, KEEP * 2);
        }
        return true;
      case 'vote': {
        const r = this.requests.get(e.request);
        if (r && this.nodes.has(e.voter)) r.voters.add(this.name(e.voter));
        return !!r;
      }
      case 'finalized':
        this.onFinalized(node, e, now);
        return true;
      case 'purchase':
        this.onPurchase(node, e);
        return true;
      case 'contract':
        this.results.unshift({ ...e, nodeName: node.name });
        this.results.length = Math.min(this.results.length, KEEP);
        return true;
      case 'rejected':
        this.rejections.unshift({ ...e, nodeName: node.name });
        this.rejections.length = Math.min(this.rejections.length, KEEP);
        return true;
      case 'misbehaviour':
        this.misbehaviour.unshift({ ...e, nodeName: node.name, offenderName: this.name(e.offender) });
        this.misbehaviour.length = Math.min(this.misbehaviour.length, KEEP);
        return true;
      case 'catalogue':
        node.catalogueDiffers = e.differs === true;
        return true;
      default:
        return false;
    }
  }

  onFinalized(node, e, now) {
    let f = this.finalized.find((x) => x.request === e.request);
    if (!f) {
      f = { request: e.request, buyer: e.buyer, buyerName: this.name(e.buyer), contract: e.contract,
        price: e.price, balanceBefore: e.balanceBefore, balanceAfter: e.balanceAfter,
        balanceBeforeDcoin: e.balanceBefore / this.rate, balanceAfterDcoin: e.balanceAfter / this.rate,
        voters: (e.voters || []).map((v) => this.name(v)), finalizedOn: [], latencyMs: {}, time: now };
      this.finalized.unshift(f);
      this.finalized.length = Math.min(this.finalized.length, KEEP);
      this.finalTimes.push(now);
      if (typeof e.latencyMs === 'number') this.latencyHistory.push({ t: now, ms: e.latencyMs });
    }
    if (!f.finalizedOn.includes(node.name)) f.finalizedOn.push(node.name);
    if (typeof e.latencyMs === 'number') f.latencyMs[node.name] = e.latencyMs;
    const r = this.requests.get(e.request);
    if (r) r.final = true;
    for (const n of this.nodes.values()) {
      for (const p of n.purchases || []) if (p.request === e.request) p.state = 'final';
      n.purchases = (n.purchases || []).filter((p) => p.state === 'waiting' || p.state === 'published');
    }
  }

  onPurchase(node, e) {
    const list = node.purchases || (node.purchases = []);
    let p = list.find((x) => x.purchase === e.purchase);
    if (!p) {
      p = { purchase: e.purchase, contract: e.contract, price: priceOf(this.contracts, e.contract) };
      list.push(p);
    }
    Object.assign(p, { state: e.state, missingUnits: e.missingUnits, request: e.request ?? p.request });
    node.purchases = list.filter((x) => x.state === 'waiting' || x.state === 'published');
  }

  /** Records a purchase the web verticle just accepted (the reply to Buy or Cancel). */
  applyPurchaseReply(p) {
    const node = this.nodes.get(p.node);
    if (node) this.onPurchase(node, { ...p });
  }

  /** Majority of the online nodes' checkpoint digests; a node differing past the grace period diverges. */
  updateDivergence(now) {
    const counts = new Map();
    for (const n of this.nodes.values()) {
      if (n.online && n.ledgerDigest) counts.set(n.ledgerDigest, (counts.get(n.ledgerDigest) || 0) + 1);
    }
    let majority = null;
    let best = 0;
    for (const [d, c] of counts) if (c > best) { majority = d; best = c; }
    this.majorityDigest = best * 2 > [...counts.values()].reduce((a, b) => a + b, 0) ? majority : null;
    for (const n of this.nodes.values()) {
      const differs = this.majorityDigest && n.online && n.ledgerDigest && n.ledgerDigest !== this.majorityDigest;
      if (!differs) this.divergingSince.delete(n.id);
      else if (!this.divergingSince.has(n.id)) this.divergingSince.set(n.id, now);
    }
  }

  /** 'agrees' | 'checking' (differs, within the grace period) | 'diverges' | 'unknown' */
  agreement(id, now = Date.now()) {
    const n = this.nodes.get(id);
    if (!n || !n.online || !n.ledgerDigest || !this.majorityDigest) return 'unknown';
    const since = this.divergingSince.get(id);
    if (since === undefined) return 'agrees';
    return now - since >= GRACE_MS ? 'diverges' : 'checking';
  }

  /** Samples every node's balance for the chart. */
  sampleBalances(now = Date.now()) {
    const values = new Map();
    for (const n of this.nodes.values()) values.set(n.id, typeof n.balance === 'number' ? n.balance : null);
    this.balanceHistory.push({ t: now, values });
    if (this.balanceHistory.length > HISTORY) this.balanceHistory.shift();
  }

  /**
   * Why a published request is not final yet, or null while it is still young and possible.
   * Derived from the registry quorum, the members online and how long it has been pending.
   */
  finalityProblem(request, now = Date.now()) {
    const r = this.requests.get(request);
    if (r?.final) return null;
    const total = this.nodes.size;
    const online = this.onlineCount();
    if (online < this.quorum) {
      return `cannot finalize: only ${online} of ${total} members online, quorum is ${this.quorum}`;
    }
    const age = r ? now - r.seen : 0;
    if (age > 10_000) {
      const votes = r.voters.size;
      return `no quorum yet after ${Math.round(age / 1000)} s: ${votes} of ${this.quorum} votes`;
    }
    return null;
  }

  pendingRequests() {
    return [...this.requests.values()].filter((r) => !r.final).reverse();
  }
}

function priceOf(contracts, name) {
  return contracts.find((c) => c.name === name)?.price;
}

function maxLatency(byNode) {
  const values = Object.values(byNode || {}).filter((v) => typeof v === 'number');
  return values.length ? Math.max(...values) : null;
}

function mergeReadings(old, fresh) {
  const bySeq = new Map();
  for (const r of [...(old || []), ...(fresh || [])]) if (typeof r?.value === 'number') bySeq.set(r.seq, r);
  return [...bySeq.values()].sort((a, b) => a.seq - b.seq).slice(-60);
}

function trim(map, max) {
  while (map.size > max) map.delete(map.keys().next().value);
}
