#!/usr/bin/env bash
# Storage SCP benchmark (not a timed test): 300 CT slices (512x512) pushed by DCMTK's storescu (no environment tweaks)
# to (a) our store-scp (fsync per instance) and (b) DCMTK's storescp with TCP_NODELAY=1; then our `mi-cli store` vs
# storescu as senders into storescp. Prints instances/s and the ratios.
# Usage: Scripts/bench-store-scp.sh [COUNT] [RUNS]   Environment: MI_CLI (a release mi-cli or net-bench), SCRATCH (scratch path).
# Without MI_CLI it builds the release `net-bench` product: the same SDK calls as mi-cli's store-scp and store commands
# (DicomServer + FileStorageHandler, DicomClient.store) with the same arguments, but only DicomNetwork's dependencies,
# so a cold release build takes minutes rather than the half hour PlatformServices' dependencies take on a busy machine.
set -eu
cd "$(dirname "$0")/.."
count=${1:-300}; runs=${2:-3}
command -v storescp >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y dcmtk >/dev/null
if [ -z "${MI_CLI:-}" ]; then
    scratch=(); [ -n "${SCRATCH:-}" ] && scratch=(--scratch-path "$SCRATCH")
    swift build "${scratch[@]}" -c release --product net-bench >/dev/null
    MI_CLI="$(swift build "${scratch[@]}" -c release --show-bin-path)/net-bench"
fi
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done; return 1; }
now() { date +%s.%N; }

python3 Scripts/make-ct-series.py "$work/ct" "$count" >/dev/null

ours=$(free_port); theirs=$(free_port)
"$MI_CLI" store-scp --aet MI-SCP --port "$ours" --host 127.0.0.1 --dir "$work/ours" 2>/dev/null & pids+=($!)
mkdir -p "$work/theirs"
TCP_NODELAY=1 storescp -aet DCMTK-SCP -od "$work/theirs" "$theirs" & pids+=($!)
wait_port "$ours"; wait_port "$theirs"

# Best of RUNS for each receiver, so a busy neighbour on the shared machine does not decide the ratio.
best() { # label, command...: prints the best instances/s
    local label=$1; shift; local best=0
    for _ in $(seq 1 "$runs"); do
        rm -rf "$work/ours"/* "$work/theirs"/* 2>/dev/null || true
        local t0; t0=$(now); "$@" >/dev/null 2>&1; local t1; t1=$(now)
        best=$(python3 -c "print(max($best, $count / ($t1 - $t0)))")
    done
    printf '%-52s %8.1f instances/s\n' "$label" "$best" >&2
    echo "$best"
}
a=$(best "storescu -> our store-scp (fsync each)" storescu -aec MI-SCP +sd 127.0.0.1 "$ours" "$work/ct")
test "$(ls "$work/ours" | wc -l)" -eq "$count" || { echo "our store-scp did not keep all $count instances"; exit 1; }
b=$(best "storescu -> DCMTK storescp (TCP_NODELAY=1)" storescu -aec DCMTK-SCP +sd 127.0.0.1 "$theirs" "$work/ct")
# The senders run interleaved (order flipped each round), so both meet the same receiver and neighbour; the ratio is
# the median of the per-round ratios. Scripts/bench-store-sender.sh does this with a steadier receiver and more detail.
rate() { # command...: prints instances/s of one run
    rm -rf "$work/theirs"/* 2>/dev/null || true
    local t0; t0=$(now); "$@" >/dev/null 2>&1; local t1; t1=$(now)
    python3 -c "print($count / ($t1 - $t0))"
}
ours_send() { rate "$MI_CLI" store 127.0.0.1 "$theirs" "$work/ct" --aec DCMTK-SCP --aet MI; }
their_send() { rate env TCP_NODELAY=1 storescu -aec DCMTK-SCP +sd 127.0.0.1 "$theirs" "$work/ct"; }
rounds=()
for r in $(seq 1 "$runs"); do
    if [ $((r % 2)) -eq 1 ]; then c=$(ours_send); d=$(their_send); else d=$(their_send); c=$(ours_send); fi
    rounds+=("$c $d")
done
sender=$(printf '%s\n' "${rounds[@]}" | python3 -c '
import statistics, sys
rows = [tuple(map(float, l.split())) for l in sys.stdin if l.strip()]
print(f"{max(r[0] for r in rows):.1f} {max(r[1] for r in rows):.1f} {statistics.median(r[0] / r[1] for r in rows):.2f}")')
read -r c d sender_ratio <<<"$sender"
printf '%-52s %8.1f instances/s\n' "mi-cli store -> DCMTK storescp (TCP_NODELAY=1)" "$c" >&2
printf '%-52s %8.1f instances/s\n' "TCP_NODELAY=1 storescu -> DCMTK storescp" "$d" >&2
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
python3 -c "print(f'receiver ratio (our store-scp / storescp): {$a / $b:.2f}x')"
echo "sender ratio (mi-cli store / TCP_NODELAY=1 storescu, into storescp, median of $runs interleaved rounds): ${sender_ratio}x"
