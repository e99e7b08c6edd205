// What the page knows: the last /api/state snapshot, with the observer events that arrived
// since applied on top, plus short histories for the charts. Only events from registry
// members (ids in the snapshot) are taken; every value is kept as data and shown as text.

const KEEP = 60;            // entries per live list
const HISTORY = 300;        // balance samples (one per 2 s: 10 minutes)
const GRACE_MS = 15_000;    // a node must disagree this long before it is flagged
const DIGEST_WINDOW_MS = 20_000; // checkpoint digests reported within this window are compared
const LINGER_MS = 15_000;   // a request stays in the pending list this long after it is final

export class Model {
  constructor() {
    this.net = '';
    this.quorum = 0;
    this.rate = 5;
    this.nodes = new Map();         // id → node (shape of /api/state nodes[])
    this.contracts = [];
    this.requests = new Map();      // hash → {request, buyer, buyerName, contract, price, voters: Set, final, seen, finalAt}
    this.voters = new Map();        // hash → Set of voter names, whichever event told first
    this.finalized = [];            // newest first
    this.rejections = [];
    this.misbehaviour = [];
    this.results = [];
    this.balanceHistory = [];       // [{t, values: Map id → DCoin}]
    this.latencyHistory = [];       // [{t, ms}]
    this.finalTimes = [];           // ms of each finalized purchase (purchases per minute)
    this.divergingSince = new Map();
    this.digests = new Map();       // id → Map digest → when last reported (within DIGEST_WINDOW_MS)
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
      if (n.online) this.recordDigest(n.id, n.ledgerDigest, now);
    }
    const finalTime = new Map((s.recentFinalized || []).map((f) => [f.request, f.time]));
    const requests = new Map();
    for (const r of (s.recentRequests || []).slice().reverse()) {
      const known = this.requests.get(r.request);
      const finalAt = known?.finalAt ?? (r.final ? (this.loaded ? now : finalTime.get(r.request) ?? 0) : undefined);
      requests.set(r.request, { ...r, voters: this.addVoters(r.request, r.voters), seen: known?.seen ?? now, finalAt });
    }
    for (const [hash, known] of this.requests) {
      // Heard live but not in this snapshot (it may predate the event), or final and still shown.
      const recent = known.final ? now - (known.finalAt ?? 0) < LINGER_MS : now - known.seen < 10_000;
      if (!requests.has(hash) && recent) requests.set(hash, known);
    }
    this.requests = requests;
    this.finalized = (s.recentFinalized || []).slice(0, KEEP);
    for (const f of this.finalized) f.voters = [...this.addVoters(f.request, f.voters)];
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
        this.recordDigest(e.node, e.checkpointDigest, now);
        this.updateDivergence(now);
        return true;
      case 'reading':
        node.lastReading = { kind: e.kind, value: e.value, seq: e.seq };
        node.readings = mergeReadings(node.readings, [{ seq: e.seq, value: e.value, time: now }]);
        return true;
      case 'request':
        if (typeof e.request === 'string' && !this.requests.has(e.request)) {
          this.requests.set(e.request, { request: e.request, buyer: e.buyer, buyerName: this.name(e.buyer),
            contract: e.contract, price: e.price, voters: this.addVoters(e.request, []), final: false, seen: now });
          trim(this.requests, KEEP * 2);
        }
        return true;
      case 'vote':
        if (typeof e.request !== 'string' || !this.nodes.has(e.voter)) return false;
        this.addVoter(e.request, this.name(e.voter));
        return true;
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

  /**
   * Every member seen voting for a request, from vote events and from the quorums finality
   * events name: in a healthy network a request is final before the page redraws, a vote may
   * arrive before its request, and late votes arrive after finality.
   */
  addVoter(request, name) {
    const set = this.voters.get(request) ?? this.addVoterSet(request);
    set.add(name);
    const f = this.finalized.find((x) => x.request === request);
    if (f && !f.voters.includes(name)) f.voters.push(name);
    return set;
  }

  /** Adds the names in `names` (an array from the server) and returns the request's voter set. */
  addVoters(request, names) {
    for (const n of Array.isArray(names) ? names : []) if (typeof n === 'string') this.addVoter(request, n);
    return this.voters.get(request) ?? this.addVoterSet(request);
  }

  addVoterSet(request) {
    const set = new Set();
    this.voters.set(request, set);
    trim(this.voters, KEEP * 4);
    return set;
  }

