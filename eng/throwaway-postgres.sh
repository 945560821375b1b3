# Sourced, not run: starts a throw-away PostgreSQL cluster and exports a connection string to it in
# the variable named by the first argument. The cluster lives in a temporary directory, listens on
# a free loopback port, is run by an unprivileged user (the server refuses root), has durability
# switched off (worthless for a cluster thrown away) and is removed when the sourcing shell exits.
# Needs Debian's postgresql package. Used by .ci/run (the tests) and bench/load.sh (the load test).

pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
pgdir=$(mktemp -d)
as_owner() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
[ "$(id -u)" = 0 ] && chown postgres "$pgdir"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
password=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
as_owner sh -c "echo '$password' > '$pgdir/pw'"
as_owner "$pgbin/initdb" -D "$pgdir/data" -U portal --pwfile="$pgdir/pw" --auth=scram-sha-256 -E UTF8 --locale=C.UTF-8 >/dev/null
as_owner "$pgbin/pg_ctl" -D "$pgdir/data" -l "$pgdir/server.log" -w start \
  -o "-c listen_addresses=127.0.0.1 -p $port -k $pgdir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" >/dev/null
trap 'as_owner "$pgbin/pg_ctl" -D "$pgdir/data" -m immediate stop >/dev/null; rm -rf "$pgdir"' EXIT
# Whoever uses it creates databases of its own on this server and drops them when done.
export "$1=Host=127.0.0.1;Port=$port;Username=portal;Password=$password;Database=postgres"
