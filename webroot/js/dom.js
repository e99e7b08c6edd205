// Builds elements without ever parsing HTML: every string becomes a text node or a
// property value, so a network-sourced string is shown as text, never as markup.

/**
 * el('li', {className: 'x', title: full, dataset: {id}}, 'text', child, ...)
 * Props are assigned as DOM properties (className, title, value, type, disabled, hidden, ...);
 * on* props must be functions. Children: strings (as text), nodes, or null (skipped).
 */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value === undefined || value === null) continue;
    if (key === 'dataset') Object.assign(node.dataset, value);
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else node[key] = value;
  }
  append(node, children);
  return node;
}

function append(node, children) {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replaces the children of `node` (strings as text). */
export function fill(node, ...children) {
  node.replaceChildren();
  append(node, children);
}

export const byId = (id) => document.getElementById(id);

const keys = new WeakMap();

/**
 * Like fill(), but only when `key` (a string describing the content) changed since the last
 * call for this node: a button is not replaced under the operator's pointer for nothing.
 */
export function fillIfChanged(node, key, build) {
  if (keys.get(node) === key) return;
  keys.set(node, key);
  fill(node, build());
}
