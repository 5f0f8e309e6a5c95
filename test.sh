#!/usr/bin/env bash
#
# Runs Berth's whole test suite. On a fresh Debian 12 machine, as root:
#
#     ./test.sh                 # everything
#     ./test.sh -pl core        # extra arguments go to Maven
#
# It installs what the tests need when it is missing (a JDK and Maven, PostgreSQL, docker.io,
# busybox-static), starts PostgreSQL, creates the role `berth` (password `berth`) and the database
# `berth_test` it owns, starts dockerd plus a second dockerd on /run/berth-docker2.sock (Docker migration
# tests), exports BERTH_TEST_POSTGRES_URL / _USER / _PASSWORD and BERTH_TEST_DOCKER2_HOST and runs
# `mvn -B verify`. Every step is idempotent, so a
# second run just runs the tests again. The set-up is silent when it works; when a step fails, its
# output is printed.
#
# Sourcing the script only defines its functions (nothing is installed, started or run), so that other
# tooling can call them one by one:
#
#     BERTH_TEST_SH_SOURCE_ONLY=1 source ./test.sh && ensure_docker
#     bash -c 'source ./test.sh --functions-only && ensure_docker'
#
if [[ "${BASH_SOURCE[0]}" != "$0" ]]; then
    _berth_caller_shell_options=$(set +o)   # restored at the end when sourced
fi
set -euo pipefail

BERTH_PG_PORT=5432
BERTH_PG_DATABASE=berth_test
BERTH_PG_USER=berth
BERTH_PG_PASSWORD=berth

# ---------------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------------

# Prints a message to stderr and fails.
berth_die() {
    printf 'test.sh: %s\n' "$*" >&2
    return 1
}

# Runs a command, showing its output only when it fails.
berth_quiet() {
    local out rc=0
    out=$("$@" 2>&1) || rc=$?
    if ((rc != 0)); then
        printf '%s\n' "$out" >&2
        printf 'test.sh: failed (exit %d): %s\n' "$rc" "$*" >&2
    fi
    return "$rc"
}

# Runs a command as root (directly when already root, else through sudo).
berth_as_root() {
    if ((EUID == 0)); then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        berth_die "needs root (or sudo) to run: $*"
    fi
}

# Runs a command as the postgres OS user, from / so that it can always read its working directory.
berth_as_postgres() {
    (cd / && berth_as_root runuser -u postgres -- "$@")
}

# Installs Debian packages quietly. `apt-get update` runs only when the package lists are missing or an
# install fails with the lists present (they may be stale on an old image).
berth_apt_install() {
    local lists
    lists=$(find /var/lib/apt/lists -maxdepth 1 -name '*_Packages*' -print -quit 2>/dev/null || true)
    if [[ -z "$lists" ]]; then
        berth_quiet berth_as_root apt-get update -qq || return 1
    fi
    if ! berth_quiet berth_as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" 2>/dev/null; then
        berth_quiet berth_as_root apt-get update -qq || return 1
        berth_quiet berth_as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" || return 1
    fi
}

# Waits until a command succeeds, polling once a second for at most $1 seconds.
berth_wait_for() {
    local seconds=$1 i
    shift
    for ((i = 0; i < seconds; i++)); do
        if "$@" >/dev/null 2>&1; then
            return 0
        fi
        sleep 1
    done
    "$@" >/dev/null 2>&1
}

# ---------------------------------------------------------------------------------------------------
# build tools
# ---------------------------------------------------------------------------------------------------

# Installs a JDK 17 and Maven when `javac` or `mvn` is missing.
ensure_build_tools() {
    if command -v mvn >/dev/null 2>&1 && command -v javac >/dev/null 2>&1; then
        return 0
    fi
    berth_apt_install openjdk-17-jdk-headless maven || { berth_die "cannot install a JDK and Maven"; return; }
}

# ---------------------------------------------------------------------------------------------------
# PostgreSQL
# ---------------------------------------------------------------------------------------------------

