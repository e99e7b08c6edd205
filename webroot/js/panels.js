// The live lists: pending requests with their votes, finality, contract results, rejected
// messages, misbehaviour evidence and the catalogue. Re-drawn from the model each time.

import { el, fillIfChanged, byId } from './dom.js';
import { dcoin, short, text, clock } from './format.js';

const SHOWN = 20;

export function renderPanels(model, now = Date.now()) {
  const requests = model.pendingRequests(now).slice(0, SHOWN);
  show('pending', [requests.map((r) => [r.request, [...r.voters], r.final, model.finality(r.request)?.ms,
    model.finalityProblem(r.request, now)]), model.quorum],
  () => listOr(requests.map((r) => pending(model, r, now)), 'no request in flight'));
  const finals = model.finalized.slice(0, SHOWN);
  show('finality', finals.map((f) => [f.request, Object.keys(f.latencyMs || {}).length, f.voters]),
    () => listOr(finals.map((f) => finality(model, f)), 'nothing final yet'));
  const results = model.results.slice(0, SHOWN);
  show('results', results, () => listOr(results.map(result), 'no contract has run yet'));
  const rejections = model.rejections.slice(0, SHOWN);
  show('rejections', rejections, () => listOr(rejections.map((r) => rejection(model, r)), 'none'));
  const evidence = model.misbehaviour.slice(0, SHOWN);
  show('misbehaviour', evidence, () => listOr(evidence.map(misbehaviour), 'none'));
  show('catalogue', model.contracts, () => model.contracts.map((c) => el('li', { className: 'contract' },
    el('strong', {}, text(c.name)), ` · ${text(c.price)} DCoin`,
    el('div', { className: 'muted small description' }, text(c.description || '')))));
}

function show(id, keyData, build) {
  fillIfChanged(byId(id), JSON.stringify(keyData), build);
}

function listOr(items, empty) {
  return items.length ? items : [el('li', { className: 'muted empty' }, empty)];
}

/**
 * A request with the members who voted for it. In a healthy network it is final before the
 * next redraw, so a final request stays here a few seconds, marked final with its latency.
 */
function pending(model, r, now) {
  const problem = model.finalityProblem(r.request, now);
  const voters = [...r.voters];
  const done = r.final ? model.finality(r.request) : null;
  const needed = Math.max(0, model.quorum - 1); // the buyer's request counts as its own vote
  return el('li', { className: 'request' + (r.final ? ' done' : ''), dataset: { request: text(r.request),
    state: r.final ? 'final' : 'pending' } },
    el('span', {}, `${text(r.buyerName)} buys ${text(r.contract)} (${text(r.price)} DCoin) `),
    el('code', { className: 'small', title: text(r.request) }, short(r.request)),
    r.final ? [' ', el('span', { className: 'badge ok' }, 'final' + (typeof done?.ms === 'number'
      ? ` in ${done.ms} ms` : ''))] : null,
    el('div', { className: 'votes' }, `votes ${voters.length} (${needed} needed): `,
      voters.length ? voters.map((v) => el('span', { className: 'voter' }, text(v))) : el('span', { className: 'muted' }, 'none yet')),
    done?.f ? el('div', { className: 'muted small change' }, changeText(model, done.f)) : null,
    problem ? el('div', { className: 'problem' }, problem) : null);
}

function changeText(model, f) {
  const before = typeof f.balanceBeforeDcoin === 'number' ? f.balanceBeforeDcoin : f.balanceBefore / model.rate;
  const after = typeof f.balanceAfterDcoin === 'number' ? f.balanceAfterDcoin : f.balanceAfter / model.rate;
  return `${dcoin(before)} − ${dcoin(f.price)} = ${dcoin(after)} DCoin`;
}

function finality(model, f) {
  const before = typeof f.balanceBeforeDcoin === 'number' ? f.balanceBeforeDcoin : f.balanceBefore / model.rate;
  const after = typeof f.balanceAfterDcoin === 'number' ? f.balanceAfterDcoin : f.balanceAfter / model.rate;
  const latencies = Object.entries(f.latencyMs || {}).map(([name, ms]) => `${name} ${text(ms)} ms`);
  return el('li', { className: 'final', dataset: { request: text(f.request), buyer: text(f.buyerName),
    contract: text(f.contract), before: String(before), price: String(f.price), after: String(after) } },
    el('span', { className: 'time muted small' }, f.time ? clock(f.time) + ' ' : ''),
    el('strong', {}, text(f.buyerName)), ` ${text(f.contract)}: `,
    el('span', { className: 'change' }, `${dcoin(before)} − ${dcoin(f.price)} = ${dcoin(after)} DCoin`),
    el('div', { className: 'muted small voters' }, 'voters ' + (f.voters || []).map(text).join(', ')),
    el('div', { className: 'muted small latency' }, latencies.length ? 'latency ' + latencies.join(', ') : ''));
}

function result(c) {
  const ok = c.status === 'succeeded' || c.status === 'success';
  return el('li', { className: 'result', dataset: { status: text(c.status), contract: text(c.contract) } },
    el('strong', {}, text(c.nodeName)), ` ${text(c.contract)} #${text(c.purchase)} `,
    el('span', { className: 'badge ' + (ok ? 'ok' : 'bad') }, text(c.status)),
    typeof c.durationMs === 'number' ? el('span', { className: 'muted small' }, ` ${c.durationMs} ms`) : null,
    c.output ? el('pre', { className: 'output' }, text(c.output).slice(-400)) : null);
}

function rejection(model, r) {
  return el('li', { className: 'rejection' },
    el('strong', {}, text(r.nodeName)), ' rejected ', text(r.messageType ?? 'a message'),
    r.author ? [' from ', el('code', { title: text(r.author) }, model.nodes.has(r.author) ? model.name(r.author) : short(r.author))] : null,
    ': ', el('span', { className: 'badge bad' }, text(r.reason)),
    r.detail ? el('div', { className: 'muted small detail' }, text(r.detail)) : null);
}

function misbehaviour(m) {
  return el('li', { className: 'misbehaviour' },
    el('span', { className: 'badge bad' }, text(m.kind)), ' by ',
    el('strong', { title: text(m.offender) }, text(m.offenderName ?? short(m.offender))), ', seen by ', text(m.nodeName));
}
