#!/usr/bin/env bash
# The action's run step: one `check` (or `run`) of the lock from the user's project,
# its results folder and JUnit XML at known paths (the step's outputs), and an error
# annotation naming the violation. Exits with the tool's code: 0 pass, 1 a violation,
# 2 bad input, 3 harness error.
set -euo pipefail
tool="${ZSPAGE_STRESS:?ZSPAGE_STRESS is not set: the install step did not run}"
bad() { echo "::error title=zspage-stress::$1"; exit 2; }

lock="${INPUT_LOCK:-}"
[ -n "$lock" ] || bad "the lock input is required (a lock module, a C file or a built-in name)"
command="${INPUT_COMMAND:-check}"
args=("$command" --lock "$lock")
case "$command" in
  check)
    [ -z "${INPUT_SCENARIO:-}" ] || bad "scenario applies to command run, not check"
    [ -z "${INPUT_DURATION:-}" ] || args+=(--budget "$INPUT_DURATION")
    ;;
  run)
    [ -z "${INPUT_SCENARIO:-}" ] || args+=(--scenario "$INPUT_SCENARIO")
    [ -z "${INPUT_DURATION:-}" ] || args+=(--duration "$INPUT_DURATION")
    ;;
  *) bad "command: expected check or run, got '$command'" ;;
esac
[ -z "${INPUT_SEED:-}" ] || args+=(--seed "$INPUT_SEED")

results="$(node -p 'require("node:path").resolve(process.argv[1])' "${INPUT_RESULTS:-zspage-stress-results}")"
junit="$results/junit.xml"
args+=(--out "$results" --junit "$junit")

echo "zspage-stress ${args[*]}"
code=0
"$tool" "${args[@]}" || code=$?

{
  echo "results=$results"
  echo "junit=$junit"
  echo "exit-code=$code"
} >> "${GITHUB_OUTPUT:?GITHUB_OUTPUT is not set}"

if [ "$code" != 0 ]; then
  # One annotation: what failed first, and the command that reproduces it.
  what="$(node -e '
    const { existsSync, readFileSync } = require("node:fs");
    const [dir, code] = process.argv.slice(1);
    const read = (f) => (existsSync(`${dir}/${f}`) ? JSON.parse(readFileSync(`${dir}/${f}`, "utf8")) : null);
    const check = read("check.json");
    const run = read("summary.json");
    if (check?.kind) console.log(`${check.kind} in ${check.part}; reproduce: ${check.replay}`);
    else if (run?.violations?.length) console.log(`${run.violations[0].kind}: ${run.violations[0].message}; rerun: ${run.rerun}`);
    else console.log(`exit code ${code} (see the log)`);
  ' "$results" "$code" 2>/dev/null || echo "exit code $code")"
  echo "::error title=zspage-stress ${command} ${lock}::${what}"
fi
exit "$code"