# Installs PostgreSQL when it is missing.
ensure_postgres_installed() {
    if command -v pg_lsclusters >/dev/null 2>&1 && compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null; then
        return 0
    fi
    berth_apt_install postgresql || { berth_die "cannot install PostgreSQL"; return; }
}

# Prints "<version> <cluster> <status>" of the cluster on $BERTH_PG_PORT, if there is one.
berth_pg_cluster() {
    pg_lsclusters -h 2>/dev/null | awk -v port="$BERTH_PG_PORT" '$3 == port { print $1, $2, $4; exit }'
}

# Starts the PostgreSQL cluster on $BERTH_PG_PORT (creating one with the newest installed version if there
# is none) and waits until it accepts connections. A cluster that is already running is left alone.
ensure_postgres_running() {
    local cluster version name status
    cluster=$(berth_pg_cluster)
    if [[ -z "$cluster" ]]; then
        version=$(find /usr/lib/postgresql -mindepth 1 -maxdepth 1 -printf '%f\n' 2>/dev/null | sort -V | tail -n 1)
        [[ -n "$version" ]] || { berth_die "PostgreSQL is installed but no server version was found"; return; }
        if pg_lsclusters -h 2>/dev/null | awk '{ print $1, $2 }' | grep -qx "$version main"; then
            berth_die "cluster $version/main exists but does not listen on port $BERTH_PG_PORT"
            return
        fi
        berth_quiet berth_as_root pg_createcluster --port "$BERTH_PG_PORT" "$version" main || return 1
        cluster=$(berth_pg_cluster)
        [[ -n "$cluster" ]] || { berth_die "cannot create a PostgreSQL cluster on port $BERTH_PG_PORT"; return; }
    fi
    read -r version name status <<<"$cluster"
    if [[ "$status" != online* ]]; then
        # pg_ctlcluster exits 2 when the cluster is already running (started meanwhile): check, don't trust
        if ! berth_quiet berth_as_root pg_ctlcluster "$version" "$name" start; then
            [[ "$(berth_pg_cluster)" == *" online"* ]] || { berth_die "cannot start PostgreSQL $version/$name"; return; }
        fi
    fi
    berth_wait_for 30 pg_isready -q -h 127.0.0.1 -p "$BERTH_PG_PORT" \
        || { berth_die "PostgreSQL $version/$name does not answer on 127.0.0.1:$BERTH_PG_PORT"; return; }
}

# Runs SQL as the postgres superuser; prints unaligned tuples only.
berth_psql_admin() {
    berth_as_postgres psql -X -q -t -A -v ON_ERROR_STOP=1 -p "$BERTH_PG_PORT" -d postgres -c "$1"
}

# Creates the role and the test database when absent; (re)sets the role's password and the owner, so that
# a half-configured machine is repaired too.
ensure_postgres_database() {
    berth_psql_admin "DO \$\$ BEGIN
            IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$BERTH_PG_USER') THEN
                CREATE ROLE $BERTH_PG_USER LOGIN PASSWORD '$BERTH_PG_PASSWORD';
            ELSE
                ALTER ROLE $BERTH_PG_USER LOGIN PASSWORD '$BERTH_PG_PASSWORD';
            END IF;
        END \$\$;" >/dev/null || { berth_die "cannot create role $BERTH_PG_USER"; return; }
    if [[ "$(berth_psql_admin "SELECT 1 FROM pg_database WHERE datname = '$BERTH_PG_DATABASE'")" != 1 ]]; then
        berth_psql_admin "CREATE DATABASE $BERTH_PG_DATABASE OWNER $BERTH_PG_USER" >/dev/null \
            || { berth_die "cannot create database $BERTH_PG_DATABASE"; return; }
    else
        berth_psql_admin "ALTER DATABASE $BERTH_PG_DATABASE OWNER TO $BERTH_PG_USER" >/dev/null \
            || { berth_die "cannot give database $BERTH_PG_DATABASE to $BERTH_PG_USER"; return; }
    fi
    # the tests log in with a password over TCP: prove that works before Maven starts
    PGPASSWORD=$BERTH_PG_PASSWORD PGCONNECT_TIMEOUT=10 psql -X -q -t -A -h 127.0.0.1 -p "$BERTH_PG_PORT" \
        -U "$BERTH_PG_USER" -d "$BERTH_PG_DATABASE" -c 'SELECT 1' >/dev/null \
        || { berth_die "$BERTH_PG_USER cannot log in to $BERTH_PG_DATABASE over TCP 127.0.0.1:$BERTH_PG_PORT"; return; }
}

