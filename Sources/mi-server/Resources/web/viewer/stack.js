// @ts-check
/**
 * A series as the viewer steps through it: one item per frame, instances in Instance Number order and
 * multi-frame instances expanded. An enhanced multi-frame instance whose functional groups differ between
 * frames lists them in `frames`; each frame's item then carries that frame's rescale, windows, spacing and
 * plane in place of the instance-level values (frame 1's), so the probe, the window presets, measurements and
 * the corners all read the frame they show.
 */

/** @typedef {import('./viewer.js').InstanceMeta} InstanceMeta */
/** @typedef {{ instance: InstanceMeta, frameNumber: number, key: string }} StackItem */

/**
 * @param {InstanceMeta[]} instances
 * @returns {StackItem[]}
 */
export function seriesStack(instances) {
  const sorted = [...instances].sort((a, b) => (a.instanceNumber ?? 0) - (b.instanceNumber ?? 0));
  /** @type {StackItem[]} */
  const stack = [];
  for (const instance of sorted) {
    const frames = Math.max(1, instance.numberOfFrames ?? 1);
    const perFrame = Array.isArray(instance.frames) && instance.frames.length === frames ? instance.frames : null;
    for (let n = 1; n <= frames; n++) {
      const own = perFrame?.[n - 1];
      stack.push({ instance: own ? { ...instance, ...own } : instance, frameNumber: n, key: `${instance.sopInstanceUID}/${n}` });
    }
  }
  return stack;
}
