#!/usr/bin/env bash
# The correct built-in designs, MINUTES each (default 10), with the CPU oversubscribed:
# BUSY busy-loop processes (default 2 per core) run beside the stress run's own workers,
# so that every worker is preempted, often inside lock code. Each run must pass: the
# writer-waited and reader-waited rules rest on evidence load cannot fake (docs/CHECKS.md).
#
#   bench/oversubscribed.sh                     # 10 min each, selftest mix, 2 busy loops per core
#   MINUTES=1 SCENARIO=default bench/oversubscribed.sh
#
# Results in results/oversubscribed-<lock>/; exit 1 if any run did not pass.
set -euo pipefail
cd "$(dirname "$0")/.."

MINUTES=${MINUTES:-10}
DURATION=${DURATION:-$((MINUTES * 60))} # seconds; overrides MINUTES
SCENARIO=${SCENARIO:-selftest}
BUSY=${BUSY:-$((2 * $(nproc)))}
LOCKS=${LOCKS:-zspage-atomic-fixed zspage-spinlock}
SEED=${SEED:-1}

npm run build --silent
busy=()
stop_busy() { [ ${#busy[@]} -eq 0 ] || kill "${busy[@]}" 2>/dev/null || true; }
trap stop_busy EXIT
for _ in $(seq "$BUSY"); do
  node -e 'for (;;) {}' &
  busy+=($!)
done
echo "oversubscribed: $BUSY busy loops on $(nproc) cores; $DURATION s per lock, scenario $SCENARIO, seed $SEED"

failed=0
for lock in $LOCKS; do
  out="results/oversubscribed-$lock"
  if node bin/zspage-stress.js run --scenario "$SCENARIO" --lock "$lock" --seed "$SEED" \
    --duration "$DURATION" --stat-interval 30 --out "$out" >"$out.log" 2>&1; then
    code=0
  else
    code=$?
  fi
  node -e '
    const s = require(process.argv[1]);
    console.log(`${s.lock.name}: ${s.verdict} (exit ${s.exitCode}) after ${(s.elapsedMs / 60000).toFixed(1)} min; ` +
      `reads ${s.counters.reader?.ops ?? 0}, sleeping ${s.counters.reader?.sleepingReads ?? 0}; ` +
      `trylocks ok ${(s.counters.migrator?.trylockOk ?? 0) + (s.counters.compactor?.trylockOk ?? 0)}, ` +
      `failed ${(s.counters.migrator?.trylockFail ?? 0) + (s.counters.compactor?.trylockFail ?? 0)}; violations ${s.violationCount}`);
  ' "$PWD/$out/summary.json"
  [ "$code" -eq 0 ] || failed=1
done
exit "$failed"
