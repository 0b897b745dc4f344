// @ts-check
/**
 * A small element builder, so pages read as their structure. Text goes in as text nodes (never as HTML), so
 * patient names and server messages cannot inject markup.
 *
 * ```js
 * h('button', { class: 'chip', testid: 'sort-date', onclick: () => sortBy('date') }, t('sort.date'))
 * ```
 */

/**
 * @typedef {Record<string, unknown>} Attrs
 * `class`, `testid` (→ data-testid), `dataset`, `style` (an object, set through the CSSOM), `on<event>`
 * handlers, boolean attributes (`disabled: true`), anything else as an attribute or property.
 */

/** @typedef {Node | string | number | null | undefined | false} Child */

/**
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Attrs | null} [attrs]
 * @param {...(Child | Child[])} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'class') el.className = String(v);
      else if (k === 'testid') el.dataset.testid = String(v);
      else if (k === 'dataset') Object.assign(el.dataset, v);
      else if (k === 'style' && typeof v === 'object') for (const [p, s] of Object.entries(/** @type {Record<string, string>} */ (v))) el.style.setProperty(p, s);
      else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), /** @type {EventListener} */ (v));
      else if (k === 'value' || k === 'checked' || k === 'selected') /** @type {any} */ (el)[k] = v;
      else if (v === true) el.setAttribute(k, '');
      else el.setAttribute(k, String(v));
    }
  }
  append(el, children);
  return el;
}

/**
 * @param {Element} el
 * @param {Array<Child | Child[]>} children
 */
export function append(el, children) {
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  }
}

/**
 * Replaces an element's children.
 * @param {Element} el
 * @param {...(Child | Child[])} children
 */
export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
}

const SVG = 'http://www.w3.org/2000/svg';

/**
 * An inline SVG icon from path data (24×24 box, stroked with currentColor).
 * @param {string} paths `d` strings separated by `|`; a string starting with `c:` is a circle `cx,cy,r`
 * @param {{ fill?: boolean, size?: number }} [options]
 */
export function icon(paths, options = {}) {
  const svg = document.createElementNS(SVG, 'svg');
  const size = String(options.size ?? 22);
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('width', size);
  svg.setAttribute('height', size);
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('fill', options.fill ? 'currentColor' : 'none');
  svg.setAttribute('stroke', 'currentColor');
  svg.setAttribute('stroke-width', '1.8');
  svg.setAttribute('stroke-linecap', 'round');
  svg.setAttribute('stroke-linejoin', 'round');
  for (const part of paths.split('|')) {
    if (part.startsWith('c:')) {
      const [cx, cy, r] = part.slice(2).split(',');
      const c = document.createElementNS(SVG, 'circle');
      c.setAttribute('cx', cx); c.setAttribute('cy', cy); c.setAttribute('r', r);
      svg.appendChild(c);
    } else {
      const p = document.createElementNS(SVG, 'path');
      p.setAttribute('d', part);
      svg.appendChild(p);
    }
  }
  return svg;
}
