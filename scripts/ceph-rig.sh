#!/usr/bin/env bash
# Real S3 for the integration tests: a throw-away one-node Ceph cluster (ceph-mon, one memstore ceph-osd,
# radosgw) on loopback only, with authentication switched off inside the cluster. The gateway itself still
# checks S3 signatures and ACLs, which is what the tests need.
#
#   scripts/ceph-rig.sh start    boot the cluster (idempotent: returns at once when it already runs)
#   scripts/ceph-rig.sh stop     kill every daemon this rig started and remove its directory
#   scripts/ceph-rig.sh status   exit 0 iff the gateway answers HTTP
#   scripts/ceph-rig.sh env      print the S3 connection JSON for the tests
#
# Environment: SIGNET_CEPH_DIR (default /tmp/signet-ceph), SIGNET_CEPH_PORT (gateway, default 7480),
# SIGNET_CEPH_MON_PORT (monitor, msgr2 only, default gateway port + 1), SIGNET_CEPH_MEMSTORE_BYTES (default 1G),
# SIGNET_CEPH_BOOT_TIMEOUT (seconds, default 120).
# Needs the Debian packages ceph-mon ceph-osd radosgw ceph-common (ceph-base comes with them).
# Every Ceph command gets `-c $DIR/ceph.conf`, so /etc/ceph and any system cluster are never touched.
set -euo pipefail
# These would add a developer's own cluster settings to every Ceph command.
unset CEPH_ARGS CEPH_CONF

# Absolute, because the daemons chdir to / when they fork into the background.
DIR="$(realpath -m "${SIGNET_CEPH_DIR:-/tmp/signet-ceph}")"
PORT="${SIGNET_CEPH_PORT:-7480}"
# The monitor listens on the port after the gateway, so a second rig only needs another SIGNET_CEPH_PORT.
MON_PORT="${SIGNET_CEPH_MON_PORT:-$((PORT + 1))}"
MEMSTORE_BYTES="${SIGNET_CEPH_MEMSTORE_BYTES:-1G}"
BOOT_TIMEOUT="${SIGNET_CEPH_BOOT_TIMEOUT:-120}"
CONF="$DIR/ceph.conf"
# The lock lives beside the directory because `stop` removes the directory.
LOCK="${DIR%/}.lock"
# Marks a directory as ours, so `stop` never removes a directory it did not make.
MARKER=".signet-ceph-rig"

# Fixed test identity: the tests and env.json use these; they protect nothing (loopback, throw-away data).
S3_UID="signet-test"
S3_ACCESS_KEY="SIGNETTESTACCESSKEY0"
S3_SECRET_KEY="signetTestSecretKey000000000000000000000"
# A second user who owns buckets the test user may only use through a bucket policy (its rules unreadable to it).
OWNER_UID="signet-owner"
OWNER_ACCESS_KEY="SIGNETOWNERACCESSKEY"
OWNER_SECRET_KEY="signetOwnerSecretKey00000000000000000000"
RGW_NAME="client.rgw.signet"

log() { printf '[ceph-rig] %s\n' "$*" >&2; }

