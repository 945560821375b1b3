#!/usr/bin/env bash
# The load test on both database providers: a throw-away PostgreSQL cluster started as .ci/run
# starts one, then `load` in Release. See bench/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."

# The load test creates its own database on a throw-away cluster and drops it when done.
. eng/throwaway-postgres.sh PORTAL_BENCH_POSTGRES

dotnet run -c Release --project bench/Portal.Bench -- load
