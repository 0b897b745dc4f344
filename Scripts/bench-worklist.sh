#!/usr/bin/env bash
# Worklist benchmark (prints numbers, asserts nothing about time): a database with STUDIES generated exams (default
# 100,000; `mi-cli synthetic-worklist`, multi-row INSERTs through the store's SQL layer) on SQLite and on a local
# PostgreSQL 15 (its own cluster in a temporary folder, on a free port, run as the `postgres` user when we are root),
# `mi-server serve` on each, then p50/p99 latency of GET /api/v1/studies for each filter combination of the spec
# (Scripts/worklist-load.py: REQUESTS requests over CONCURRENCY keep-alive connections). Goal: p99 < 50 ms.
#
# Usage: Scripts/bench-worklist.sh [sqlite] [postgres]     (default: both)
# Environment: STUDIES, REQUESTS (200), CONCURRENCY (2), MI_SERVER / MI_CLI (release binaries; built when unset),
#              SCRATCH (SwiftPM scratch path), KEEP=1 keeps the temporary folder, EXPLAIN=1 prints the query plans.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
studies=${STUDIES:-100000}; requests=${REQUESTS:-200}; concurrency=${CONCURRENCY:-2}
engines=("$@"); [ ${#engines[@]} -eq 0 ] && engines=(sqlite postgres)
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}

if [ -z "${MI_SERVER:-}" ] || [ -z "${MI_CLI:-}" ]; then
    scratch=(); [ -n "${SCRATCH:-}" ] && scratch=(--scratch-path "$SCRATCH")
    swift build "${scratch[@]}" -c release --product mi-server >/dev/null
    swift build "${scratch[@]}" -c release --product mi-cli >/dev/null
    bin="$(swift build "${scratch[@]}" -c release --show-bin-path)"
    MI_SERVER=${MI_SERVER:-$bin/mi-server}; MI_CLI=${MI_CLI:-$bin/mi-cli}
fi

work=$(mktemp -d /tmp/mi-bench-worklist.XXXXXX)
chmod 755 "$work"
pids=()
pg_data=""
as_postgres() { if [ "$(id -u)" -eq 0 ]; then su postgres -s /bin/sh -c "$1"; else sh -c "$1"; fi; }
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    [ -n "$pg_data" ] && as_postgres "$PGBIN/pg_ctl -D $pg_data -m fast stop" >/dev/null 2>&1 || true
    if [ "${KEEP:-0}" = 1 ]; then echo "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_http() { for _ in $(seq 1 300); do curl -fs "$1/healthz" >/dev/null 2>&1 && return 0; sleep 0.1; done; echo "server at $1 did not start" >&2; return 1; }

secret="bench-$(date +%s)-secret"

start_postgres() {
    local port=$1 dir="$work/pg"
    mkdir -p "$dir"; [ "$(id -u)" -eq 0 ] && chown postgres: "$dir"
    as_postgres "$PGBIN/initdb -D $dir/data -U postgres -A trust -E UTF8 --locale=C >$dir/initdb.log 2>&1"
    pg_data="$dir/data"
    as_postgres "$PGBIN/pg_ctl -D $dir/data -l $dir/server.log -w -o '-p $port -k $dir -c listen_addresses=127.0.0.1' start" >/dev/null
    psql -qX -h 127.0.0.1 -p "$port" -U postgres -c 'CREATE DATABASE mi' >/dev/null
}

explain() { # engine url
    [ "${EXPLAIN:-0}" = 1 ] || return 0
    echo "--- query plans ($1)"
    python3 "$root/Scripts/worklist-explain.py" --database "$2"
}

run_engine() {
    local engine=$1 url port http
    http=$(free_port)
    case $engine in
        sqlite) url="sqlite:$work/sqlite/index.sqlite" ;;
        postgres) port=$(free_port); start_postgres "$port"; url="postgres://postgres@127.0.0.1:$port/mi" ;;
        *) echo "unknown engine $engine" >&2; return 1 ;;
    esac
    echo "== $engine: generating $studies studies" >&2
    "$MI_CLI" synthetic-worklist --database "$url" --studies "$studies" --client-id mi-bench --client-secret="$secret" >&2
    cat >"$work/$engine.yaml" <<EOF
listen: { host: 127.0.0.1, port: $http }
database: "$url"
storage: "$work/$engine-storage"
EOF
    "$MI_SERVER" serve --config "$work/$engine.yaml" >"$work/$engine-server.log" 2>&1 &
    local pid=$!; pids+=("$pid")
    wait_http "http://127.0.0.1:$http"
    local token
    token=$(curl -fs -u "mi-bench:$secret" -d grant_type=client_credentials "http://127.0.0.1:$http/oauth/token" \
        | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
    echo "== $engine: $requests requests per combination, $concurrency connections" >&2
    python3 "$root/Scripts/worklist-load.py" --base "http://127.0.0.1:$http" --token "$token" --requests "$requests" \
        --concurrency "$concurrency" --label "$engine" --json "$work/$engine.json" >&2
    explain "$engine" "$url" >&2
    kill "$pid"; wait "$pid" 2>/dev/null || true
}

for engine in "${engines[@]}"; do run_engine "$engine"; done

python3 - "$work" "${engines[@]}" <<'EOF'
import json, sys
work, engines = sys.argv[1], sys.argv[2:]
runs = {e: {r["name"]: r for r in json.load(open(f"{work}/{e}.json"))["results"]} for e in engines}
names = list(next(iter(runs.values())).keys())
head = f"{'GET /api/v1/studies':44}" + "".join(f" {e + ' p50':>13} {e + ' p99':>13}" for e in engines) + f" {'matches':>8}"
print(); print(head); print("-" * len(head))
misses = 0
for n in names:
    line = f"{n:44}"
    for e in engines:
        r = runs[e][n]
        line += f" {r['p50']:13.1f} {r['p99']:13.1f}"
        misses += r["p99"] >= 50
    print(line + f" {runs[engines[0]][n]['total']:>8}")
print(f"\nlatency in ms; goal p99 < 50 ms: {misses} miss(es)")
EOF
