#!/usr/bin/env bash
# The HTTP API's throughput for creating invitations, as a script would see it: the published app on
# Kestrel, one admin and a token, then 1,000 POST /api/v1/invitations per run with 1, 4 and 8
# clients, and with 4 clients sending an Idempotency-Key each (bench/api_client.py). See bench/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
work=$(mktemp -d)
trap 'kill "${portal:-}" 2>/dev/null || true; rm -rf "$work"' EXIT

dotnet publish Portal -c Release -r linux-x64 -o "$work/app" >/dev/null
export OptOut__Key=0123456789abcdef0123456789abcdef0123456789abcdef Portal__DataDirectory="$work/data" \
  Portal__PublicBaseUrl=https://portal.example.org Email__FromAddress=portal@example.org \
  Api__RequestsPerToken=1000000
cd "$work/app"
dotnet Portal.dll create-admin --email admin@example.org --password 'a long enough passphrase' >/dev/null

# A token for the admin, stored as the API tokens page stores one: the SHA-256 of its secret part.
secret=$(python3 -c "import base64, secrets; print(base64.urlsafe_b64encode(secrets.token_bytes(32)).decode().rstrip('='))")
python3 - "$work/data/portal.db" "$secret" <<'PY'
import hashlib, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
owner = db.execute("select Id from AspNetUsers where Email = 'admin@example.org'").fetchone()[0]
db.execute("insert into ApiTokens (Name, TokenHash, Scopes, UserId, CreatedAt, ExpiresAt) values ('bench', ?, 'invitations:read invitations:write', ?, '2026-01-01 00:00:00', '2099-01-01 00:00:00')",
           (hashlib.sha256(sys.argv[2].encode()).hexdigest(), owner))
db.commit()
PY

port=5099
ASPNETCORE_URLS=http://127.0.0.1:$port dotnet Portal.dll >"$work/portal.log" 2>&1 &
portal=$!
for _ in $(seq 1 240); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.5; done

python3 "$root/bench/api_client.py" "$port" "portal_$secret" 100 1 warm >/dev/null
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
for clients in 1 4 8; do
  python3 "$root/bench/api_client.py" "$port" "portal_$secret" 1000 "$clients" "c$clients"
done
python3 "$root/bench/api_client.py" "$port" "portal_$secret" 1000 4 "k4" keys