# All of the above, in order.
ensure_postgres() {
    ensure_postgres_installed || return
    ensure_postgres_running || return
    ensure_postgres_database
}

# ---------------------------------------------------------------------------------------------------
# Docker: the shared daemon on /var/run/docker.sock, a second daemon for migration tests, busybox-static
# for the test app image (dev.berth.testkit.image.TestAppImage)
# ---------------------------------------------------------------------------------------------------

BERTH_DOCKERD_LOG=${BERTH_DOCKERD_LOG:-/var/log/berth-dockerd.log}
BERTH_DOCKER2_SOCKET=${BERTH_DOCKER2_SOCKET:-/run/berth-docker2.sock}
BERTH_DOCKER2_ROOT=${BERTH_DOCKER2_ROOT:-/var/lib/berth-docker2}
BERTH_DOCKER2_LOG=${BERTH_DOCKER2_LOG:-/var/log/berth-docker2.log}

# Makes `docker info` work: installs docker.io when dockerd is missing and, when no daemon answers, starts
# dockerd in the background (detached, logging to $BERTH_DOCKERD_LOG) and waits up to 60 s for it.
ensure_docker() {
    if docker info >/dev/null 2>&1; then
        return 0
    fi
    if ! command -v dockerd >/dev/null 2>&1; then
        berth_apt_install docker.io || { berth_die "cannot install docker.io"; return; }
        if docker info >/dev/null 2>&1; then   # on a systemd machine the package starts the daemon
            return 0
        fi
    fi
    local pid=""
    if [[ -r /var/run/docker.pid ]]; then
        pid=$(cat /var/run/docker.pid 2>/dev/null || true)
    fi
    if [[ -z "$pid" ]] || ! kill -0 "$pid" 2>/dev/null; then
        berth_as_root setsid nohup dockerd >>"$BERTH_DOCKERD_LOG" 2>&1 </dev/null &
    fi
    if ! berth_wait_for 60 docker info; then
        tail -n 20 "$BERTH_DOCKERD_LOG" >&2 2>/dev/null || true
        berth_die "dockerd did not answer within 60 s (log: $BERTH_DOCKERD_LOG)"
        return
    fi
}

# Makes a second, independent Docker daemon answer on $BERTH_DOCKER2_SOCKET (the Docker backend's migration
# tests move instances between two hosts). It has its own data, exec and pid paths, no default bridge and
# its own address pool (so its networks never overlap the first daemon's) and leaves iptables to the first
# daemon. Started detached, logging to $BERTH_DOCKER2_LOG; a running one is left alone.
ensure_second_docker() {
    ensure_docker || return
    ensure_second_docker_forwarding || return
    if docker -H "unix://$BERTH_DOCKER2_SOCKET" info >/dev/null 2>&1; then
        return 0
    fi
    local pid=""
    if [[ -r "$BERTH_DOCKER2_ROOT.pid" ]]; then
        pid=$(cat "$BERTH_DOCKER2_ROOT.pid" 2>/dev/null || true)
    fi
    if [[ -z "$pid" ]] || ! kill -0 "$pid" 2>/dev/null; then
        berth_as_root mkdir -p "$BERTH_DOCKER2_ROOT" /run/berth-docker2
        berth_as_root setsid nohup dockerd \
            -H "unix://$BERTH_DOCKER2_SOCKET" \
            --data-root "$BERTH_DOCKER2_ROOT" \
            --exec-root /run/berth-docker2 \
            --pidfile "$BERTH_DOCKER2_ROOT.pid" \
            --bridge=none \
            --iptables=false \
            --ip-masq=false \
            --default-address-pool base=10.213.0.0/16,size=24 \
            --cgroup-parent berth-docker2 \
            >>"$BERTH_DOCKER2_LOG" 2>&1 </dev/null &
    fi
    if ! berth_wait_for 60 docker -H "unix://$BERTH_DOCKER2_SOCKET" info; then
        tail -n 20 "$BERTH_DOCKER2_LOG" >&2 2>/dev/null || true
        berth_die "the second dockerd did not answer on $BERTH_DOCKER2_SOCKET within 60 s (log: $BERTH_DOCKER2_LOG)"
        return
    fi
}

