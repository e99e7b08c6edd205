// Formatting of network values for display (numbers and hashes; text stays text).

/** 2.4 → "2.4"; at most 3 decimals, no trailing zeros. */
export function dcoin(value) {
  if (typeof value !== 'number' || !Number.isFinite(value)) return '—';
  return String(Math.round(value * 1000) / 1000);
}

/** Units to DCoin at the network's rate. */
export const units = (u, rate) => (typeof u === 'number' && rate > 0 ? u / rate : null);

/** An abridged hash: the first 10 hex digits and an ellipsis (the full one goes in a title). */
export function short(hash, n = 10) {
  return typeof hash === 'string' && hash.length > n ? hash.slice(0, n) + '…' : (hash ?? '—');
}

/** A sensor reading in milli-units. */
export function reading(r) {
  return r && typeof r.value === 'number' ? (r.value / 1000).toFixed(1) : '—';
}

export function clock(ms) {
  return new Date(ms).toLocaleTimeString([], { hour12: false });
}

/** Plain text only: anything that is not a string or a number shows as '?'. */
export function text(v) {
  return typeof v === 'string' || typeof v === 'number' ? String(v) : '?';
}
