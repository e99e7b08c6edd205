// The three charts (uPlot, vendored): balances per node over time, finality latency over
// time, purchases per minute. Rebuilt when the set of nodes changes, data set otherwise.

import uPlot from '../vendor/uplot/uPlot.esm.js';
import { byId } from './dom.js';

const HEIGHT = 180;
const WINDOW_S = 600; // the time charts show the last 10 minutes

/** A sliding x range ending now, so one or two points do not stretch the axis over years. */
const lastMinutes = () => {
  const now = Date.now() / 1000;
  return [now - WINDOW_S, now];
};

function color(i, n) {
  return `hsl(${Math.round((360 * i) / Math.max(n, 1))}, 65%, 45%)`;
}

function width(id) {
  return Math.max(200, byId(id).clientWidth - 8);
}

export class Charts {
  constructor(model) {
    this.model = model;
    this.nodeKey = '';
    this.balances = null;
    this.latency = this.make('chart-latency', [{}, { label: 'ms', stroke: '#c0392b', width: 0,
      points: { show: true, size: 6, fill: '#c0392b' } }], true, lastMinutes);
    this.rate = this.make('chart-rate', [{}, { label: 'per minute', stroke: '#2b7bb9', fill: 'rgba(43,123,185,0.35)',
      paths: uPlot.paths.bars({ size: [0.8, 40] }), points: { show: false } }]);
    new ResizeObserver(() => this.resize()).observe(byId('chart-rate'));
  }

  make(id, series, legend = true, range = undefined) {
    const el = byId(id);
    el.replaceChildren();
    return new uPlot({ width: width(id), height: HEIGHT, series, legend: { show: legend },
      scales: { x: { time: true, range } }, axes: [{}, { size: 50 }] }, series.map(() => []), el);
  }

  resize() {
    for (const [chart, id] of [[this.balances, 'chart-balances'], [this.latency, 'chart-latency'], [this.rate, 'chart-rate']]) {
      if (chart) chart.setSize({ width: width(id), height: HEIGHT });
    }
  }

  render(now = Date.now()) {
    const m = this.model;
    const ids = [...m.nodes.keys()];
    const key = ids.join(',');
    if (key !== this.nodeKey) {
      this.nodeKey = key;
      this.balances?.destroy();
      const series = [{}, ...ids.map((id, i) => ({ label: m.name(id), stroke: color(i, ids.length), width: 1.5 }))];
      this.balances = this.make('chart-balances', series, ids.length <= 12, lastMinutes);
    }
    const hist = m.balanceHistory;
    this.balances.setData([hist.map((s) => s.t / 1000), ...ids.map((id) => hist.map((s) => s.values.get(id) ?? null))]);
    const lat = m.latencyHistory.slice(-200);
    this.latency.setData([lat.map((p) => p.t / 1000), lat.map((p) => p.ms)]);
    const minutes = [];
    const counts = [];
    const end = Math.floor(now / 60_000);
    for (let k = end - 29; k <= end; k++) { minutes.push(k * 60); counts.push(0); }
    for (const t of m.finalTimes) {
      const k = Math.floor(t / 60_000) - (end - 29);
      if (k >= 0 && k < counts.length) counts[k]++;
    }
    this.rate.setData([minutes, counts]);
  }
}