# The first daemon sets the FORWARD policy to DROP and accepts only its own bridges; without this rule the
# second daemon's containers (it leaves iptables alone) could not talk to each other. Tenant isolation is
# tested on the first daemon.
ensure_second_docker_forwarding() {
    command -v iptables >/dev/null 2>&1 || return 0
    if ! berth_as_root iptables -C FORWARD -s 10.213.0.0/16 -d 10.213.0.0/16 -j ACCEPT 2>/dev/null; then
        berth_quiet berth_as_root iptables -I FORWARD -s 10.213.0.0/16 -d 10.213.0.0/16 -j ACCEPT \
            || { berth_die "cannot let the second dockerd's containers reach each other"; return; }
    fi
}

# Installs Debian's busybox-static (/bin/busybox), the rootfs of the test app image.
ensure_busybox_static() {
    if [[ -x /bin/busybox ]] && dpkg -s busybox-static >/dev/null 2>&1; then
        return 0
    fi
    berth_apt_install busybox-static || { berth_die "cannot install busybox-static"; return; }
}

# Everything the Docker backend's integration tests need.
ensure_docker_test_env() {
    ensure_docker || return
    ensure_second_docker || return
    ensure_busybox_static
}

# ---------------------------------------------------------------------------------------------------
# Kubernetes test API server (backend-k3s's integration tests)
# ---------------------------------------------------------------------------------------------------

# Builds kube-apiserver + kube-controller-manager v1.20.2 from Debian's sources once into
# $BERTH_KUBE_CACHE (default /var/cache/berth-kube/v1.20.2; about 11 min on 2 busy cores, then reused),
# starts them with Debian's etcd on loopback (idempotent) and exports BERTH_TEST_KUBECONFIG.
ensure_kube_test_server() {
    local script
    script="$(dirname "${BASH_SOURCE[0]}")/backend-k3s/scripts/kube-test-server.sh"
    if ! command -v curl >/dev/null 2>&1 || ! command -v openssl >/dev/null 2>&1; then
        berth_apt_install curl openssl ca-certificates || { berth_die "cannot install curl and openssl"; return; }
    fi
    eval "$("$script" env)"
    export BERTH_TEST_KUBECONFIG
    if [[ -x ${BERTH_KUBE_CACHE:-/var/cache/berth-kube/v1.20.2}/bin/kube-apiserver ]]; then
        berth_quiet "$script" start || { berth_die "cannot start the Kubernetes test API server"; return; }
        return 0
    fi
    # First run on this machine: the build takes about 7 minutes of both cores. It runs in the background while
    # Maven builds and tests the modules that do not need it; backend-k3s's integration tests wait for the exit
    # status file (and fail with the log if the build or start failed).
    local run=${BERTH_KUBE_RUN:-/var/tmp/berth-kube-run}
    mkdir -p "$run"
    rm -f "$run/start-status"
    printf 'test.sh: building the Kubernetes test API server from Debian sources in the background (first run only; log %s)\n' \
        "$run/start.log" >&2
    setsid nohup bash -c 'nice -n 10 "$1" start >"$2/start.log" 2>&1; echo $? >"$2/start-status"' _ "$script" "$run" \
        </dev/null >/dev/null 2>&1 &
    export BERTH_TEST_KUBE_START_STATUS="$run/start-status" BERTH_TEST_KUBE_START_LOG="$run/start.log"
}

