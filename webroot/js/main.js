// Entry point: checks the login, then wires the model, the views and the live connection.

import { el, byId, fillIfChanged } from './dom.js';
import { Model } from './model.js';
import { NodeViews } from './nodes.js';
import { renderPanels } from './panels.js';
import { Charts } from './charts.js';
import { Connection } from './connection.js';

const model = new Model();
let connection;
let scheduled = false;

function toast(text, kind = 'info') {
  const box = el('div', { className: 'toast ' + kind }, text);
  byId('toasts').append(box);
  setTimeout(() => box.remove(), kind === 'error' ? 12_000 : 6_000);
}

function status(kind, text) {
  const c = byId('connection');
  c.textContent = text;
  c.className = 'conn conn-' + kind;
  c.dataset.state = kind;
}

const actions = {
  async buy(node, contract) {
    try {
      const p = await connection.request('buy', { node, contract });
      model.applyPurchaseReply(p);
      toast(`${p.nodeName}: purchase #${p.purchase} of ${p.contract} is ${p.state}`);
      schedule();
    } catch (e) {
      toast('Buy failed: ' + e.message, 'error');
    }
  },
  async cancel(node, purchase) {
    try {
      const p = await connection.request('cancel', { node, purchase });
      model.applyPurchaseReply(p);
      toast(`${p.nodeName}: purchase #${p.purchase} ${p.state}`);
      schedule();
    } catch (e) {
      toast('Cancel failed: ' + e.message, 'error');
    }
  },
};

const views = new NodeViews(model, actions);
const charts = new Charts(model);

function render() {
  scheduled = false;
  const now = Date.now();
  byId('net').textContent = model.net ? 'network ' + model.net : '';
  byId('summary').textContent = model.loaded
    ? `${model.nodes.size} nodes, ${model.onlineCount()} online, quorum ${model.quorum}` : '';
  const diverging = model.diverging(now);
  fillIfChanged(byId('alerts'), JSON.stringify(diverging), () => diverging.map((name) => el('div',
    { className: 'alert', dataset: { node: name } }, `${name} DIVERGES: its ledger differs from the majority's (checkpoint digest),`
    + ' so its balances and purchases cannot be trusted')));
  views.render(now);
  renderPanels(model, now);
  charts.render(now);
}

/** Draws at most about four times a second however fast events arrive. */
function schedule() {
  if (!scheduled) {
    scheduled = true;
    setTimeout(() => requestAnimationFrame(render), 250);
  }
}

async function main() {
  const r = await fetch('/api/session', { credentials: 'same-origin', cache: 'no-store' });
  if (r.status === 401) {
    location.assign('/login.html');
    return;
  }
  const session = await r.json();
  connection = new Connection(session, {
    onState: (s, resync) => { model.applyState(s, resync); schedule(); },
    onEvent: (e) => { if (model.applyEvent(e)) schedule(); },
    onStatus: status,
    onRefused: (why) => toast('The server refused a message: ' + why, 'error'),
  });
  connection.start();
  setInterval(() => { if (model.loaded) { model.sampleBalances(); schedule(); } }, 2_000);
}

main().catch((e) => status('offline', 'failed to start: ' + e.message));
