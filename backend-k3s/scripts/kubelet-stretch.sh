#!/usr/bin/env bash
#
# EXPERIMENT (not run by CI): a real kubelet v1.20.2 from the same Debian source, on Debian's containerd 1.6 and CNI
# plugins, joined to the test API server of kube-test-server.sh, so that a tenant's pods really run and pass their
# probes. Images are built locally from busybox-static (no registry is reachable) and imported into containerd.
# It needs root, dockerd (only to turn a rootfs into an image archive), containerd, runc and
# containernetworking-plugins. Its containerd is private (own root, state and socket); the CNI bridge is berthk3s0.
#
#     kubelet-stretch.sh start   # build kubelet once (into $STRETCH/cache), images, containerd, kubelet
#     kubelet-stretch.sh stop    # stop kubelet and containerd, delete the node, the bridge and the mounts
#
# Manual check: mvn -B -pl backend-k3s -am verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false \
#                   -Dit.test=KubeletStretchCheck -Dfailsafe.failIfNoSpecifiedTests=false
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
STRETCH=${BERTH_KUBELET_STRETCH:-/var/tmp/berth-k3s-stretch}
SOCK=/run/berth-k3s-containerd/containerd.sock
NODE=berth-kubelet-node
# the kubelet refuses a loopback node IP, and the API server proxies exec to the node's address: a private address
# on the loopback interface (reachable only from this machine; this VM has no dummy interfaces) serves as both
NODE_IP=10.99.7.1
eval "$("$HERE/kube-test-server.sh" env)"

build_kubelet() {
    [[ -x $STRETCH/cache/bin/kubelet ]] && return 0
    # the same recipe as kube-test-server.sh, building ./cmd/kubelet instead of the two control-plane binaries
    sed -e 's#-o "$tmp/bin/kube-apiserver" ./cmd/kube-apiserver#-o "$tmp/bin/kubelet" ./cmd/kubelet#' \
        -e 's#^    go build -ldflags "$ldflags" -o "$tmp/bin/kube-controller-manager" ./cmd/kube-controller-manager#    true#' \
        "$HERE/kube-test-server.sh" >"$STRETCH/build-kubelet.sh"
    BERTH_KUBE_CACHE=$STRETCH/cache BERTH_KUBE_BUILD=$STRETCH/build bash "$STRETCH/build-kubelet.sh" build
}

images() {
    local rootfs=$STRETCH/rootfs
    rm -rf "$rootfs" && mkdir -p "$rootfs/bin" "$rootfs/www" "$rootfs/data" "$rootfs/tmp"
    cp /bin/busybox "$rootfs/bin/busybox" && echo ok >"$rootfs/www/healthz"
    tar -C "$rootfs" -cf "$STRETCH/rootfs.tar" .
    docker import --change 'CMD ["/bin/busybox","sleep","2147483647"]' "$STRETCH/rootfs.tar" berth-k3s-stretch/pause:1 >/dev/null
    docker import --change 'CMD ["/bin/busybox","httpd","-f","-p","8080","-h","/www"]' "$STRETCH/rootfs.tar" berth-testkit-app:1.0.0 >/dev/null
    docker import --change 'CMD ["/bin/busybox","httpd","-f","-p","5432","-h","/www"]' "$STRETCH/rootfs.tar" berth-testkit-db:1.0 >/dev/null
    # the backup/restore archiver runs sh, tar, head, cp, rm and sleep by name: link every applet
    local applet
    for applet in $(/bin/busybox --list); do
        [[ $applet == busybox ]] || ln -sf busybox "$rootfs/bin/$applet"   # the list names busybox itself
    done
    tar -C "$rootfs" -cf "$STRETCH/archiver.tar" .
    docker import --change 'ENV PATH=/bin' "$STRETCH/archiver.tar" berth-k3s-stretch/archiver:1 >/dev/null
    docker save -o "$STRETCH/images.tar" berth-k3s-stretch/pause:1 berth-testkit-app:1.0.0 berth-testkit-db:1.0 \
        berth-k3s-stretch/archiver:1
    docker rmi berth-k3s-stretch/pause:1 berth-testkit-app:1.0.0 berth-testkit-db:1.0 berth-k3s-stretch/archiver:1 >/dev/null
    ctr -a "$SOCK" -n k8s.io images import "$STRETCH/images.tar" >/dev/null
}