# ---------------------------------------------------------------------------------------------------
# Real app images (AppsIT)
# ---------------------------------------------------------------------------------------------------

# Starts building the real app images (n8n from npm, WordPress and MariaDB from Debian; see
# testkit/scripts/app-images.sh) in the background, once per machine: the script keeps images whose recipe is
# unchanged, so a warm machine's build ends at once. AppsIT waits for $BERTH_APPS_RUN/status.
ensure_app_images() {
    local script
    script="$(dirname "${BASH_SOURCE[0]}")/testkit/scripts/app-images.sh"
    if ! command -v debootstrap >/dev/null 2>&1; then
        berth_apt_install debootstrap || { berth_die "cannot install debootstrap"; return; }
    fi
    command -v npm >/dev/null 2>&1 || berth_apt_install npm || { berth_die "cannot install npm"; return; }
    export BERTH_APPS_RUN=${BERTH_APPS_RUN:-/var/tmp/berth-apps}
    berth_quiet "$script" background all || { berth_die "cannot start the app image build"; return; }
}

# ---------------------------------------------------------------------------------------------------
# main
# ---------------------------------------------------------------------------------------------------

main() {
    cd "$(dirname "${BASH_SOURCE[0]}")"
    ensure_build_tools || exit
    ensure_postgres || exit
    ensure_docker_test_env || exit
    export BERTH_TEST_DOCKER2_HOST="unix://$BERTH_DOCKER2_SOCKET"
    ensure_kube_test_server || exit
    ensure_app_images || exit

    export BERTH_TEST_POSTGRES_URL="jdbc:postgresql://127.0.0.1:$BERTH_PG_PORT/$BERTH_PG_DATABASE"
    export BERTH_TEST_POSTGRES_USER=$BERTH_PG_USER
    export BERTH_TEST_POSTGRES_PASSWORD=$BERTH_PG_PASSWORD

    # every instance secret the tests generate is listed here (see core's SecretLedger), and no test log may hold one
    local ledger rc=0
    ledger=$(mktemp /tmp/berth-secret-ledger.XXXXXX)
    export BERTH_TEST_SECRET_LEDGER=$ledger
    mvn -B verify "$@" || rc=$?
    check_no_secret_in_logs "$ledger" || rc=1
    rm -f "$ledger"
    return "$rc"
}

# Fails when a test log (surefire/failsafe output and reports) holds a secret from the ledger or a bcrypt hash.
check_no_secret_in_logs() {
    local ledger=$1 logs
    mapfile -t logs < <(find . -path '*/target/surefire-reports/*' -o -path '*/target/failsafe-reports/*' | grep -E '\.(txt|xml)$')
    ((${#logs[@]})) || return 0
    local secrets hits
    secrets=$(sort -u "$ledger" | grep -c . || true)
    hits=$( { if [[ -s $ledger ]]; then sort -u "$ledger" | grep -Flf - "${logs[@]}"; fi
              grep -lE '\$2[aby]\$[0-9]{2}\$[./A-Za-z0-9]{53}' "${logs[@]}"; } | sort -u || true)
    if [[ -n $hits ]]; then
        printf 'test.sh: a generated secret or password hash appears in these test logs:\n%s\n' "$hits" >&2
        return 1
    fi
    printf 'test.sh: no secret in %d test logs (%d generated secrets checked)\n' "${#logs[@]}" "$secrets" >&2
}

# Sourced (with BERTH_TEST_SH_SOURCE_ONLY=1, --functions-only or neither): define the functions only and
# give the caller its shell options back. The functions return non-zero on failure rather than exiting.
if [[ "${BASH_SOURCE[0]}" != "$0" ]]; then
    eval "$_berth_caller_shell_options"
    unset _berth_caller_shell_options
    return 0
fi

main "$@"
