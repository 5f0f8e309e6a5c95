#!/usr/bin/env bash
#
# A real Kubernetes API server for backend-k3s's integration tests: kube-apiserver and kube-controller-manager
# v1.20.2 built from Debian bookworm's `kubernetes` source package with Debian's Go 1.19, against Debian's etcd,
# all on loopback with a static bearer token. LOOPBACK TEST FIXTURE ONLY (system:masters token, AlwaysAllow).
#
#     kube-test-server.sh build    # builds the binaries once into $BERTH_KUBE_CACHE (reused when present)
#     kube-test-server.sh start    # build (if needed), then start etcd + apiserver + controller-manager (idempotent)
#     kube-test-server.sh stop     # stops what start started
#     kube-test-server.sh status   # exit 0 when the API server answers /readyz
#     kube-test-server.sh env      # prints `export BERTH_TEST_KUBECONFIG=...` for the tests
#
# No kubelet runs: tests register Node objects and stand in for the kubelet themselves (bind pods, write their
# status). The node-lifecycle controller is therefore off; it would mark those nodes unreachable for lack of
# heartbeats and evict their pods.
#
# Everything comes from Debian's package archive (no GitHub, no Go proxy): see
# /work/shared/reference/kubernetes.md section 3.4 for the recipe this script follows.
#
# Environment:
#   BERTH_KUBE_CACHE     where the binaries live         (default /var/cache/berth-kube/v1.20.2)
#   BERTH_KUBE_BUILD     scratch dir for the build       (default /var/tmp/berth-kube-build, deleted after success)
#   BERTH_KUBE_RUN       runtime dir (etcd data, pki, logs, kubeconfig) (default /var/tmp/berth-kube-run)
#   BERTH_KUBE_PORT      apiserver secure port           (default 16443)
#   BERTH_KUBE_ETCD_PORT etcd client port (peer = +1)    (default 12379)
#
set -euo pipefail

K8S_DEB_VERSION=1.20.5+really1.20.2-1.1+deb12u1
K8S_GIT_VERSION=v1.20.2
CACHE=${BERTH_KUBE_CACHE:-/var/cache/berth-kube/v1.20.2}
BUILD=${BERTH_KUBE_BUILD:-/var/tmp/berth-kube-build}
RUN=${BERTH_KUBE_RUN:-/var/tmp/berth-kube-run}
PORT=${BERTH_KUBE_PORT:-16443}
ETCD_PORT=${BERTH_KUBE_ETCD_PORT:-12379}
TOKEN=berth-test-token

die() { printf 'kube-test-server: %s\n' "$*" >&2; exit 1; }
log() { printf 'kube-test-server: %s\n' "$*" >&2; }

as_root() { if ((EUID == 0)); then "$@"; else sudo "$@"; fi; }

built() { [[ -x $CACHE/bin/kube-apiserver && -x $CACHE/bin/kube-controller-manager && -x $CACHE/bin/etcd ]]; }

# --------------------------------------------------------------------------------------------------------------
# build
# --------------------------------------------------------------------------------------------------------------

# A private apt configuration (own sources list with deb-src, own lists/cache dirs) so that the machine's apt
# state is neither needed nor changed.
apt_private() {
    apt-get -q -o Dir::Etc::sourcelist="$BUILD/apt/sources.list" -o Dir::Etc::sourceparts=- \
        -o Dir::State::Lists="$BUILD/apt/lists" -o Dir::Cache="$BUILD/apt/cache" \
        -o Debug::NoLocking=1 -o APT::Sandbox::User=root "$@"
}