# Prints the last lines of every daemon log, so a CI failure shows why the cluster did not come up.
dump_logs() {
  local f
  for f in "$DIR"/log/*.log "$DIR"/log/*.out; do
    [[ -s "$f" ]] || continue
    printf '\n----- tail of %s -----\n' "$f" >&2
    tail -n 25 "$f" >&2 || true
  done
}

die() {
  log "ERROR: $*"
  dump_logs
  exit 1
}

# `ceph` CLI bounded in time: without a reachable monitor it would otherwise retry for ever.
ceph_cli() { timeout 30 ceph -c "$CONF" --connect-timeout 10 "$@"; }

# True when something answers HTTP on the gateway port. Uses bash's /dev/tcp so curl is not required.
http_ok() {
  local status
  # shellcheck disable=SC2016 # $1 expands in the inner shell, which gets the port as an argument
  status="$(timeout 3 bash -c '
    exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
    printf "GET / HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n" >&3
    cat <&3' _ "$PORT" 2>/dev/null || true)"
  [[ "${status:0:12}" =~ ^HTTP/1\.[01]\ [0-9]{3}$ ]]
}

# True when PID is a live Ceph daemon started with our ceph.conf, so a recycled pid is never taken for ours.
is_rig_daemon() {
  local args=()
  [[ "$1" != "$$" ]] || return 1
  mapfile -d "" -t args 2>/dev/null <"/proc/$1/cmdline" || return 1
  local cmd=" ${args[*]-} "
  [[ "$cmd" == *" -c $CONF "* && "$cmd" =~ (ceph-mon|ceph-osd|radosgw) ]]
}

pid_alive() {
  local pidfile="$DIR/run/$1.pid" pid
  [[ -s "$pidfile" ]] || return 1
  pid="$(<"$pidfile")"
  [[ "$pid" =~ ^[0-9]+$ ]] && is_rig_daemon "$pid"
}

# Our cluster is up when our three daemons live and the gateway answers.
rig_running() {
  [[ -f "$DIR/$MARKER" ]] && pid_alive mon.a && pid_alive osd.0 && pid_alive "$RGW_NAME" && http_ok
}

env_json() {
  printf '{"endpoint":"http://127.0.0.1:%s","region":"us-east-1","accessKeyId":"%s","secretAccessKey":"%s","forcePathStyle":true,"uid":"%s","owner":{"uid":"%s","accessKeyId":"%s","secretAccessKey":"%s"}}\n' \
    "$PORT" "$S3_ACCESS_KEY" "$S3_SECRET_KEY" "$S3_UID" "$OWNER_UID" "$OWNER_ACCESS_KEY" "$OWNER_SECRET_KEY"
}

# Idempotent, and also run for a rig started before the owner user existed (SIGNET_KEEP_CEPH keeps rigs alive).
ensure_owner_user() {
  if ! timeout 60 radosgw-admin -c "$CONF" user info --uid "$OWNER_UID" >/dev/null 2>&1; then
    timeout 60 radosgw-admin -c "$CONF" user create --uid "$OWNER_UID" --display-name "Signet bucket owner" \
      --access-key "$OWNER_ACCESS_KEY" --secret-key "$OWNER_SECRET_KEY" >>"$DIR/log/radosgw-admin.out" 2>&1 ||
      die "radosgw-admin user create ($OWNER_UID) failed"
  fi
}

# PIDs of the daemons this rig started: every process whose command line names our own ceph.conf (this
# also catches a daemon that died before writing its pid file). Never matches by program name alone.
rig_pids() {
  local f pid
  for f in /proc/[0-9]*; do
    pid="${f#/proc/}"
    if is_rig_daemon "$pid"; then echo "$pid"; fi
  done
  return 0
}

kill_daemons() {
  local pids pid
  pids="$(rig_pids | sort -u | tr '\n' ' ')"
  [[ -n "${pids// /}" ]] || return 0
  # The data is thrown away, so no graceful shutdown is needed (memstore would write its RAM to disk).
  for pid in $pids; do kill -KILL "$pid" 2>/dev/null || true; done
  for _ in $(seq 1 50); do
    local alive=0
    for pid in $pids; do kill -0 "$pid" 2>/dev/null && alive=1; done
    ((alive)) || return 0
    sleep 0.1
  done
  log "warning: some daemons did not exit: $pids"
}

remove_dir() {
  [[ -e "$DIR" ]] || return 0
  if [[ -f "$DIR/$MARKER" ]] || [[ -z "$(ls -A "$DIR")" ]]; then
    rm -rf -- "$DIR"
  else
    log "ERROR: $DIR exists but was not made by this rig; not removing it"
    exit 1
  fi
}

write_conf() {
  local fsid="$1"
  cat >"$CONF" <<EOF
# Generated by scripts/ceph-rig.sh: throw-away one-node test cluster, loopback only.
[global]
fsid = $fsid
mon host = [v2:127.0.0.1:$MON_PORT]
mon initial members = a
public addr = 127.0.0.1
cluster addr = 127.0.0.1
ms bind ipv4 = true
ms bind ipv6 = false
ms bind msgr1 = false
auth cluster required = none
auth service required = none
auth client required = none
# radosgw defaults to a "secure" monitor connection, which needs cephx session keys: with auth none it
# fails with "get_initial_auth_request returned -13" unless plain crc mode is allowed.
ms mon client mode = crc
# Fail fast instead of Ceph's 300 s default when a daemon cannot reach the monitor.
client mount timeout = 30
rgw init timeout = 90
keyring = $DIR/keyring
run dir = $DIR/run
crash dir = $DIR/crash
mon cluster log file = $DIR/log/cluster.log
log to stderr = false
# One OSD: every pool has a single copy, placed on an OSD rather than on a host.
osd pool default size = 1
osd pool default min size = 1
# radosgw makes 8 pools; at the default 32 PGs each they would pass mon max pg per osd (250) on one OSD,
# and fewer PGs boot faster and use less memory.
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
osd crush chooseleaf type = 0
osd crush initial weight = 1
mon allow pool size one = true
mon allow pool delete = true
mon warn on pool no redundancy = false
mon max pg per osd = 1000
mon data avail warn = 2
mon data avail crit = 1
# Without cephx, global_id reclaim is moot: silence AUTH_INSECURE_GLOBAL_ID_RECLAIM_ALLOWED.
mon warn on insecure global id reclaim allowed = false
# radosgw creates its pools one monitor proposal at a time; the default 1 s interval makes boot ~8 s slower.
paxos propose interval = 0.1

[mon]
mon data = $DIR/\$name
pid file = $DIR/run/\$name.pid
admin socket = $DIR/run/\$name.asok
log file = $DIR/log/\$name.log

[osd]
osd data = $DIR/\$name
osd objectstore = memstore
memstore device bytes = $MEMSTORE_BYTES
osd op num shards = 1
osd op num threads per shard = 2
osd map cache size = 50
pid file = $DIR/run/\$name.pid
admin socket = $DIR/run/\$name.asok
log file = $DIR/log/\$name.log

[$RGW_NAME]
rgw frontends = beast endpoint=127.0.0.1:$PORT
rgw data = $DIR/rgw
rgw thread pool size = 32
rgw cache lru size = 1000
rgw dynamic resharding = false
rgw enable usage log = false
# Deleted objects' data (multipart parts, tails past the first 4 MB) goes back to the small memstore within a
# minute instead of the default two hours, so tests and benches that upload and delete large files do not fill it.
rgw gc obj min wait = 30
rgw gc processor period = 30
rgw gc processor max time = 30
pid file = $DIR/run/\$name.pid
admin socket = $DIR/run/\$name.asok
log file = $DIR/log/\$name.log
EOF
}

# Polls "$@" once a second until it succeeds or $1 seconds pass.
wait_for() {
  local seconds="$1" what="$2"
  shift 2
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || die "timed out after ${seconds}s waiting for $what"
    sleep 0.5
  done
}

mon_up() { ceph_cli mon stat; }
osd_up() { ceph_cli osd stat -f json | grep -q '"num_up_osds":1'; }

# Daemons fork into the background themselves. Their stdio goes to a file so no caller's pipe is held open,
# and fd 9 (the lock) is closed so a daemon never keeps holding the lock.
start_daemon() {
  local name="$1"
  shift
  timeout 120 "$@" 9>&- </dev/null >>"$DIR/log/$name.out" 2>&1 || die "$name failed to start"
}

cmd_start() {
  mkdir -p "$(dirname "$LOCK")"
  exec 9>"$LOCK"
  # Several test workers may call start at once: the first boots, the others wait and then see it running.
  flock -w "$((BOOT_TIMEOUT + 30))" 9 || die "could not take the lock $LOCK"

  if rig_running; then
    ensure_owner_user
    env_json >"$DIR/env.json"
    log "already running (gateway http://127.0.0.1:$PORT)"
    return 0
  fi
  for bin in ceph-mon ceph-osd radosgw radosgw-admin ceph ceph-authtool monmaptool; do
    command -v "$bin" >/dev/null || die "$bin not found: apt-get install ceph-mon ceph-osd radosgw ceph-common"
  done

  # A half-dead rig (a daemon crashed, the machine slept): memstore lost its data anyway, so start afresh.
  kill_daemons
  remove_dir
  if http_ok; then
    die "port $PORT already answers HTTP but not from this rig; set SIGNET_CEPH_PORT"
  fi

  # A failed boot must not leave daemons behind; the logs stay in $DIR/log until the next start or stop.
  trap 'if (($? != 0)); then kill_daemons; log "logs kept in $DIR/log"; fi' EXIT
  mkdir -p "$DIR"/{mon.a,osd.0,log,run,crash,rgw}
  touch "$DIR/$MARKER"
  local fsid osd_uuid
  fsid="$(cat /proc/sys/kernel/random/uuid)"
  osd_uuid="$(cat /proc/sys/kernel/random/uuid)"
  write_conf "$fsid"
  log "booting Ceph $(ceph --version | awk '{print $3}') in $DIR (gateway port $PORT, monitor port $MON_PORT)"

  # ceph-mon --mkfs insists on a keyring holding a mon. key even with auth none.
  ceph-authtool --create-keyring "$DIR/keyring" --gen-key -n mon. --cap mon 'allow *' >/dev/null
  monmaptool --create --clobber --fsid "$fsid" --addv a "[v2:127.0.0.1:$MON_PORT]" "$DIR/monmap" >/dev/null
  ceph-mon -c "$CONF" -i a --mkfs --monmap "$DIR/monmap" --keyring "$DIR/keyring" \
    >>"$DIR/log/mkfs.out" 2>&1 || die "ceph-mon --mkfs failed"
  start_daemon mon.a ceph-mon -c "$CONF" -i a
  wait_for 30 "the monitor" mon_up

  local osd_id
  osd_id="$(ceph_cli osd new "$osd_uuid")" || die "ceph osd new failed"
  [[ "$osd_id" == "0" ]] || die "expected osd id 0, got '$osd_id'"
  ceph-osd -c "$CONF" -i 0 --mkfs --osd-uuid "$osd_uuid" >>"$DIR/log/mkfs.out" 2>&1 || die "ceph-osd --mkfs failed"
  start_daemon osd.0 ceph-osd -c "$CONF" -i 0
  wait_for 60 "the OSD to be up" osd_up

  start_daemon "$RGW_NAME" radosgw -c "$CONF" -n "$RGW_NAME"
  wait_for "$BOOT_TIMEOUT" "the gateway on http://127.0.0.1:$PORT" http_ok

  # Idempotent: an existing user keeps its fixed keys.
  if ! timeout 60 radosgw-admin -c "$CONF" user info --uid "$S3_UID" >/dev/null 2>&1; then
    timeout 60 radosgw-admin -c "$CONF" user create --uid "$S3_UID" --display-name "Signet tests" \
      --access-key "$S3_ACCESS_KEY" --secret-key "$S3_SECRET_KEY" >>"$DIR/log/radosgw-admin.out" 2>&1 ||
      die "radosgw-admin user create failed"
  fi
  ensure_owner_user
  env_json >"$DIR/env.json"
  rig_running || die "the rig did not come up"
  trap - EXIT
  log "ready: http://127.0.0.1:$PORT"
}

cmd_stop() {
  mkdir -p "$(dirname "$LOCK")"
  exec 9>"$LOCK"
  flock -w 60 9 || die "could not take the lock $LOCK"
  kill_daemons
  remove_dir
  log "stopped"
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) http_ok ;;
  env) env_json ;;
  *)
    echo "usage: $0 start|stop|status|env" >&2
    exit 2
    ;;
esac
