// The node cards and the node selector. A card is built once per node and updated in place,
// so a contract picked in its menu survives the next update.

import { el, fill, fillIfChanged, byId } from './dom.js';
import { dcoin, short, reading, text } from './format.js';
import { sparkline } from './sparkline.js';

const NAMES = new Intl.Collator(undefined, { numeric: true }); // pi2 before pi10

export class NodeViews {
  /** @param actions {buy(nodeId, contract), cancel(nodeId, purchase)} */
  constructor(model, actions) {
    this.model = model;
    this.actions = actions;
    this.cards = new Map();
    this.hidden = new Set();
    this.filter = '';
    byId('node-filter').addEventListener('input', (e) => { this.filter = e.target.value.trim().toLowerCase(); this.render(); });
    byId('select-all').addEventListener('click', () => { this.hidden.clear(); this.render(); });
    byId('select-none').addEventListener('click', () => { this.model.nodes.forEach((n, id) => this.hidden.add(id)); this.render(); });
  }

  visible(node) {
    return !this.hidden.has(node.id) && (!this.filter || node.name.toLowerCase().includes(this.filter));
  }

  render(now = Date.now()) {
    const container = byId('nodes');
    const chips = [];
    const order = [...this.model.nodes.values()].sort((a, b) => NAMES.compare(a.name, b.name));
    for (const node of order) {
      let card = this.cards.get(node.id);
      if (!card) {
        card = this.build(node);
        this.cards.set(node.id, card);
      }
      if (card.root.parentNode !== container) container.append(card.root);
      card.root.hidden = !this.visible(node);
      if (!card.root.hidden) this.update(card, node, now);
      chips.push(el('button', {
        type: 'button',
        className: 'chip' + (this.hidden.has(node.id) ? ' off' : '') + (node.online ? '' : ' chip-offline'),
        title: (node.online ? 'online' : 'offline') + ' · click to show or hide',
        dataset: { node: node.name },
        onclick: () => { this.hidden.has(node.id) ? this.hidden.delete(node.id) : this.hidden.add(node.id); this.render(); },
      }, node.name));
    }
    for (const [id, card] of this.cards) {
      if (!this.model.nodes.has(id)) { card.root.remove(); this.cards.delete(id); }
    }
    fillIfChanged(byId('node-chips'), JSON.stringify(order.map((n) => [n.name, n.online, this.hidden.has(n.id)])),
      () => chips);
  }

  build(node) {
    const c = {};
    c.name = el('h3', { className: 'node-name' });
    c.online = el('span', { className: 'badge' });
    c.agreement = el('span', { className: 'badge' });
    c.id = el('code', { className: 'muted small' });
    c.balance = el('span', { className: 'balance' });
    c.state = el('code', { className: 'small' });
    c.reading = el('span', { className: 'reading' });
    c.spark = el('canvas', { className: 'spark', width: 120, height: 28 });
    c.purchases = el('ul', { className: 'purchases' });
    c.picker = el('select', { className: 'picker', title: 'contract to buy' });
    c.buy = el('button', { type: 'button', className: 'buy', onclick: () => this.actions.buy(node.id, c.picker.value) }, 'Buy');
    c.root = el('article', { className: 'node', dataset: { node: node.name, id: node.id } },
      el('div', { className: 'node-head' }, c.name, c.online, c.agreement),
      c.id,
      el('div', { className: 'row' }, c.balance, el('span', { className: 'muted' }, ' DCoin')),
      el('div', { className: 'row small' }, el('span', { className: 'muted' }, 'state '), c.state),
      el('div', { className: 'row' }, el('span', { className: 'muted small' }, 'reading '), c.reading, c.spark),
      c.purchases,
      el('div', { className: 'row buy-row' }, c.picker, c.buy));
    return c;
  }

  update(c, node, now) {
    c.name.textContent = node.name;
    c.name.title = node.id;
    c.online.textContent = node.online ? 'online' : 'offline';
    c.online.className = 'badge ' + (node.online ? 'ok' : 'bad');
    const agreement = this.model.agreement(node.id, now);
    c.agreement.textContent = { agrees: 'digest agrees', checking: 'digest differs?', diverges: 'DIVERGES',
      unknown: 'digest ?' }[agreement];
    c.agreement.className = 'badge agreement-' + agreement;
    c.agreement.title = 'checkpoint digest ' + text(node.ledgerDigest) + (this.model.majorityDigest
      ? '\nmajority ' + this.model.majorityDigest : '');
    c.root.classList.toggle('diverging', agreement === 'diverges');
    c.root.classList.toggle('offline', !node.online);
    c.id.textContent = short(node.id, 16);
    c.id.title = node.id;
    c.balance.textContent = dcoin(node.balance);
    c.state.textContent = short(node.state);
    c.state.title = node.state ? 'state ' + node.state : 'no state yet';
    c.reading.textContent = reading(node.lastReading ?? node.readings?.at(-1));
    sparkline(c.spark, (node.readings || []).map((r) => r.value / 1000));
    this.updatePicker(c);
    const purchases = node.purchases || [];
    const key = JSON.stringify(purchases.map((p) => [p.purchase, p.state, p.missingUnits, p.request,
      p.request ? this.model.finalityProblem(p.request, now) : null, this.model.requests.get(p.request)?.voters.size]));
    const head = purchases.find((p) => p.state === 'waiting');
    fillIfChanged(c.purchases, key, () => purchases.map((p) => this.purchase(node, p, now, head)));
  }

  updatePicker(c) {
    const names = this.model.contracts.map((k) => k.name);
    const have = [...c.picker.options].map((o) => o.value);
    if (names.join('\n') === have.join('\n')) return;
    const chosen = c.picker.value;
    fill(c.picker, this.model.contracts.map((k) => el('option', { value: k.name }, `${k.name} (${k.price} DCoin)`)));
    if (names.includes(chosen)) c.picker.value = chosen;
  }

  /** One purchase; only the queue's first waiting one knows what is missing (the node computes it for that one). */
  purchase(node, p, now, head) {
    const price = typeof p.price === 'number' ? p.price : null;
    const title = el('span', {}, `#${text(p.purchase)} ${text(p.contract)} `);
    if (p.state === 'waiting') {
      const missing = typeof p.missingUnits === 'number' ? p.missingUnits / this.model.rate : null;
      const have = price !== null && missing !== null ? Math.max(0, price - missing) : null;
      return el('li', { className: 'purchase waiting', dataset: { purchase: String(p.purchase), state: 'waiting' } },
        title, el('span', { className: 'badge warn' }, 'waiting for funds'), ' ',
        el('span', { className: 'funds' }, p === head ? `${dcoin(have)} / ${dcoin(price)} DCoin`
          : `queued after #${text(head.purchase)}`),
        el('button', { type: 'button', className: 'cancel', onclick: () => this.actions.cancel(node.id, p.purchase) },
          'Cancel'));
    }
    const problem = p.request ? this.model.finalityProblem(p.request, now) : null;
    const r = p.request ? this.model.requests.get(p.request) : null;
    return el('li', { className: 'purchase published', dataset: { purchase: String(p.purchase), state: text(p.state) } },
      title, el('span', { className: 'badge info' }, text(p.state)),
      r ? el('span', { className: 'muted small' }, ` votes ${r.voters.size} (${Math.max(0, this.model.quorum - 1)} needed)`) : null,
      problem ? el('div', { className: 'problem' }, problem) : null);
  }
}
