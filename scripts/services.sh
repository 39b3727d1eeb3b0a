#!/usr/bin/env bash
# Local PostgreSQL + Redis for tests and development, on loopback, per checkout.
#
#   bash scripts/services.sh up      # install what is missing, start (or reuse); prints env file path
#   bash scripts/services.sh down    # stop both
#   bash scripts/services.sh status  # say what runs
#   bash scripts/services.sh env     # print the env file path (source it for DATABASE_URL, REDIS_URL)
#
# State lives in $EVALCONSOLE_SERVICES_DIR, by default /tmp/evalconsole-services-<sha1(repo path)[:8]>,
# so two checkouts on one machine never share a cluster or a port.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
STATE_DIR=${EVALCONSOLE_SERVICES_DIR:-/tmp/evalconsole-services-$(printf '%s' "$ROOT" | sha1sum | cut -c1-8)}
ENV_FILE=$STATE_DIR/env
PG_DATA=$STATE_DIR/pg/data          # owned by the postgres user when we run as root
PG_SOCK=$STATE_DIR/pg/run           # unix socket dir (private: local connections are trusted)
PG_LOG=$STATE_DIR/pg/postgres.log
REDIS_DIR=$STATE_DIR/redis
REDIS_PID=$REDIS_DIR/redis.pid
REDIS_LOG=$REDIS_DIR/redis.log
DB_NAME=evalconsole DB_USER=evalconsole DB_PASSWORD=evalconsole
READY_TIMEOUT=${EVALCONSOLE_SERVICES_TIMEOUT:-60}   # seconds

log() { printf 'services: %s\n' "$*" >&2; }
die() { printf 'services: error: %s\n' "$*" >&2; exit 1; }

# Last lines of a log, for error messages.
log_tail() { [[ -f $1 ]] && { printf -- '--- last lines of %s ---\n' "$1"; tail -n 30 "$1"; } >&2 || true; }

