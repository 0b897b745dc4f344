#!/usr/bin/env bash
# Viewer loading benchmark (issue 8, "Performance"; prints numbers, asserts nothing about time): in headless Chromium
# (Debian's /usr/bin/chromium driven by Python playwright; SwiftShader WebGL2), with the network emulated through CDP
# (Network.emulateNetworkConditions: 30 Mbit/s down with 20 ms RTT, then 10 Mbit/s with 60 ms; upload unthrottled):
#
#   1. ours: `mi-server demo` (temporary data folder, free ports, the web client from this tree's
#      Sources/mi-server/Resources/web). The demo doctor logs in through the PKCE login page (unthrottled), the
#      browser cache is cleared, then the clock starts with the navigation to /studies/{uid} of the demo's 240-slice
#      chest CT. First image = the viewer's `mi-viewer:first-image` performance mark (viewer.js: the first frame of
#      the series drawn from its own pixels, on screen; ours are the original values, lossless; the viewer's first
#      image is a 2D-canvas preview with the shader's math, viewer/preview.js, until WebGL draws); whole series = its
#      `mi-viewer:series-loaded` mark (all 240 frames fetched and decoded in the workers). The decode workers'
#      requests are throttled and counted too (the page auto-attaches to them: page-level emulation misses them).
#   2. Orthanc's web viewer: Debian's `orthanc` + `orthanc-webviewer` (installed when missing) as a child process with
#      its own config in the temporary folder (free HTTP and DICOM ports, its own storage, the plugin, no auth,
#      TCP_NODELAY), fed the same 240 files (GET /api/v1/instances/{uid}/file from the demo, POST /instances), and
#      /web-viewer/app/viewer.html?series=ID opened under the same emulation. First image = the first animation
#      frame after cornerstone.displayImage in which its canvas has non-black pixels (its default jpeg95: lossy).
#      Its viewer fetches an image only when it is shown (synchronous XHR per slice; the plugin's prefetching fills
#      a server-side cache, not the browser), so "whole series" = scrolling through every slice as fast as it
#      lets a user (a wheel event per slice through its own handler, each image's pixels decoded before the next).
#      One unmeasured warm-up run of each viewer first, so Orthanc's JPEG cache is warm (its favourable case).
#   3. window/level drag (Orthanc stopped first: its plugin keeps working on its server after the runs): the W/L
#      tool dragged for ~3 s at 1440x900 on the loaded series; frames per second = frames
#      the viewer drew (the canvas' data-frames-drawn) / elapsed. The drag is driven inside the page (a mouse
#      pointermove every animation frame, as a real mouse's moves arrive coalesced per frame); the same drag through
#      playwright's mouse is shown beside it, but CDP's Input.dispatchMouseEvent waits for each move's ack, so that
#      number is bounded by the driver's round trip.
#
# Each measured run has a fresh browser context and cache; the table shows medians of RUNS runs: first image ours
# vs Orthanc (goal ratio <= 0.6), whole series vs bytes on the wire / bandwidth (bytes = CDP Network.loadingFinished
# encodedDataLength over the page and its workers; goal <= 1.3), W/L frames per second (goal >= 50), and the load
# average (the machine is shared: timings are noisy).
#
# Usage: Scripts/bench-viewer-load.sh [RUNS]           (default 3)
# Environment: MI_SERVER (a release mi-server; default .build/release/mi-server), PY (a Python with playwright;
#   default /work/main/.venv-test/bin/python, else python3), PROFILES (default 30:20,10:60 as Mbit/s:RTT ms),
#   JSON=FILE (raw numbers), SKIP_ORTHANC=1, KEEP=1 (keep the temporary folder), TLS=1 (ours over HTTPS with a
#   self-signed certificate, so HTTP/2 as a deployment serves it; Orthanc's web viewer stays on HTTP/1.1, which is
#   all its server speaks), MI_WEB_ROOT (serve another copy of the web client, e.g. an older revision's:
#   `git archive REV Sources/mi-server/Resources/web | tar -x -C DIR`, then MI_WEB_ROOT=DIR/Sources/mi-server/Resources/web,
#   to compare two clients on the same server; SKIP_ORTHANC=1 then skips the peer), FLOOR=1 (also time a bare page
#   at our origin that only loads the series, in the same decode workers and batches as the viewer after its first
#   image: the floor of "whole series" for this transport and emulation, which no page can beat). Never
#   `playwright install`.
# Exit status: 0 when it measured; non-zero when something failed to load (a server, a page, an image).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
server=${MI_SERVER:-.build/release/mi-server}
[ -x "$server" ] || { echo "no mi-server at $server: swift build -c release --product mi-server, or set MI_SERVER" >&2; exit 2; }
py=${PY:-/work/main/.venv-test/bin/python}
[ -x "$py" ] || py=python3
"$py" -c 'import playwright' 2>/dev/null || { echo "$py has no playwright: $py -m pip install playwright (the driver only)" >&2; exit 2; }
[ -x /usr/bin/chromium ] || DEBIAN_FRONTEND=noninteractive apt-get install -y chromium >/dev/null
if [ "${SKIP_ORTHANC:-0}" != 1 ] && { ! command -v Orthanc >/dev/null || [ ! -e /usr/share/orthanc/plugins/libOrthancWebViewer.so ]; }; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y orthanc orthanc-webviewer >/dev/null
fi
args=(--server "$server" --runs "$runs" --profiles "${PROFILES:-30:20,10:60}")
[ -n "${JSON:-}" ] && args+=(--json "$JSON")
[ "${SKIP_ORTHANC:-0}" = 1 ] && args+=(--skip-orthanc)
[ "${KEEP:-0}" = 1 ] && args+=(--keep)
[ "${TLS:-0}" = 1 ] && args+=(--tls)
[ "${FLOOR:-0}" = 1 ] && args+=(--floor)
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
"$py" Scripts/viewer-load.py "${args[@]}"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
