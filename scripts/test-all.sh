#!/usr/bin/env bash
# The README's test command: unit + integration tests, then browser tests, sharing one Ceph gateway.
set -euo pipefail
cd "$(dirname "$0")/.."
started=0
if ! bash scripts/ceph-rig.sh status >/dev/null 2>&1; then
  bash scripts/ceph-rig.sh start
  started=1
fi
stop_ceph() { if [ "$started" = 1 ] && [ "${SIGNET_KEEP_CEPH:-}" != 1 ]; then bash scripts/ceph-rig.sh stop; fi; }
trap stop_ceph EXIT
npm test
npm run test:e2e
