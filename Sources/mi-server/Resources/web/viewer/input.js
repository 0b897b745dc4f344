// @ts-check
/**
 * Pointer, touch, wheel and keyboard input turned into gestures, independent of what they do:
 *
 * - one pointer (mouse button, finger or pen): `dragStart` / `dragMove` / `dragEnd`, with the button;
 * - a second finger: the one-finger drag is cancelled (`dragCancel`) and a two-finger `pinch` reports, per move,
 *   the scale change and the centroid's movement (zoom and pan together, as maps do);
 * - `wheel` with pixel deltas (line and page modes converted) and whether it is a pinch (ctrlKey: Chrome and
 *   Firefox report trackpad pinches so; Safari's trackpad `gesture*` events are turned into `pinch` here);
 * - `doubleTap` (double click, or two taps within 300 ms and 30 px);
 * - `key` for keydown when the element has focus.
 *
 * Pointer Events and `touch-action: none` cover iOS Safari 13+ and every desktop browser the platform supports.
 * Coordinates are CSS pixels relative to the element's top-left corner.
 */

/**
 * @typedef {object} PointerInfo
 * @property {number} x
 * @property {number} y
 * @property {number} button 0 primary (left, finger, pen), 1 middle, 2 secondary
 * @property {string} pointerType 'mouse' | 'touch' | 'pen'
 * @property {boolean} shiftKey
 * @property {boolean} ctrlKey
 * @property {boolean} altKey
 * @property {boolean} metaKey
 */

/**
 * @typedef {object} GestureHandlers
 * @property {(e: PointerInfo) => void} [dragStart]
 * @property {(e: PointerInfo) => void} [dragMove]
 * @property {(e: PointerInfo) => void} [dragEnd]
 * @property {() => void} [dragCancel]
 * @property {(e: { scale: number, x: number, y: number, dx: number, dy: number }) => void} [pinch]
 * @property {(e: { deltaX: number, deltaY: number, x: number, y: number, pinch: boolean, shiftKey: boolean }) => void} [wheel]
 * @property {(e: PointerInfo) => void} [doubleTap]
 * @property {(e: KeyboardEvent) => void} [key]
 */

const TAP_MS = 300, TAP_PX = 30;

/**
 * Listens on `element` and calls `handlers`; returns a function that stops listening.
 * @param {HTMLElement} element
 * @param {GestureHandlers} handlers
 * @returns {() => void}
 */
