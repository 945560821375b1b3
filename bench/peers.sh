#!/usr/bin/env bash
# The portal and its Django peers (django-invitations, django-registration, django-inviter's
# invite) on the same work, one after the other on this machine, and the side-by-side table with
# the portal's ratios to the peers (>1: the portal is faster).
#
#   bash bench/peers.sh [--n 2000] [--hashed-n 1000] [--runs 1]
#
# The peers' harness is the folder named by PEERS_DIR (default: ../shared/peers beside the
# repository); it installs Django and the peers from Debian's packages the first time. Both sides
# run SQLite in WAL mode with synchronous=NORMAL, the portal's own settings. With --runs 3 each side
# runs three times, alternating, with a table per pair; every run's figures are kept in a temporary
# folder, named at the end.
set -euo pipefail
cd "$(dirname "$0")/.."

n=2000 hashed=1000 runs=1
while [ $# -gt 0 ]; do
  case "$1" in
    --n) n=$2; shift 2 ;;
    --hashed-n) hashed=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    *) echo "usage: bash bench/peers.sh [--n N] [--hashed-n N] [--runs N]" >&2; exit 2 ;;
  esac
done
peers=${PEERS_DIR:-$(cd .. && pwd)/shared/peers}
[ -f "$peers/bench.py" ] || { echo "peers.sh: no peers' harness in $peers (set PEERS_DIR)" >&2; exit 2; }

out=$(mktemp -d /tmp/portal-peers-XXXXXX)
bash "$peers/setup.sh" >&2
dotnet build -c Release bench/Portal.Bench -v quiet -nologo >&2

for run in $(seq 1 "$runs"); do
  echo "run $run of $runs: Django peers" >&2
  /usr/bin/python3 "$peers/bench.py" --n "$n" --hashed-n "$hashed" --journal wal --synchronous normal \
    --phases invite,invite_accept,invite_bulk,inviter,inviter_md5,register,activate,register_md5,hash > "$out/django-$run.txt"
  echo "run $run of $runs: portal" >&2
  dotnet run -c Release --no-build --project bench/Portal.Bench -- peers --n "$n" --hashed-n "$hashed" > "$out/portal-$run.txt"
done

echo "figures: $out" >&2
for run in $(seq 1 "$runs"); do
  [ "$runs" -gt 1 ] && printf '\nRun %s of %s\n\n' "$run" "$runs"
  /usr/bin/python3 "$peers/table.py" --ratio-to "$out/django-$run.txt" "$out/django-$run.txt" "$out/portal-$run.txt"
done
