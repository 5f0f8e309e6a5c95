#!/usr/bin/env bash
#
# End-to-end HTTP benchmark of the example server with wrk (Debian's package, installed when missing):
# requests/s and latency percentiles for
#   - GET /healthz                          (baseline: no key, no database; the ratio below is against it)
#   - GET /api/v1/tenants/{id}/instances    (a tenant with $INSTANCES instances; the portal's "my instances")
#   - POST /api/v1/instances                (provision, the 202 path; a new Idempotency-Key per request)
# The server runs from its jar on the in-memory runtime (testkit's provider, so no containers are made) with
# H2 in a temporary folder and its normal JSON request log (to a file). Each run prints a Markdown table.
#
#     ./benchmarks/server/bench.sh                 # 15 s per endpoint, 16 connections, 2 threads
#     DURATION=30s CONNECTIONS=32 ./benchmarks/server/bench.sh
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
BERTH_TEST_SH_SOURCE_ONLY=1 source ./test.sh
set -euo pipefail

DURATION=${DURATION:-15s}
CONNECTIONS=${CONNECTIONS:-16}
THREADS=${THREADS:-2}
INSTANCES=${INSTANCES:-20}
PORT=${PORT:-18181}

ensure_build_tools
command -v wrk >/dev/null 2>&1 || berth_apt_install wrk
mvn -q -B -pl examples,testkit -am package -DskipTests

work=$(mktemp -d)
server_pid=""
cleanup() {
    [[ -n "$server_pid" ]] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

export BERTH_HTTP_HOST=127.0.0.1 BERTH_HTTP_PORT=$PORT BERTH_DATA_DIR="$work/data"
export BERTH_PROVIDERS='{"memory": {"cpuMillis": "100000000", "memoryBytes": "100000000000000", "diskBytes": "100000000000000000"}}'
export BERTH_NODES='[{"id": "mem", "provider": "memory", "target": "mem-1"}]'
export BERTH_HTTP_RATE_LIMIT_REQUESTS_PER_MINUTE=1000000000 BERTH_HTTP_RATE_LIMIT_BURST=1000000000
java -cp "examples/target/berth-server.jar:testkit/target/berth-testkit-0.1.0-SNAPSHOT.jar" dev.berth.examples.server.Main \
    >"$work/server.log" 2>&1 &
server_pid=$!
base="http://127.0.0.1:$PORT"
berth_wait_for 120 curl -sf "$base/healthz" || { tail -20 "$work/server.log"; berth_die "the server did not start"; }
KEY=$(grep -m1 -oE 'berth_[0-9a-f]{12}_[A-Za-z0-9_-]{43}' "$work/server.log")

api() { curl -sf -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' "$@"; }
tenant() { api -X POST "$base/api/v1/tenants" -d "{\"externalId\":\"$1\",\"email\":\"bench@example.com\",\"name\":\"Bench\"}" \
    | sed -E 's/.*"id":"([^"]+)".*/\1/'; }
LIST_TENANT=$(tenant bench-list)
for i in $(seq 1 "$INSTANCES"); do
    api -X POST "$base/api/v1/instances" -H "Idempotency-Key: list-$i" \
        -d "{\"tenantId\":\"$LIST_TENANT\",\"appId\":\"ghost\",\"planId\":\"basic\"}" >/dev/null
done
PROVISION_TENANT=$(tenant bench-provision)

# runs wrk and prints "<requests/s> <p50> <p99> <non-2xx>"; latencies in ms
measure() {
    local out rps p50 p99 bad
    out=$(wrk --latency -t "$THREADS" -c "$CONNECTIONS" -d "$DURATION" "$@")
    rps=$(awk '/^Requests\/sec:/ { print $2 }' <<<"$out")
    p50=$(awk '$1 == "50%" { print $2 }' <<<"$out")
    p99=$(awk '$1 == "99%" { print $2 }' <<<"$out")
    bad=$(awk '/Non-2xx or 3xx responses:/ { print $5 }' <<<"$out")
    printf '%s %s %s %s\n' "$rps" "$(to_ms "$p50")" "$(to_ms "$p99")" "${bad:-0}"
}
to_ms() { # wrk prints 812.00us, 3.41ms or 1.02s
    awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /[0-9]s$/ && v !~ /ms$/) n *= 1000; printf "%.2f", n }'
}

wrk -t 1 -c 4 -d 5s "$base/healthz" >/dev/null   # warm-up (JIT, pools)
wrk -t 1 -c 4 -d 5s -H "Authorization: Bearer $KEY" "$base/api/v1/tenants/$LIST_TENANT/instances" >/dev/null
read -r h_rps h_p50 h_p99 h_bad < <(measure "$base/healthz")
read -r l_rps l_p50 l_p99 l_bad < <(measure -H "Authorization: Bearer $KEY" "$base/api/v1/tenants/$LIST_TENANT/instances")
read -r p_rps p_p50 p_p99 p_bad < <(BERTH_KEY=$KEY BERTH_TENANT=$PROVISION_TENANT BERTH_RUN=$RANDOM \
    measure -s benchmarks/server/provision.lua "$base/api/v1/instances")
created=$(api "$base/api/v1/tenants/$PROVISION_TENANT/instances" | grep -o '"id":"' | wc -l)

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }
echo
echo "wrk $THREADS threads, $CONNECTIONS connections, $DURATION per endpoint; $(nproc) CPUs; $(date -u +%FT%TZ)"
echo
echo "| endpoint | requests/s | p50 ms | p99 ms | non-2xx | requests/s vs baseline |"
echo "|---|---:|---:|---:|---:|---:|"
echo "| GET /healthz (baseline) | $h_rps | $h_p50 | $h_p99 | $h_bad | 1.000 |"
echo "| GET /api/v1/tenants/{id}/instances ($INSTANCES instances) | $l_rps | $l_p50 | $l_p99 | $l_bad | $(ratio "$l_rps" "$h_rps") |"
echo "| POST /api/v1/instances (202) | $p_rps | $p_p50 | $p_p99 | $p_bad | $(ratio "$p_rps" "$h_rps") |"
echo
echo "instances accepted during the provision run: $created"
