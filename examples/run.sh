#!/usr/bin/env bash
#
# Builds and starts the Berth example server on this machine:
#
#     ./examples/run.sh                     # defaults: H2 in ./data, the local Docker engine, port 8080
#     BERTH_HTTP_PORT=9090 ./examples/run.sh
#     ./examples/run.sh --config berth.yaml # your configuration file (keys: examples/src/main/resources/dev/berth/examples/server/defaults.yaml)
#
# It makes sure a JDK, Maven and Docker are there (test.sh's ensure_build_tools / ensure_docker), builds the demo
# app image berth-demo-app:1.0.0 locally when missing (busybox httpd; no registry needed), builds the server
# (`mvn -q -pl examples -am package -DskipTests`, no install) and runs it. The server prints where it listens,
# the admin API key on first start (once; only its hash is kept) and a curl example.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
BERTH_TEST_SH_SOURCE_ONLY=1 source ./test.sh
set -euo pipefail

ensure_build_tools
ensure_docker

# The demo app: a busybox-static rootfs imported as an image (the same way the tests build theirs).
if ! docker image inspect berth-demo-app:1.0.0 >/dev/null 2>&1; then
    ensure_busybox_static
    rootfs=$(mktemp -d)
    trap 'rm -rf "$rootfs"' EXIT
    mkdir -p "$rootfs"/{bin,www,data,tmp,etc}
    cp /bin/busybox "$rootfs/bin/busybox"
    for applet in $(/bin/busybox --list); do
        [[ "$applet" == busybox ]] || ln -s busybox "$rootfs/bin/$applet"
    done
    echo 'root:x:0:0:root:/root:/bin/sh' >"$rootfs/etc/passwd"
    echo ok >"$rootfs/www/health"
    echo '<h1>Hello from Berth</h1>' >"$rootfs/www/index.html"
    printf '#!/bin/sh\nmkdir -p /data\nexec /bin/busybox httpd -f -p 8080 -h /www\n' >"$rootfs/start.sh"
    chmod +x "$rootfs/start.sh"
    tar -C "$rootfs" -c . | docker import -c 'CMD ["/bin/sh", "/start.sh"]' -c 'EXPOSE 8080' - berth-demo-app:1.0.0 >/dev/null
fi

echo "Building the server (mvn -q -pl examples -am package -DskipTests) ..."
mvn -q -B -pl examples -am package -DskipTests

export BERTH_CATALOG_FILES=${BERTH_CATALOG_FILES:-'["examples/demo-catalog.yaml"]'}
exec java -jar examples/target/berth-server.jar "$@"