start() {
    mkdir -p "$STRETCH/cni" "$STRETCH/kubelet"
    build_kubelet
    cat >"$STRETCH/containerd.toml" <<CONF
version = 2
root = "$STRETCH/containerd-root"
state = "/run/berth-k3s-containerd"
[grpc]
  address = "$SOCK"
[plugins]
  [plugins."io.containerd.grpc.v1.cri"]
    sandbox_image = "docker.io/berth-k3s-stretch/pause:1"
    # this VM's root may not lower oom_score_adj: without this, runc fails every pod sandbox with
    # "can't get final child's PID from pipe: EOF"
    restrict_oom_score_adj = true
    [plugins."io.containerd.grpc.v1.cri".cni]
      bin_dir = "/usr/lib/cni"
      conf_dir = "$STRETCH/cni"
CONF
    cat >"$STRETCH/cni/10-berth.conflist" <<'CONF'
{"cniVersion": "0.4.0", "name": "berth-k3s", "plugins": [
  {"type": "bridge", "bridge": "berthk3s0", "isGateway": true, "ipMasq": false,
   "ipam": {"type": "host-local", "ranges": [[{"subnet": "10.42.7.0/24"}]], "routes": [{"dst": "0.0.0.0/0"}]}},
  {"type": "loopback"}]}
CONF
    setsid nohup containerd --config "$STRETCH/containerd.toml" >"$STRETCH/containerd.log" 2>&1 </dev/null &
    echo $! >"$STRETCH/containerd.pid"
    sleep 3
    images
    ip addr show dev lo | grep -q "inet $NODE_IP/" || ip addr add "$NODE_IP/32" dev lo
    # anonymous auth: the test API server has no kubelet client certificate, and it proxies pods/exec here
    setsid nohup "$STRETCH/cache/bin/kubelet" --kubeconfig "$BERTH_TEST_KUBECONFIG" \
        --container-runtime=remote --container-runtime-endpoint="unix://$SOCK" \
        --root-dir="$STRETCH/kubelet" --cert-dir="$STRETCH/kubelet/pki" \
        --hostname-override=$NODE --node-ip=$NODE_IP --address=$NODE_IP --port=10250 --read-only-port=0 \
        --fail-swap-on=false --cgroup-driver=cgroupfs --cgroups-per-qos=false --enforce-node-allocatable= \
        --authentication-token-webhook=false --anonymous-auth=true --authorization-mode=AlwaysAllow \
        --network-plugin=cni --cni-bin-dir=/usr/lib/cni --cni-conf-dir="$STRETCH/cni" \
        --pod-infra-container-image=docker.io/berth-k3s-stretch/pause:1 \
        '--eviction-hard=memory.available<1Mi,nodefs.available<1%,imagefs.available<1%' \
        --image-gc-high-threshold=100 --image-gc-low-threshold=99 >"$STRETCH/kubelet.log" 2>&1 </dev/null &
    echo $! >"$STRETCH/kubelet.pid"
}

stop() {
    local f
    for f in kubelet containerd; do
        [[ -r $STRETCH/$f.pid ]] && kill "$(cat "$STRETCH/$f.pid")" 2>/dev/null || true
        rm -f "$STRETCH/$f.pid"
    done
    sleep 2
    curl -sk -X DELETE -H "Authorization: Bearer berth-test-token" "https://127.0.0.1:${BERTH_KUBE_PORT:-16443}/api/v1/nodes/$NODE" >/dev/null || true
    ip link del berthk3s0 2>/dev/null || true
    ip addr del "$NODE_IP/32" dev lo 2>/dev/null || true
    mount | awk -v d="$STRETCH" '$3 ~ "^"d { print $3 }' | sort -r | while read -r m; do umount "$m" || true; done
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    *) echo "usage: $0 start|stop" >&2; exit 1 ;;
esac