fetch_inputs() {
    mkdir -p "$BUILD/apt/lists/partial" "$BUILD/apt/cache/archives/partial" "$BUILD/debs" "$BUILD/root"
    cat >"$BUILD/apt/sources.list" <<'EOF'
deb http://deb.debian.org/debian bookworm main
deb-src http://deb.debian.org/debian bookworm main
deb http://deb.debian.org/debian bookworm-updates main
deb-src http://deb.debian.org/debian bookworm-updates main
deb http://deb.debian.org/debian-security bookworm-security main
deb-src http://deb.debian.org/debian-security bookworm-security main
EOF
    apt_private update >/dev/null
    (cd "$BUILD/debs" && apt_private download golang-1.19-go golang-1.19-src etcd-server \
        golang-github-modern-go-reflect2-dev >/dev/null)
    (cd "$BUILD" && apt_private source --download-only "kubernetes=$K8S_DEB_VERSION" >/dev/null)
    local deb
    for deb in "$BUILD"/debs/*.deb; do dpkg -x "$deb" "$BUILD/root"; done
}

# The directories whose Go files carry the `+k8s:openapi-gen=` tag, as import paths (what the upstream Makefile's
# OPENAPI_DIRS computes). vendor/k8s.io/* are symlinks into staging/src (grep does not follow them), and in GOPATH
# mode both are imported without their prefix.
openapi_packages() {
    grep -rl --include='*.go' -e '+k8s:openapi-gen=' . \
        | grep -v -e '^./_output/' -e '/testdata/' -e '_test.go$' \
        | xargs -n1 dirname | LC_ALL=C sort -u \
        | sed -e 's#^\./staging/src/##' -e 's#^\./vendor/##' -e 's#^\./#k8s.io/kubernetes/#' \
        | grep -v -e '^k8s.io/kube-openapi/' -e '^k8s.io/code-generator/' -e '^k8s.io/sample-apiserver/'
}

build() {
    if built; then
        log "binaries present in $CACHE (reused)"
        return 0
    fi
    local started=$SECONDS
    mkdir -p "$BUILD"
    # an interrupted build resumes: the downloads and the Go cache are kept, the source tree is unpacked afresh
    if [[ ! -e $BUILD/.fetched ]]; then
        log "fetching Debian inputs into $BUILD"
        fetch_inputs
        touch "$BUILD/.fetched"
    fi
    local orig
    orig=$(ls "$BUILD"/kubernetes_*.orig.tar.* | head -n 1)
    rm -rf "$BUILD/gopath" && mkdir -p "$BUILD/gopath/src/k8s.io/kubernetes"
    tar -xf "$orig" -C "$BUILD/gopath/src/k8s.io/kubernetes" --strip-components=1

    export GOROOT=$BUILD/root/usr/lib/go-1.19 GOPATH=$BUILD/gopath GOCACHE=$BUILD/gocache
    export GO111MODULE=off GOPROXY=off GOFLAGS= CGO_ENABLED=0 PATH=$GOROOT/bin:$PATH
    local src=$GOPATH/src/k8s.io/kubernetes
    cd "$src"

    # reflect2 1.0.1 (vendored) panics under Go 1.19 on apply-patch+yaml requests: take Debian's 1.0.2
    rm -rf vendor/github.com/modern-go/reflect2
    cp -r "$BUILD/root/usr/share/gocode/src/github.com/modern-go/reflect2" vendor/github.com/modern-go/reflect2
    rm -rf vendor/github.com/modern-go/reflect2/.git* vendor/github.com/modern-go/reflect2/*_test.go

    log "generating OpenAPI definitions"
    go build -o "$BUILD/openapi-gen" ./vendor/k8s.io/kube-openapi/cmd/openapi-gen
    "$BUILD/openapi-gen" --logtostderr=false \
        -h hack/boilerplate/boilerplate.generatego.txt \
        -i "$(openapi_packages | paste -sd, -)" \
        -p k8s.io/kubernetes/pkg/generated/openapi -O zz_generated.openapi \
        -r "$BUILD/openapi-violations.report"

    # (the binaries report the orig tarball's git-archive stamp, v0.0.0-master+faecb196815e2: version -X flags
    # did not take effect in this GOPATH build, and nothing here reads the version)
    local ldflags="-s -w"
    local tmp=$CACHE.tmp.$$
    mkdir -p "$tmp/bin"
    log "building kube-apiserver"
    go build -ldflags "$ldflags" -o "$tmp/bin/kube-apiserver" ./cmd/kube-apiserver
    log "building kube-controller-manager"
    go build -ldflags "$ldflags" -o "$tmp/bin/kube-controller-manager" ./cmd/kube-controller-manager
    cp "$BUILD/root/usr/bin/etcd" "$tmp/bin/etcd"
    printf 'kubernetes %s (Debian source %s), Go %s, etcd %s; build %ss\n' "$K8S_GIT_VERSION" "$K8S_DEB_VERSION" \
        "$(go env GOVERSION)" "$("$tmp/bin/etcd" --version | awk '/etcd Version/ { print $3 }')" \
        "$((SECONDS - started))" >"$tmp/BUILD-INFO"
    mkdir -p "$(dirname "$CACHE")"
    rm -rf "$CACHE" && mv "$tmp" "$CACHE"
    cd / && rm -rf "$BUILD"
    log "built in $((SECONDS - started)) s: $(cat "$CACHE/BUILD-INFO")"
}

# --------------------------------------------------------------------------------------------------------------
# run
# --------------------------------------------------------------------------------------------------------------

kubeconfig() { printf '%s/kubeconfig' "$RUN"; }

ready() {
    curl -skf --max-time 3 -H "Authorization: Bearer $TOKEN" "https://127.0.0.1:$PORT/readyz" >/dev/null 2>&1
}

running() { # $1 = name; true when its pid file names a live process
    local pid
    [[ -r $RUN/$1.pid ]] && pid=$(cat "$RUN/$1.pid") && [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null
}

spawn() { # $1 = name, rest = command; detached, logging to $RUN/$1.log
    local name=$1
    shift
    setsid nohup "$@" >>"$RUN/$name.log" 2>&1 </dev/null &
    echo $! >"$RUN/$name.pid"
}

wait_until() { # $1 = seconds, rest = command
    local seconds=$1 i
    shift
    for ((i = 0; i < seconds * 2; i++)); do
        "$@" && return 0
        sleep 0.5
    done
    return 1
}

start() {
    build
    mkdir -p "$RUN/pki" "$RUN/etcd"
    if ready && running controller-manager; then
        return 0
    fi
    [[ -s $RUN/tokens.csv ]] || printf '%s,berth-tester,1,system:masters\n' "$TOKEN" >"$RUN/tokens.csv"
    [[ -s $RUN/pki/sa.key ]] || openssl genrsa -out "$RUN/pki/sa.key" 2048 2>/dev/null
    cat >"$(kubeconfig)" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: berth-test
  cluster:
    server: https://127.0.0.1:$PORT
    insecure-skip-tls-verify: true
users:
- name: berth-tester
  user:
    token: $TOKEN
contexts:
- name: berth-test
  context: {cluster: berth-test, user: berth-tester}
current-context: berth-test
EOF
    if ! running etcd; then
        spawn etcd "$CACHE/bin/etcd" --name berth-test --data-dir "$RUN/etcd" \
            --listen-client-urls "http://127.0.0.1:$ETCD_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" \
            --listen-peer-urls "http://127.0.0.1:$((ETCD_PORT + 1))" \
            --initial-advertise-peer-urls "http://127.0.0.1:$((ETCD_PORT + 1))" \
            --initial-cluster "berth-test=http://127.0.0.1:$((ETCD_PORT + 1))"
        wait_until 30 curl -sf --max-time 2 "http://127.0.0.1:$ETCD_PORT/health" >/dev/null \
            || { tail -n 20 "$RUN/etcd.log" >&2; die "etcd did not become healthy"; }
    fi
    if ! running apiserver; then
        # exec is proxied to the node's InternalIP first, as on K3s (a test node's host name resolves nowhere)
        spawn apiserver "$CACHE/bin/kube-apiserver" --etcd-servers "http://127.0.0.1:$ETCD_PORT" \
            --bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "$PORT" --cert-dir "$RUN/pki" \
            --token-auth-file "$RUN/tokens.csv" --authorization-mode AlwaysAllow \
            --disable-admission-plugins ServiceAccount \
            --service-account-issuer https://kubernetes.default.svc \
            --service-account-key-file "$RUN/pki/sa.key" --service-account-signing-key-file "$RUN/pki/sa.key" \
            --service-cluster-ip-range 10.43.0.0/16 --kubelet-preferred-address-types InternalIP,Hostname
    fi
    wait_until 90 ready || { tail -n 30 "$RUN/apiserver.log" >&2; die "kube-apiserver did not become ready"; }
    if ! running controller-manager; then
        spawn controller-manager "$CACHE/bin/kube-controller-manager" --kubeconfig "$(kubeconfig)" \
            --authentication-skip-lookup=true --bind-address 127.0.0.1 --secure-port 0 --port 0 \
            --leader-elect=false --controllers='*,-nodelifecycle' --service-account-private-key-file "$RUN/pki/sa.key" \
            --root-ca-file "$RUN/pki/apiserver.crt" --cluster-cidr 10.42.0.0/16 \
            --service-cluster-ip-range 10.43.0.0/16
        sleep 1
        running controller-manager || { tail -n 30 "$RUN/controller-manager.log" >&2; die "controller-manager died"; }
    fi
}

stop() {
    local name pid
    for name in controller-manager apiserver etcd; do
        if running "$name"; then
            pid=$(cat "$RUN/$name.pid")
            kill "$pid" 2>/dev/null || true
            wait_until 20 bash -c "! kill -0 $pid 2>/dev/null" || kill -9 "$pid" 2>/dev/null || true
        fi
        rm -f "$RUN/$name.pid"
    done
}

case "${1:-}" in
    build) build ;;
    start) start ;;
    stop) stop ;;
    status) ready ;;
    env) printf 'export BERTH_TEST_KUBECONFIG=%s\n' "$(kubeconfig)" ;;
    *) die "usage: $0 build|start|stop|status|env" ;;
esac
