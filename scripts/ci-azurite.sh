#!/usr/bin/env bash
# Starts or stops Azurite's table service for the tests.
#
#   eval "$(scripts/ci-azurite.sh start)"   # prints export lines for the three variables below
#   npm test
#   scripts/ci-azurite.sh stop              # reads AZURITE_PID and AZURITE_LOCATION
#
# `start` runs the azurite-table program from node_modules on 127.0.0.1 only, on a free port
# (or AZURITE_TABLE_PORT), with a new temporary workspace, telemetry off and the API version
# check off, because @azure/data-tables sends a newer version than Azurite 3.35 accepts. It
# waits until the service responds, then prints AZURE_STORAGE_CONNECTION_STRING (which the
# tests use instead of starting their own Azurite), AZURITE_PID and AZURITE_LOCATION. Only
# those export lines go to stdout, and progress and errors go to stderr.
set -euo pipefail
cd "$(dirname "$0")/.."

readonly ACCOUNT=devstoreaccount1
# Azurite's published development key, which opens only the local emulator.
readonly ACCOUNT_KEY='Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=='
readonly READY_TIMEOUT_IN_SECONDS=30

free_port() {
  node -e "const s = require('net').createServer();
    s.listen(0, '127.0.0.1', () => { console.log(s.address().port); s.close(); });"
}

responds() {
  # Any HTTP response whose Server header names Azurite's table service will do.
  curl --silent --max-time 2 --output /dev/null --dump-header - \
    "http://127.0.0.1:$1/${ACCOUNT}/Tables" 2>/dev/null | grep -qi '^server: Azurite-Table'
}

start() {
  local port="${AZURITE_TABLE_PORT:-$(free_port)}"
  local location
  location="$(mktemp -d "${TMPDIR:-/tmp}/gallery-approvals-azurite.XXXXXX")"

  nohup node_modules/.bin/azurite-table \
    --tableHost 127.0.0.1 \
    --tablePort "$port" \
    --location "$location" \
    --disableTelemetry \
    --skipApiVersionCheck \
    --silent \
    >"$location/azurite.log" 2>&1 </dev/null &
  local pid=$!

  local waited=0
  until responds "$port"; do
    if ! kill -0 "$pid" 2>/dev/null || ((waited >= READY_TIMEOUT_IN_SECONDS * 10)); then
      echo "Azurite did not start on 127.0.0.1:$port. Its log:" >&2
      cat "$location/azurite.log" >&2
      kill "$pid" 2>/dev/null || true
      rm -rf "$location"
      exit 1
    fi
    sleep 0.1
    waited=$((waited + 1))
  done

  echo "Azurite table service listens on 127.0.0.1:$port (pid $pid, workspace $location)" >&2
  local connection_string="DefaultEndpointsProtocol=http;AccountName=${ACCOUNT};AccountKey=${ACCOUNT_KEY};TableEndpoint=http://127.0.0.1:${port}/${ACCOUNT};"
  echo "export AZURE_STORAGE_CONNECTION_STRING='${connection_string}'"
  echo "export AZURITE_PID=${pid}"
  echo "export AZURITE_LOCATION='${location}'"
}

stop() {
  local pid="${AZURITE_PID:?AZURITE_PID is not set. Pass the values that start printed.}"
  local location="${AZURITE_LOCATION:?AZURITE_LOCATION is not set. Pass the values that start printed.}"

  if kill "$pid" 2>/dev/null; then
    for _ in $(seq 50); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -9 "$pid" 2>/dev/null || true
    echo "Azurite (pid $pid) stopped" >&2
  else
    echo "Azurite (pid $pid) was not running" >&2
  fi

  # Remove only a workspace that start created.
  case "$location" in
    */gallery-approvals-azurite.*) rm -rf "$location" ;;
    *) echo "Kept $location: it is not a workspace that start created" >&2 ;;
  esac
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *)
    echo "Usage: $0 start | stop (see the comment at the top of $0)" >&2
    exit 2
    ;;
esac
