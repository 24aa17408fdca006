#!/usr/bin/env bash
# npm run bench (service part): the Go service against a real PostgreSQL on loopback, at a fixed request rate, next
# to a bare net/http hello handler at the same rate as the floor. Reports p50/p99 latency and the error rate;
# exits 1 when a target below is missed. Never run as a test: numbers depend on the machine.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck source=postgres.sh
source "$root/scripts/service/postgres.sh"

RATE="${BENCH_SERVICE_RATE:-200}"         # requests per second (one write in four)
DURATION="${BENCH_SERVICE_DURATION:-10s}" # measured, after a warm-up of a fifth of it
MAX_ERROR_RATE=0.001                      # targets at that rate: errors, and p99 over the floor's p99
MAX_P99_OVER_FLOOR_MS=25                  # (a database round trip per request, on a shared machine)

work="$(mktemp -d "${TMPDIR:-/tmp}/go-service-bench.XXXXXX")"
pid=""
cleanup() {
  [[ -n "$pid" ]] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  pg_stop
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

pg_start "$work" >/dev/null
cd "$root/service"
CGO_ENABLED=0 go build -trimpath -o "$work/go-service" ./cmd/go-service
go build -o "$work/loadgen" ./cmd/loadgen

port=$(free_port)
metrics=$(free_port)
env -i APP_MODE=alpha APP_URL=https://go-service.example.com LOG_LEVEL=warn PORT="$port" METRICS_PORT="$metrics" \
  DB_CREDENTIALS_DIR="$PGTEST_CREDENTIALS_DIR" PGSSLMODE=verify-full PGSSLROOTCERT="$PGTEST_CA" \
  GOMEMLIMIT=268435456 "$work/go-service" >"$work/service.log" 2>&1 &
pid=$!
for _ in $(seq 100); do
  curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
  sleep 0.1
done

floor_json="$("$work/loadgen" -floor -rate "$RATE" -duration "$DURATION")"
service_json="$("$work/loadgen" -url "http://127.0.0.1:$port" -rate "$RATE" -duration "$DURATION")"

node - "$floor_json" "$service_json" "$MAX_ERROR_RATE" "$MAX_P99_OVER_FLOOR_MS" <<'JS'
const [floor, service] = process.argv.slice(2, 4).map((s) => JSON.parse(s));
const [maxErrorRate, overFloor] = process.argv.slice(4).map(Number);
const maxP99 = floor.p99_ms + overFloor;
const row = (r) =>
  [r.target, r.rate, r.achieved_rate.toFixed(0), r.requests, (100 * r.error_rate).toFixed(2) + "%", r.p50_ms, r.p99_ms];
const rows = [["TARGET", "RATE/s", "ACHIEVED/s", "REQUESTS", "ERRORS", "P50 ms", "P99 ms"], row(floor), row(service)];
const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
for (const r of rows) console.log(r.map((c, i) => String(c).padEnd(widths[i])).join("  "));
console.log(`service p50 ${(service.p50_ms / floor.p50_ms).toFixed(1)}x, p99 ${(service.p99_ms / floor.p99_ms).toFixed(1)}x the floor`);
const missed = [];
if (service.error_rate > maxErrorRate) missed.push(`error rate ${service.error_rate} > ${maxErrorRate}`);
if (service.p99_ms > maxP99) missed.push(`p99 ${service.p99_ms} ms > floor + ${overFloor} = ${maxP99} ms`);
if (missed.length) {
  console.error(`service bench: target missed: ${missed.join("; ")}`);
  process.exit(1);
}
console.log(`service bench: targets met (error rate <= ${maxErrorRate}, p99 <= floor + ${overFloor} ms at ${service.rate}/s)`);
JS
