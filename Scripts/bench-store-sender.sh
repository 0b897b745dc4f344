#!/usr/bin/env bash
# Sender benchmark (not a timed test): our `mi-cli store` (or net-bench store) against DCMTK's `storescu`
# (TCP_NODELAY=1), both sending the same CT series (512x512, COUNT slices) into the same DCMTK `storescp`.
#
# The receiver is made as steady as it can be, so the senders' difference is not lost in its noise: the series and
# the receiver's output live on tmpfs (/dev/shm), and RECEIVER picks what storescp does with the data:
#   ignore (default)  storescp --ignore: receives every byte, answers Success, writes nothing
#   shm               storescp writes the files to tmpfs
#   disk              storescp writes the files to a folder under /tmp (as in bench-store-scp.sh)
# The senders run interleaved (ours, storescu, storescu, ours, ...: the order flips each round) so a busy neighbour
# hits both alike; each round prints both rates and their ratio, and the summary gives the medians over ROUNDS.
#
# Usage: Scripts/bench-store-sender.sh [COUNT] [ROUNDS]
# Environment: MI_CLI (a release mi-cli or net-bench), SCRATCH (scratch path), RECEIVER (ignore|shm),
#              OURS_ARGS (extra arguments for our sender, e.g. "--parallel 2"),
#              BASELINE (another build of ours, e.g. main's, run interleaved too: its column and ratio to ours are added).
set -eu
cd "$(dirname "$0")/.."
count=${1:-300}; rounds=${2:-7}; receiver=${RECEIVER:-ignore}
command -v storescp >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y dcmtk >/dev/null
if [ -z "${MI_CLI:-}" ]; then
    scratch=(); [ -n "${SCRATCH:-}" ] && scratch=(--scratch-path "$SCRATCH")
    swift build "${scratch[@]}" -c release --product net-bench >/dev/null
    MI_CLI="$(swift build "${scratch[@]}" -c release --show-bin-path)/net-bench"
fi
work=$(mktemp -d -p /dev/shm)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true
    [ -L "$work/in" ] && rm -rf "$(readlink "$work/in")"; rm -rf "$work"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done; return 1; }

python3 Scripts/make-ct-series.py "$work/ct" "$count" >/dev/null
port=$(free_port)
mkdir -p "$work/in"
case "$receiver" in
    ignore) TCP_NODELAY=1 storescp --ignore -aet DCMTK-SCP -od "$work/in" "$port" & pids+=($!) ;;
    shm) TCP_NODELAY=1 storescp -aet DCMTK-SCP -od "$work/in" "$port" & pids+=($!) ;;
    disk) rmdir "$work/in"; ln -s "$(mktemp -d)" "$work/in"; TCP_NODELAY=1 storescp -aet DCMTK-SCP -od "$work/in" "$port" & pids+=($!) ;;
    *) echo "RECEIVER must be ignore, shm or disk"; exit 2 ;;
esac
wait_port "$port"

# One timed run: prints instances/s; fails when the sender fails.
run() { # label, command...
    rm -rf "$work/in"/* 2>/dev/null || true
    local t0 t1; t0=$(date +%s.%N)
    /usr/bin/time -f '%U %S' -o "$work/$1.cpu" "${@:2}" >/dev/null 2>"$work/$1.err" || { cat "$work/$1.err"; exit 1; }
    t1=$(date +%s.%N)
    read -r user sys <"$work/$1.cpu"; echo "$user $sys" >>"$work/$1.cpus"
    python3 -c "print(f'{$count / ($t1 - $t0):.1f}')"
}
# shellcheck disable=SC2086
ours() { run ours "$MI_CLI" store 127.0.0.1 "$port" "$work/ct" --aec DCMTK-SCP --aet MI ${OURS_ARGS:-}; }
base() { run base "$BASELINE" store 127.0.0.1 "$port" "$work/ct" --aec DCMTK-SCP --aet MI ${OURS_ARGS:-}; }
theirs() { run theirs env TCP_NODELAY=1 storescu -aec DCMTK-SCP +sd 127.0.0.1 "$port" "$work/ct"; }

ours >/dev/null; theirs >/dev/null; [ -z "${BASELINE:-}" ] || base >/dev/null # warm the page cache and the binaries
rm -f "$work"/*.cpus
echo "receiver: storescp ($receiver), $count instances, $rounds rounds, load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-6s %12s %12s %7s' round "ours/s" "storescu/s" ratio
[ -z "${BASELINE:-}" ] && echo || printf ' %12s %11s\n' "baseline/s" "ours/base"
results=()
for r in $(seq 1 "$rounds"); do
    c=0
    if [ $((r % 2)) -eq 1 ]; then a=$(ours); b=$(theirs); [ -z "${BASELINE:-}" ] || c=$(base)
    else [ -z "${BASELINE:-}" ] || c=$(base); b=$(theirs); a=$(ours); fi
    results+=("$a $b $c")
    printf '%-6s %12s %12s %6.2fx' "$r" "$a" "$b" "$(python3 -c "print($a / $b)")"
    [ -z "${BASELINE:-}" ] && echo || printf ' %12s %10.2fx\n' "$c" "$(python3 -c "print($a / $c)")"
done
printf '%s\n' "${results[@]}" | python3 -c '
import statistics, sys
rows = [tuple(map(float, l.split())) for l in sys.stdin if l.strip()]
a = statistics.median(r[0] for r in rows); b = statistics.median(r[1] for r in rows)
ratios = [r[0] / r[1] for r in rows]
print(f"median ours {a:.1f}/s, storescu {b:.1f}/s; ratio of medians {a / b:.2f}x, median per-round ratio {statistics.median(ratios):.2f}x"
      f" (min {min(ratios):.2f}x, max {max(ratios):.2f}x)")
print(f"best ours {max(r[0] for r in rows):.1f}/s, storescu {max(r[1] for r in rows):.1f}/s; ratio of bests {max(r[0] for r in rows) / max(r[1] for r in rows):.2f}x")
if rows[0][2] > 0:
    c = statistics.median(r[2] for r in rows)
    print(f"median baseline {c:.1f}/s, best {max(r[2] for r in rows):.1f}/s; median per-round ours/baseline {statistics.median(r[0] / r[2] for r in rows):.2f}x")'
# The senders' own CPU time (user + system) per instance: steadier than the rates when a neighbour loads the machine.
for who in ours theirs base; do
    [ -f "$work/$who.cpus" ] || continue
    python3 -c "
import statistics, sys
cpu = [sum(map(float, l.split())) for l in open(sys.argv[1]) if l.strip()]
print(f'{sys.argv[2]:<8} CPU per instance: median {statistics.median(cpu) / $count * 1e6:.0f} us (min {min(cpu) / $count * 1e6:.0f} us)')" "$work/$who.cpus" "$who"
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
