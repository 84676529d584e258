#!/usr/bin/env bash
# The main job on a fresh machine, as root: install what is missing, build dist/bunker, start a
# daemon with its state in ./.bunker, make a `base` image from the host's busybox, and run a
# container. The daemon is stopped at the end unless KEEP_DAEMON=1.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" != 0 ]; then echo "quickstart: run as root (containers need it)" >&2; exit 1; fi
if ! dpkg -s busybox-static >/dev/null 2>&1; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq busybox-static >/dev/null
fi
[ -d node_modules ] || npm ci --no-audit --no-fund
npm run build --silent

state="$PWD/.bunker"
mkdir -p "$state"
host="unix://$state/bunker.sock"
bunker() { dist/bunker -H "$host" "$@"; }

dist/bunker daemon --root "$state/root" -H "$host" --pidfile "$state/bunker.pid" --bridge none >"$state/daemon.log" 2>&1 &
daemon=$!
stop_daemon() { if [ "${KEEP_DAEMON:-0}" != 1 ]; then kill "$daemon" 2>/dev/null || true; wait "$daemon" 2>/dev/null || true; fi; }
trap stop_daemon EXIT
for _ in $(seq 100); do [ -S "$state/bunker.sock" ] && break; sleep 0.05; done

bunker inspect base >/dev/null 2>&1 || scripts/busybox-rootfs.sh | bunker import - base
bunker images
bunker run --rm base sh -c 'echo "Hello from a bunker container! I am PID $$ on $(hostname)."'
if [ "${KEEP_DAEMON:-0}" = 1 ]; then
  echo "daemon running (pid $daemon). Try: export BUNKER_HOST=$host; dist/bunker run -i -t base sh"
fi
