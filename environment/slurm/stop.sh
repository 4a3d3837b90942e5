#!/usr/bin/env bash
# Stops the test cluster that environment/slurm/start.sh STATE_DIR started (and munged, if that script started it).
set -euo pipefail
state="${1:?usage: bash environment/slurm/stop.sh STATE_DIR}"
stop() {
    [ -s "$1" ] || return 0
    local pid
    pid="$(cat "$1")"
    kill "$pid" 2>/dev/null || return 0
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
}
stop "$state/slurmd.pid"
stop "$state/slurmctld.pid"
if [ -f "$state/munged.started" ]; then
    stop /run/munge/munged.pid
    rm -f "$state/munged.started"
fi
