#!/bin/sh
# Starts a throw-away PostgreSQL 15 cluster on a free loopback port and prints its URL on stdout.
#   Scripts/start-test-postgres.sh DIR     → postgres://mi:mi@127.0.0.1:PORT/mi   (cluster files in DIR)
#   Scripts/start-test-postgres.sh --stop DIR
# initdb and postgres refuse to run as root; as root the cluster runs as the `postgres` user in a folder it owns.
set -eu
BIN=/usr/lib/postgresql/15/bin
if [ "${1:-}" = "--stop" ]; then
    DIR=$2
    if [ "$(id -u)" = 0 ]; then su postgres -s /bin/sh -c "$BIN/pg_ctl -D '$DIR/data' -m fast stop" >/dev/null 2>&1 || true
    else "$BIN/pg_ctl" -D "$DIR/data" -m fast stop >/dev/null 2>&1 || true; fi
    exit 0
fi
DIR=${1:?usage: start-test-postgres.sh DIR}
[ -x "$BIN/initdb" ] || { echo "PostgreSQL 15 server binaries are missing (apt-get install postgresql)" >&2; exit 1; }
mkdir -p "$DIR"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
run() { if [ "$(id -u)" = 0 ]; then su postgres -s /bin/sh -c "$1"; else sh -c "$1"; fi; }
if [ "$(id -u)" = 0 ]; then chown postgres "$DIR"; fi
echo mi > "$DIR/pw"; [ "$(id -u)" = 0 ] && chown postgres "$DIR/pw"
run "$BIN/initdb -D '$DIR/data' -U mi --pwfile='$DIR/pw' -A scram-sha-256 -E UTF8 --locale=C.UTF-8" >/dev/null
run "$BIN/pg_ctl -D '$DIR/data' -l '$DIR/log' -w -o \"-p $PORT -k '$DIR' -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c max_connections=200\" start" >/dev/null
run "PGPASSWORD=mi $BIN/createdb -h 127.0.0.1 -p $PORT -U mi mi"
echo "postgres://mi:mi@127.0.0.1:$PORT/mi"
