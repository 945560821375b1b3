#!/usr/bin/env bash
# The load test on both database providers: a throw-away PostgreSQL cluster started as .ci/run
# starts one, then `load` in Release. See bench/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."

# In a temporary directory, on a free loopback port, run by an unprivileged user (the server
# refuses root), removed on exit.
pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
pgdir=$(mktemp -d)
as_owner() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
[ "$(id -u)" = 0 ] && chown postgres "$pgdir"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
password=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
as_owner sh -c "echo '$password' > '$pgdir/pw'"
as_owner "$pgbin/initdb" -D "$pgdir/data" -U portal --pwfile="$pgdir/pw" --auth=scram-sha-256 -E UTF8 --locale=C.UTF-8 >/dev/null
# Durability is worthless for a cluster thrown away after the run.
as_owner "$pgbin/pg_ctl" -D "$pgdir/data" -l "$pgdir/server.log" -w start \
  -o "-c listen_addresses=127.0.0.1 -p $port -k $pgdir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" >/dev/null
trap 'as_owner "$pgbin/pg_ctl" -D "$pgdir/data" -m immediate stop >/dev/null; rm -rf "$pgdir"' EXIT
# The load test creates its own database on this server and drops it when done.
export PORTAL_BENCH_POSTGRES="Host=127.0.0.1;Port=$port;Username=portal;Password=$password;Database=postgres"

dotnet run -c Release --project bench/Portal.Bench -- load
