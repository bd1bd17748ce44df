#!/usr/bin/env bash
# Checks the emulator against the official Genesys Cloud JavaScript SDK
# (purecloud-platform-client-v2 262.0.0, pointed at it with setGateway):
#   1. starts `syncer emulator`, logs in through the SDK, pages users in every
#      state with expands, reads per-user queues, a user, a search; then the
#      people data: GroupsApi.getGroups, LocationsApi.getLocations,
#      StationsApi.getStations, RoutingApi.getRoutingUserUtilization,
#      UsersApi.getUsersDevelopmentActivities (and its 400 over 100 ids), and
#      users with expand outOfOffice,presence,routingStatus,team,certifications;
#   2. runs the peer baseline shared/peer/sync.js (SDK + node-postgres) against
#      it when PostgreSQL answers at DATABASE_URL;
#   3. runs the Go test TestOfficialSDK, which compares what the SDK saw with
#      the emulator's truth.
# Needs go, node and npm (or SYNCER_SDK_NODE_MODULES, a node_modules holding
# purecloud-platform-client-v2 and pg). Settings: USERS (2000), RATE (0 = off),
# DATABASE_URL (postgres://postgres@127.0.0.1:5432/test).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
users=${USERS:-2000}
rate=${RATE:-0}
db=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}
work=$(mktemp -d)
emu_pid=
cleanup() {
  if [ -n "$emu_pid" ]; then kill "$emu_pid" 2>/dev/null || true; wait "$emu_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

modules=${SYNCER_SDK_NODE_MODULES:-}
if [ -z "$modules" ]; then
  echo "sdk-check: npm install of the SDK into $work/peer"
  cp -r "$root/../shared/peer" "$work/peer" 2>/dev/null || cp -r /work/shared/peer "$work/peer"
  (cd "$work/peer" && npm install --no-audit --no-fund --silent)
  modules="$work/peer/node_modules"
fi

go build -o "$work/syncer" ./cmd/syncer
"$work/syncer" emulator --users "$users" --seed 7 --addr 127.0.0.1:0 \
  --client-id sdk-check --client-secret sdk-check-secret --rate "$rate" >"$work/emu.out" 2>"$work/emu.err" &
emu_pid=$!
base=
for _ in $(seq 1 100); do
  base=$(sed -n 's/^base URL: *\(http[^ ]*\).*/\1/p' "$work/emu.out")
  [ -n "$base" ] && break
  sleep 0.1
done
if [ -z "$base" ]; then echo "sdk-check: emulator did not start:"; cat "$work/emu.err"; exit 1; fi
echo "sdk-check: syncer emulator at $base ($users users, rate ${rate}/min, 0 = off)"

export GENESYS_BASE_URL=$base GENESYS_CLIENT_ID=sdk-check GENESYS_CLIENT_SECRET=sdk-check-secret NODE_PATH=$modules
echo "sdk-check: SDK login + paging:"
node internal/emulator/testdata/sdk_check.js

if [ -f "$modules/pg/package.json" ] && psql "$db" -Atc 'select 1' >/dev/null 2>&1; then
  echo "sdk-check: peer sync.js (SDK + node-postgres, schema peer_sdkcheck):"
  cp /work/shared/peer/sync.js "$work/sync.js" 2>/dev/null || cp "$root/../shared/peer/sync.js" "$work/sync.js"
  DATABASE_URL=$db PEER_SCHEMA=peer_sdkcheck node "$work/sync.js"
  psql "$db" -qc 'DROP SCHEMA IF EXISTS peer_sdkcheck CASCADE' >/dev/null 2>&1 || true
else
  echo "sdk-check: PostgreSQL not answering at $db or pg not installed; peer sync.js skipped"
fi

echo "sdk-check: Go test TestOfficialSDK:"
SYNCER_SDK_CHECK=1 SYNCER_SDK_NODE_MODULES=$modules go test -count=1 -run TestOfficialSDK ./internal/emulator/
echo "sdk-check: OK"
