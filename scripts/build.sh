#!/usr/bin/env bash
# Compiles dist/bunker: one executable holding the CLI, the daemon and the start stages, each an
# entry point of its own so each role loads only its own code. The commit it was built from is
# baked in for `bunker --version`.
# (--bytecode would halve the CLI's start-up, but Bun 1.4.5 then aborts in stage 2 once it has
# entered a new PID namespace.)
set -euo pipefail
cd "$(dirname "$0")/.."
commit=$(git rev-parse --short=7 HEAD 2>/dev/null || echo unknown)
exec bun build --compile --minify-syntax --target=bun-linux-x64 \
  --define "BUNKER_BUILD_COMMIT=\"$commit\"" \
  main.ts src/start/stage-main.ts daemon/main.ts cli/main.ts cli/commands/*.ts \
  --outfile dist/bunker
