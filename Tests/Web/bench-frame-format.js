// @ts-check
// Decode time of MIF1 frames in Node (the same code the decode worker runs), and what prediction does to the
// gzip size the HTTP layer sends. "bytes" is what the browser inflates and copies to the page; packed is MIF1's
// packed payload (`Accept: …; packing=1`). `node Tests/Web/bench-frame-format.js [iterations]`.
import { gzipSync } from 'node:zlib';
import { decodeFrame } from '../../Sources/mi-server/Resources/web/viewer/frame-format.js';
import { encodeFrame } from '../../Sources/mi-server/Resources/web/viewer/dev/mif1-encoder.js';
import { phantomSlice, SIZE } from '../../Sources/mi-server/Resources/web/viewer/dev/phantom.js';

const iterations = Number(process.argv[2] ?? 300);

// The phantom has large flat regions; the second run adds uniform noise (±20 HU, no spatial correlation — harder
// than real CT for prediction) so that the numbers are not flattered by them.
const data = phantomSlice(0);
const flat = { columns: SIZE, rows: SIZE, bytesPerSample: /** @type {const} */ (2), samplesPerPixel: /** @type {const} */ (1), signed: true, data: data.slice() };
console.log(`${SIZE}x${SIZE} signed 16-bit CT phantom, ${iterations} iterations, Node ${process.version}`);
bench('flat, packed       ', encodeFrame(flat, { packed: true }));
bench('flat, predicted    ', encodeFrame(flat, { predicted: true }));
bench('flat, unpredicted  ', encodeFrame(flat, { predicted: false }));
let seed = 1;
for (let i = 0; i < data.length; i++) { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; data[i] += ((seed >>> 16) % 41) - 20; }

/** @param {string} label @param {Uint8Array} bytes */
function bench(label, bytes) {
  for (let i = 0; i < 30; i++) decodeFrame(bytes);  // warm-up: let the JIT compile the loops
  const times = [];
  for (let i = 0; i < iterations; i++) {
    const t0 = performance.now();
    decodeFrame(bytes);
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)], p95 = times[Math.floor(times.length * 0.95)];
  const gz = gzipSync(bytes, { level: 6 }).length;
  console.log(`${label}: decode median ${median.toFixed(3)} ms, p95 ${p95.toFixed(3)} ms; ${bytes.length} bytes, gzip -6 ${gz} bytes (${(100 * gz / bytes.length).toFixed(1)}%)`);
}

const noisy = { ...flat, data };
bench('noisy, packed      ', encodeFrame(noisy, { packed: true }));
bench('noisy, predicted   ', encodeFrame(noisy, { predicted: true }));
bench('noisy, unpredicted ', encodeFrame(noisy, { predicted: false }));
