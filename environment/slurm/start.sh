#!/usr/bin/env bash
# Brings up a single-node Slurm cluster (munged, slurmctld, slurmd) whose configuration, state, spool, pid and log files live
# under STATE_DIR, idempotently: daemons already running from STATE_DIR are kept. Installs Debian's slurm-wlm and munge when
# missing. Needs root, as slurmd does. Ends by printing the line to export: SLURM_CONF=STATE_DIR/slurm.conf.
#   bash environment/slurm/start.sh STATE_DIR        # stop it with: bash environment/slurm/stop.sh STATE_DIR
set -euo pipefail
state="${1:?usage: bash environment/slurm/start.sh STATE_DIR}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
fail() { echo "slurm/start.sh: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || fail "a local test cluster needs root (slurmd starts jobs as their owner); run the Slurm tests as root."
if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v munged >/dev/null; then
    echo "slurm/start.sh: installing slurm-wlm and munge from apt" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends slurm-wlm munge >/dev/null
fi
mkdir -p "$state/ctld" "$state/d"
state="$(cd "$state" && pwd)"

# munge: one key and one daemon per machine, as on a real cluster. Started here only if none answers, and then stopped by stop.sh.
if [ ! -s /etc/munge/munge.key ]; then
    install -d -o munge -g munge -m 700 /etc/munge
    head -c 1024 /dev/urandom > /etc/munge/munge.key
    chown munge:munge /etc/munge/munge.key
    chmod 400 /etc/munge/munge.key
fi
install -d -o munge -g munge -m 755 /run/munge
if ! munge -n </dev/null >/dev/null 2>&1; then
    runuser -u munge -- /usr/sbin/munged
    touch "$state/munged.started"
    for _ in $(seq 50); do munge -n </dev/null >/dev/null 2>&1 && break; sleep 0.1; done
    munge -n </dev/null >/dev/null 2>&1 || fail "munged did not start (see /var/log/munge/munged.log)."
fi

host="$(hostname -s)"
cpus="$(nproc)"
# slurmd drains a node that has less memory than configured: offer 80 % of what the machine has.
memory="$(awk '/MemTotal/ { printf "%d", $2 / 1024 * 0.8 }' /proc/meminfo)"
conf="$state/slurm.conf"
sed -e "s|@HOST@|$host|g" -e "s|@CPUS@|$cpus|g" -e "s|@MEMORY@|$memory|g" -e "s|@STATE@|$state|g" \
    -e "s|@CTLD_PORT@|${CDM_SLURMCTLD_PORT:-16817}|g" -e "s|@D_PORT@|${CDM_SLURMD_PORT:-16818}|g" \
    "$here/slurm.conf.template" > "$conf.tmp"
mv "$conf.tmp" "$conf"
export SLURM_CONF="$conf"

alive() { [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }
alive "$state/slurmctld.pid" || slurmctld -f "$conf"
for _ in $(seq 100); do scontrol ping 2>/dev/null | grep -q UP && break; sleep 0.1; done
scontrol ping 2>/dev/null | grep -q UP || fail "slurmctld did not answer (see $state/slurmctld.log)."
alive "$state/slurmd.pid" || slurmd -f "$conf"
for _ in $(seq 300); do
    node="$(sinfo -h -N -o %T 2>/dev/null | head -1)"
    case "$node" in idle|mixed|allocated) break ;; esac
    sleep 0.1
done
case "$node" in idle|mixed|allocated) ;; *) fail "node $host is '$node', not idle (see $state/slurmd.log and $state/slurmctld.log)." ;; esac
echo "SLURM_CONF=$conf"
