#!/usr/bin/env bash
# Start (or stop) a single-node Slurm cluster on this machine, by hand:
# munged, slurmctld and slurmd from Debian's packages, no systemd, no cgroups,
# no accounting. Idempotent. Needs root.
#   ci/local-slurm.sh          install if needed, configure, start
#   ci/local-slurm.sh stop     stop the daemons this script started
set -euo pipefail
STATE=${SLURM_STATE:-/tmp/agora-slurm}
CONF=/etc/slurm/slurm.conf
export DEBIAN_FRONTEND=noninteractive
say() { echo "[local-slurm] $*" >&2; }
running() { [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

if [ "${1:-}" = stop ]; then
  for pid in "$STATE/slurmd.pid" "$STATE/slurmctld.pid"; do
    if running "$pid"; then kill "$(cat "$pid")"; fi
  done
  exit 0
fi
[ "$(id -u)" = 0 ] || { say "needs root"; exit 1; }

# 1. Packages. A policy-rc.d that says "no" keeps the maintainer scripts from
#    starting daemons themselves.
if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null || ! command -v sbatch >/dev/null; then
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod 755 /usr/sbin/policy-rc.d
  trap 'rm -f /usr/sbin/policy-rc.d' EXIT
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends slurmctld slurmd slurm-client munge >/dev/null
  rm -f /usr/sbin/policy-rc.d; trap - EXIT
  say "installed slurm and munge"
fi

# 2. munge: a key, and the daemon.
if [ ! -s /etc/munge/munge.key ]; then
  mungekey --create --keyfile=/etc/munge/munge.key
  chown munge:munge /etc/munge/munge.key; chmod 0600 /etc/munge/munge.key
fi
if ! munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
  install -d -o munge -g munge -m 0755 /run/munge
  runuser -u munge -- /usr/sbin/munged
  for _ in $(seq 50); do munge -n 2>/dev/null | unmunge >/dev/null 2>&1 && break; sleep 0.1; done
fi

# 3. Configuration: localhost is controller and node (no hostname set-up),
#    linuxproc tracking and no task plugin (no cgroups), no accounting
#    (poll squeue, sacct has nothing), and a failed dependency cancels its
#    dependants instead of leaving them pending forever.
mkdir -p "$STATE"/{ctld,spool,log}
node=$(slurmd -C | head -n1 | sed 's/^NodeName=[^ ]* //')
cat > "$CONF.new" <<CONFIG
ClusterName=agora
SlurmctldHost=localhost
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
DependencyParameters=kill_invalid_depend
ReturnToService=2
MailProg=/bin/true
StateSaveLocation=$STATE/ctld
SlurmdSpoolDir=$STATE/spool
SlurmctldPidFile=$STATE/slurmctld.pid
SlurmdPidFile=$STATE/slurmd.pid
SlurmctldLogFile=$STATE/log/slurmctld.log
SlurmdLogFile=$STATE/log/slurmd.log
NodeName=localhost $node State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONFIG
if ! cmp -s "$CONF.new" "$CONF"; then
  "$0" stop
  mv "$CONF.new" "$CONF"
else
  rm -f "$CONF.new"
fi

# 4. Daemons, then wait until the node takes jobs.
running "$STATE/slurmctld.pid" || /usr/sbin/slurmctld -i
for _ in $(seq 100); do scontrol ping 2>/dev/null | grep -q UP && break; sleep 0.2; done
running "$STATE/slurmd.pid" || /usr/sbin/slurmd
for _ in $(seq 120); do
  state=$(sinfo -h -N -n localhost -o %T 2>/dev/null | head -n1 || true)
  case "$state" in
    idle|mixed|allocated) say "node is $state"; exit 0 ;;
    down*|drain*) scontrol update NodeName=localhost State=RESUME 2>/dev/null || true ;;
  esac
  sleep 0.5
done
say "the node did not come up; logs in $STATE/log"; tail -n 20 "$STATE"/log/*.log >&2
exit 1