# True if pid is a live (not zombie) process whose name starts with $2. A killed daemon stays a
# zombie until its parent (often pid 1 in a container) reaps it, and kill -0 succeeds on zombies.
proc_alive() {
    local stat
    [[ $1 =~ ^[0-9]+$ ]] && stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
    [[ ${stat##*) } != [ZX]* && $(cat "/proc/$1/comm" 2>/dev/null) == "$2"* ]]
}

# True if the process runs a binary that has since been replaced on disk (a package upgrade):
# such a server must be restarted, e.g. an old postgres cannot load the new plpgsql.so.
proc_stale() { [[ $(readlink "/proc/$1/exe" 2>/dev/null) == *" (deleted)" ]]; }

# ---------------------------------------------------------------- installation

pg_bindir() {
    # Prefer 15 (what CI and docker-compose use), else the newest installed.
    local d
    for d in /usr/lib/postgresql/15/bin $(printf "%s\n" /usr/lib/postgresql/*/bin | sort -V -r); do
        [[ -x $d/initdb && -x $d/pg_ctl && -x $d/postgres ]] && { echo "$d"; return 0; }
    done
    return 1
}

wait_for_dpkg() {
    # Another apt/dpkg may be running (e.g. provisioning in the background): wait for it.
    local waited=0
    while fuser /var/lib/dpkg/lock-frontend /var/lib/dpkg/lock /var/lib/apt/lists/lock >/dev/null 2>&1; do
        ((waited % 30 == 0)) && log "waiting for another apt/dpkg to finish (${waited}s)..."
        ((waited >= 1200)) && die "apt/dpkg is still locked after ${waited}s; try again later"
        sleep 2; waited=$((waited + 2))
    done
}

ensure_packages() {
    local missing=()
    pg_bindir >/dev/null || {
        # Debian bookworm ships 15 as postgresql-15; elsewhere fall back to the default version.
        if apt-cache show postgresql-15 >/dev/null 2>&1; then missing+=(postgresql-15); else missing+=(postgresql); fi
    }
    command -v redis-server >/dev/null || missing+=(redis-server)
    command -v redis-cli >/dev/null || missing+=(redis-tools)
    [[ -x /usr/bin/chromium ]] || missing+=(chromium)   # headless browser tests use /usr/bin/chromium
    ((${#missing[@]})) || return 0

    [[ $EUID -eq 0 ]] || die "missing: ${missing[*]}. Install them (sudo apt-get install ${missing[*]}) or rerun as root."
    command -v apt-get >/dev/null || die "missing: ${missing[*]}, and apt-get is not available to install them"
    log "installing: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    local apt=(apt-get -o DPkg::Lock::Timeout=600 -y -q)
    wait_for_dpkg
    "${apt[@]}" update >&2
    wait_for_dpkg
    "${apt[@]}" install --no-install-recommends "${missing[@]}" >&2
    pg_bindir >/dev/null || die "PostgreSQL server binaries still not found under /usr/lib/postgresql/*/bin"
}

# ---------------------------------------------------------------- ports

port_free() {
    # SO_REUSEADDR like the servers themselves, so connections in TIME_WAIT (left by a server
    # we just stopped) do not make its port look taken.
    python3 - "$1" <<'EOF'
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
try:
    s.bind(("127.0.0.1", int(sys.argv[1])))
except OSError:
    sys.exit(1)
EOF
}

new_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Port recorded in $STATE_DIR/<name>.port if still free, else a fresh free one (recorded).
choose_port() {
    local file=$STATE_DIR/$1.port port=""
    [[ -s $file ]] && port=$(<"$file")
    if [[ ! $port =~ ^[0-9]+$ ]] || ! port_free "$port"; then
        port=$(new_port)
        echo "$port" >"$file"
    fi
    echo "$port"
}

recorded_port() { [[ -s $STATE_DIR/$1.port ]] && cat "$STATE_DIR/$1.port" || true; }

# ---------------------------------------------------------------- postgres

# PostgreSQL refuses to run as root: as root, run the cluster as the postgres user.
as_pg() {
    if [[ $EUID -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_pid() { [[ -s $PG_DATA/postmaster.pid ]] && head -n 1 "$PG_DATA/postmaster.pid"; }

pg_running() {
    local bin port
    bin=$(pg_bindir 2>/dev/null) || return 1
    port=$(recorded_port pg)
    [[ -n $port ]] && proc_alive "$(pg_pid)" postgres && ! proc_stale "$(pg_pid)" &&
        "$bin/pg_isready" -q -h 127.0.0.1 -p "$port" -t 3
}

pg_init() {
    local bin=$1
    [[ -f $PG_DATA/PG_VERSION ]] && return 0
    log "creating PostgreSQL cluster in $PG_DATA"
    rm -rf "$STATE_DIR/pg"
    mkdir -p "$PG_DATA" "$PG_SOCK"
    chmod 700 "$PG_DATA" "$PG_SOCK"
    if [[ $EUID -eq 0 ]]; then
        chown -R postgres: "$STATE_DIR/pg"
        runuser -u postgres -- test -w "$PG_DATA" ||
            die "the postgres user cannot reach $PG_DATA (is a parent directory private?); set EVALCONSOLE_SERVICES_DIR elsewhere, e.g. under /tmp"
    fi
    # Local (socket) connections: trust, the socket dir is private. TCP: password.
    as_pg "$bin/initdb" -D "$PG_DATA" -U postgres -E UTF8 --locale=C.UTF-8 \
        --auth-local=trust --auth-host=scram-sha-256 >"$STATE_DIR/pg/initdb.log" 2>&1 ||
        { log_tail "$STATE_DIR/pg/initdb.log"; die "initdb failed"; }
    echo "include_if_exists = 'evalconsole.conf'" >>"$PG_DATA/postgresql.conf"
}

pg_start() {
    local bin port i
    bin=$(pg_bindir)
    pg_stop   # a server that runs but does not answer: restart it
    pg_init "$bin"
    port=$(choose_port pg)
    # A disposable test cluster: durability is traded for speed. Never use these settings for real data.
    cat >"$PG_DATA/evalconsole.conf" <<EOF
# Written by scripts/services.sh on each start. Disposable test cluster: no durability.
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$PG_SOCK'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 200
EOF
    [[ $EUID -eq 0 ]] && chown postgres: "$PG_DATA/evalconsole.conf"
    as_pg touch "$PG_LOG"
    log "starting PostgreSQL on 127.0.0.1:$port"
    as_pg "$bin/pg_ctl" start -D "$PG_DATA" -l "$PG_LOG" -w -t "$READY_TIMEOUT" >/dev/null 2>&1 9>&- ||
        { log_tail "$PG_LOG"; die "PostgreSQL did not start (log: $PG_LOG)"; }
    for ((i = 0; i < READY_TIMEOUT * 2; i++)); do
        "$bin/pg_isready" -q -h 127.0.0.1 -p "$port" -t 2 && return 0
        sleep 0.5
    done
    log_tail "$PG_LOG"
    die "PostgreSQL on 127.0.0.1:$port not ready after ${READY_TIMEOUT}s (log: $PG_LOG)"
}

pg_provision() {
    local bin port
    bin=$(pg_bindir)
    port=$(recorded_port pg)
    # Superuser so tests can create and drop the test database. Idempotent.
    as_pg "$bin/psql" -X -q -v ON_ERROR_STOP=1 -h "$PG_SOCK" -p "$port" -U postgres -d postgres >/dev/null <<EOF
SELECT format('CREATE ROLE %I', '$DB_USER') WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$DB_USER')\gexec
ALTER ROLE $DB_USER WITH LOGIN SUPERUSER PASSWORD '$DB_PASSWORD';
SELECT format('CREATE DATABASE %I OWNER %I', '$DB_NAME', '$DB_USER') WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$DB_NAME')\gexec
EOF
}

pg_stop() {
    local bin
    bin=$(pg_bindir 2>/dev/null) || return 0
    [[ -f $PG_DATA/postmaster.pid ]] || return 0
    if proc_alive "$(pg_pid)" postgres; then
        log "stopping PostgreSQL"
        as_pg "$bin/pg_ctl" stop -D "$PG_DATA" -m fast -w -t "$READY_TIMEOUT" >/dev/null ||
            die "PostgreSQL did not stop (log: $PG_LOG)"
    else
        # Crashed or killed. Its lock files may name a zombie postmaster, which PostgreSQL and
        # pg_ctl take for a live one: remove them.
        log "removing stale PostgreSQL lock files"
        rm -f "$PG_DATA/postmaster.pid" "$PG_SOCK"/.s.PGSQL.*
    fi
}

# ---------------------------------------------------------------- redis

redis_pid() {
    # The pid from our pidfile, only if that process is a live redis-server.
    local pid
    [[ -s $REDIS_PID ]] || return 1
    pid=$(<"$REDIS_PID")
    proc_alive "$pid" redis && echo "$pid"
}

redis_running() {
    local port
    port=$(recorded_port redis)
    [[ -n $port ]] && redis_pid >/dev/null && ! proc_stale "$(redis_pid)" &&
        [[ $(timeout 3 redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null) == PONG ]]
}

redis_start() {
    local port i
    redis_stop   # a server that runs but does not answer: restart it
    port=$(choose_port redis)
    mkdir -p "$REDIS_DIR"
    rm -f "$REDIS_PID"
    log "starting Redis on 127.0.0.1:$port"
    # No persistence: a cache and broker for tests.
    redis-server --bind 127.0.0.1 --port "$port" --daemonize yes \
        --pidfile "$REDIS_PID" --logfile "$REDIS_LOG" --dir "$REDIS_DIR" \
        --save "" --appendonly no >/dev/null 9>&- ||
        { log_tail "$REDIS_LOG"; die "redis-server failed to start (log: $REDIS_LOG)"; }
    for ((i = 0; i < READY_TIMEOUT * 2; i++)); do
        [[ $(timeout 3 redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null) == PONG ]] && return 0
        sleep 0.5
    done
    log_tail "$REDIS_LOG"
    die "Redis on 127.0.0.1:$port not ready after ${READY_TIMEOUT}s (log: $REDIS_LOG)"
}

redis_stop() {
    local pid i
    pid=$(redis_pid) || { rm -f "$REDIS_PID"; return 0; }
    log "stopping Redis"
    kill -TERM "$pid"   # redis saves nothing (--save ""), then exits
    for ((i = 0; i < READY_TIMEOUT * 2; i++)); do
        proc_alive "$pid" redis || { rm -f "$REDIS_PID"; return 0; }
        sleep 0.5
    done
    die "Redis (pid $pid) did not stop (log: $REDIS_LOG)"
}

# ---------------------------------------------------------------- commands

write_env() {
    local tmp=$ENV_FILE.tmp
    cat >"$tmp" <<EOF
# Written by scripts/services.sh up. Source this file.
export DATABASE_URL=postgres://$DB_USER:$DB_PASSWORD@127.0.0.1:$(recorded_port pg)/$DB_NAME
export REDIS_URL=redis://127.0.0.1:$(recorded_port redis)/0
EOF
    mv -f "$tmp" "$ENV_FILE"
}

lock_state() {
    # Serialise concurrent up/down on the same state dir (e.g. make -j). The daemons are started
    # with fd 9 closed (9>&-): if they inherited it they would hold the lock for their lifetime.
    mkdir -p "$STATE_DIR"
    exec 9>"$STATE_DIR/.lock"
    flock -w 600 9 || die "could not lock $STATE_DIR/.lock"
}

cmd_up() {
    ensure_packages
    lock_state
    local pg=reused redis=reused
    pg_running || { pg_start; pg=started; }
    pg_provision
    redis_running || { redis_start; redis=started; }
    write_env
    log "PostgreSQL 127.0.0.1:$(recorded_port pg) ($pg), Redis 127.0.0.1:$(recorded_port redis) ($redis); env: $ENV_FILE"
    echo "$ENV_FILE"
}

cmd_down() {
    [[ -d $STATE_DIR ]] || { log "nothing to stop ($STATE_DIR does not exist)"; return 0; }
    lock_state
    pg_stop
    redis_stop
    log "stopped (state kept in $STATE_DIR)"
}

cmd_status() {
    local rc=0
    echo "state dir: $STATE_DIR"
    local stale="running a binary replaced since (package upgrade); 'up' restarts it"
    if pg_running; then echo "postgresql: running on 127.0.0.1:$(recorded_port pg)"
    elif proc_alive "$(pg_pid 2>/dev/null)" postgres && proc_stale "$(pg_pid)"; then echo "postgresql: $stale"; rc=3
    else echo "postgresql: not running"; rc=3; fi
    if redis_running; then echo "redis: running on 127.0.0.1:$(recorded_port redis) (pid $(redis_pid))"
    elif redis_pid >/dev/null && proc_stale "$(redis_pid)"; then echo "redis: $stale"; rc=3
    else echo "redis: not running"; rc=3; fi
    [[ -f $ENV_FILE ]] && echo "env file: $ENV_FILE"
    return $rc
}

case ${1:-} in
    up) cmd_up ;;
    down) cmd_down ;;
    status) cmd_status ;;
    env) echo "$ENV_FILE" ;;
    *) echo "usage: $0 up|down|status|env" >&2; exit 2 ;;
esac