  onFinalized(node, e, now) {
    if (typeof e.request !== 'string') return;
    let f = this.finalized.find((x) => x.request === e.request);
    if (!f) {
      f = { request: e.request, buyer: e.buyer, buyerName: this.name(e.buyer), contract: e.contract,
        price: e.price, balanceBefore: e.balanceBefore, balanceAfter: e.balanceAfter,
        balanceBeforeDcoin: e.balanceBefore / this.rate, balanceAfterDcoin: e.balanceAfter / this.rate,
        voters: [...(this.voters.get(e.request) ?? [])], finalizedOn: [], latencyMs: {}, time: now };
      this.finalized.unshift(f);
      this.finalized.length = Math.min(this.finalized.length, KEEP);
      this.finalTimes.push(now);
      if (typeof e.latencyMs === 'number') this.latencyHistory.push({ t: now, ms: e.latencyMs });
    }
    if (!f.finalizedOn.includes(node.name)) f.finalizedOn.push(node.name);
    if (typeof e.latencyMs === 'number') f.latencyMs[node.name] = e.latencyMs;
    for (const v of Array.isArray(e.voters) ? e.voters : []) if (this.nodes.has(v)) this.addVoter(e.request, this.name(v));
    let r = this.requests.get(e.request);
    if (!r) {
      // Final before the page heard the request: it still shows, with its votes, for a while.
      r = { request: e.request, buyer: e.buyer, buyerName: this.name(e.buyer), contract: e.contract,
        price: e.price, voters: this.addVoters(e.request, []), final: true, seen: now, finalAt: now };
      this.requests.set(e.request, r);
      trim(this.requests, KEEP * 2);
    }
    if (!r.final || r.finalAt === undefined) r.finalAt = now;
    r.final = true;
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

  recordDigest(id, digest, now) {
    if (typeof digest !== 'string' || !digest) return;
    let seen = this.digests.get(id);
    if (!seen) this.digests.set(id, (seen = new Map()));
    seen.delete(digest); // re-inserted: the map stays ordered oldest first
    seen.set(digest, now);
  }

  /**
   * Which nodes agree with the majority. Checkpoint digests move on every 16 shares of any
   * author, and each node reports its own at its own moments, so digests reported at one
   * instant differ now and then between agreeing nodes. Compared instead: every digest each
   * online node reported in the last DIGEST_WINDOW_MS. Nodes that reported a same digest
   * agree, and agreement links them in groups (with many nodes and fast sensors no single
   * digest is reported by most of them, but they chain); a group of more than half of the
   * online nodes is the majority. A node outside it differs, and is flagged as diverging
   * after differing for GRACE_MS. Without a majority group nothing is flagged.
   */
  updateDivergence(now) {
    const online = [];
    for (const n of this.nodes.values()) {
      const seen = this.digests.get(n.id);
      for (const [d, t] of seen ?? []) if (now - t > DIGEST_WINDOW_MS) seen.delete(d);
      if (n.online && seen?.size) online.push(n.id);
      else this.divergingSince.delete(n.id);
    }
    const parent = new Map(online.map((id) => [id, id]));
    const root = (id) => { while (parent.get(id) !== id) id = parent.get(id); return id; };
    const firstWith = new Map(); // digest → a node that reported it
    for (const id of online) {
      for (const d of this.digests.get(id).keys()) {
        const other = firstWith.get(d);
        if (other === undefined) firstWith.set(d, id);
        else parent.set(root(id), root(other));
      }
    }
    const size = new Map();
    for (const id of online) size.set(root(id), (size.get(root(id)) || 0) + 1);
    let majority = null;
    for (const [r, n] of size) if (n * 2 > online.length) majority = r;
    this.majorityDigest = null;
    let newest = -1;
    for (const id of online) {
      if (majority === null || root(id) !== majority) continue;
      for (const [d, t] of this.digests.get(id)) if (t > newest) { newest = t; this.majorityDigest = d; }
    }
    for (const id of online) {
      if (majority === null || root(id) === majority) this.divergingSince.delete(id);
      else if (!this.divergingSince.has(id)) this.divergingSince.set(id, now);
    }
  }

  /** 'agrees' | 'checking' (differs, within the grace period) | 'diverges' | 'unknown' */
  agreement(id, now = Date.now()) {
    const n = this.nodes.get(id);
    if (!n || !n.online || !this.digests.get(id)?.size || !this.majorityDigest) return 'unknown';
    const since = this.divergingSince.get(id);
    if (since === undefined) return 'agrees';
    return now - since >= GRACE_MS ? 'diverges' : 'checking';
  }

  /** @return the nodes flagged as diverging, by name */
  diverging(now = Date.now()) {
    return [...this.nodes.values()].filter((n) => this.agreement(n.id, now) === 'diverges').map((n) => n.name);
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
      return `no quorum yet after ${Math.round(age / 1000)} s: ${votes} of ${Math.max(0, this.quorum - 1)} votes needed`;
    }
    return null;
  }

  /** Requests not final yet, and those final for less than LINGER_MS (newest first). */
  pendingRequests(now = Date.now()) {
    return [...this.requests.values()].filter((r) => !r.final || now - (r.finalAt ?? 0) < LINGER_MS).reverse();
  }

  /** The finality of a request as shown with it: the buyer's latency (or the first node's), or null. */
  finality(request) {
    const f = this.finalized.find((x) => x.request === request);
    if (!f) return null;
    const byNode = f.latencyMs || {};
    const ms = typeof byNode[f.buyerName] === 'number' ? byNode[f.buyerName] : Object.values(byNode)[0];
    return { ms: typeof ms === 'number' ? ms : null, f };
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