export function attachInput(element, handlers) {
  element.style.setProperty('touch-action', 'none');
  element.style.setProperty('user-select', 'none');
  element.style.setProperty('-webkit-user-select', 'none');
  element.style.setProperty('-webkit-touch-callout', 'none');
  if (!element.hasAttribute('tabindex')) element.tabIndex = 0;

  /** @type {Map<number, { x: number, y: number }>} */
  const pointers = new Map();
  /** @type {number | null} the pointer driving a one-pointer drag */
  let dragPointer = null;
  /** @type {{ distance: number, x: number, y: number } | null} */
  let pinch = null;
  /** @type {{ t: number, x: number, y: number } | null} */
  let lastTap = null;
  /** @type {{ t: number, x: number, y: number } | null} */
  let downAt = null;

  /** @type {DOMRect | null} the element's box while pointers are down (it does not move during a gesture) */
  let box = null;
  /** @param {MouseEvent} e @returns {[number, number]} */
  const local = (e) => {
    // Reading the box forces a layout when the page changed since the last frame (a drag changes the overlay every
    // frame), so a gesture reads it once, at its first pointer.
    const r = box ?? element.getBoundingClientRect();
    return [e.clientX - r.left, e.clientY - r.top];
  };
  /** @param {PointerEvent} e @returns {PointerInfo} */
  const info = (e) => {
    const [x, y] = local(e);
    return { x, y, button: e.pointerType === 'mouse' ? e.button : 0, pointerType: e.pointerType, shiftKey: e.shiftKey, ctrlKey: e.ctrlKey, altKey: e.altKey, metaKey: e.metaKey };
  };
  const pinchState = () => {
    const [a, b] = [...pointers.values()];
    return { distance: Math.max(1, Math.hypot(a.x - b.x, a.y - b.y)), x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 };
  };

  /** @param {PointerEvent} e */
  const down = (e) => {
    if (e.pointerType === 'mouse' && e.button > 2) return;
    e.preventDefault();
    element.focus({ preventScroll: true });
    try { element.setPointerCapture(e.pointerId); } catch { /* the pointer is already gone */ }
    if (pointers.size === 0) box = element.getBoundingClientRect();
    const [x, y] = local(e);
    pointers.set(e.pointerId, { x, y });
    if (pointers.size === 1) {
      dragPointer = e.pointerId;
      downAt = { t: e.timeStamp, x, y };
      handlers.dragStart?.(info(e));
    } else if (pointers.size === 2) {
      if (dragPointer !== null) { handlers.dragCancel?.(); dragPointer = null; }
      pinch = pinchState();
    }
  };

  /** @param {PointerEvent} e */
  const move = (e) => {
    if (!pointers.has(e.pointerId)) return;
    const [x, y] = local(e);
    pointers.set(e.pointerId, { x, y });
    if (pinch && pointers.size >= 2) {
      const now = pinchState();
      handlers.pinch?.({ scale: now.distance / pinch.distance, x: now.x, y: now.y, dx: now.x - pinch.x, dy: now.y - pinch.y });
      pinch = now;
    } else if (dragPointer === e.pointerId) {
      handlers.dragMove?.(info(e));
    }
  };

  /** @param {PointerEvent} e */
  const up = (e) => {
    if (!pointers.has(e.pointerId)) return;
    pointers.delete(e.pointerId);
    if (dragPointer === e.pointerId) {
      dragPointer = null;
      if (e.type === 'pointercancel') handlers.dragCancel?.();
      else handlers.dragEnd?.(info(e));
      const [x, y] = local(e);
      // A short press that did not move is a tap; two of them make a double tap (touch and pen).
      if (e.pointerType !== 'mouse' && downAt && e.timeStamp - downAt.t < TAP_MS && Math.hypot(x - downAt.x, y - downAt.y) < TAP_PX) {
        if (lastTap && e.timeStamp - lastTap.t < TAP_MS && Math.hypot(x - lastTap.x, y - lastTap.y) < TAP_PX) {
          handlers.doubleTap?.(info(e));
          lastTap = null;
        } else {
          lastTap = { t: e.timeStamp, x, y };
        }
      }
    }
    // Lifting one finger of a pinch ends it; the remaining finger does nothing until it is lifted too, so that
    // the end of a pinch never turns into a window/level drag.
    if (pointers.size < 2) pinch = null;
    if (pointers.size === 0) box = null;
  };

  /** @param {WheelEvent} e */
  const wheel = (e) => {
    e.preventDefault();
    const unit = e.deltaMode === 1 ? 16 : e.deltaMode === 2 ? element.clientHeight : 1;
    const [x, y] = local(e);
    handlers.wheel?.({ deltaX: e.deltaX * unit, deltaY: e.deltaY * unit, x, y, pinch: e.ctrlKey, shiftKey: e.shiftKey });
  };

  /** @param {MouseEvent} e */
  const dblclick = (e) => {
    const [x, y] = local(e);
    handlers.doubleTap?.({ x, y, button: e.button, pointerType: 'mouse', shiftKey: e.shiftKey, ctrlKey: e.ctrlKey, altKey: e.altKey, metaKey: e.metaKey });
  };

  // Safari: trackpad pinches arrive as non-standard GestureEvents (scale since gesture start); on iOS they
  // duplicate the touch pointers, which are handled above, so only pinches without pointers count.
  let gestureScale = 1;
  /** @param {Event} e */
  const gestureStart = (e) => { e.preventDefault(); gestureScale = 1; };
  /** @param {Event} e */
  const gestureChange = (e) => {
    e.preventDefault();
    if (pointers.size > 0) return;
    const g = /** @type {Event & { scale: number, clientX: number, clientY: number }} */ (e);
    const r = element.getBoundingClientRect();
    handlers.pinch?.({ scale: g.scale / gestureScale, x: g.clientX - r.left, y: g.clientY - r.top, dx: 0, dy: 0 });
    gestureScale = g.scale;
  };

  /** @param {Event} e */
  const prevent = (e) => e.preventDefault();
  /** @param {KeyboardEvent} e */
  const key = (e) => handlers.key?.(e);

  /** @type {Array<[string, EventListener, AddEventListenerOptions?]>} */
  const listeners = [
    ['pointerdown', /** @type {EventListener} */ (down)],
    ['pointermove', /** @type {EventListener} */ (move)],
    ['pointerup', /** @type {EventListener} */ (up)],
    ['pointercancel', /** @type {EventListener} */ (up)],
    ['wheel', /** @type {EventListener} */ (wheel), { passive: false }],
    ['dblclick', /** @type {EventListener} */ (dblclick)],
    ['contextmenu', prevent],
    ['gesturestart', gestureStart],
    ['gesturechange', gestureChange],
    ['keydown', /** @type {EventListener} */ (key)],
  ];
  for (const [type, fn, options] of listeners) element.addEventListener(type, fn, options);
  return () => { for (const [type, fn, options] of listeners) element.removeEventListener(type, fn, options); };
}
