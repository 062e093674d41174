#!/usr/bin/env bash
# Run make targets at the same time, each with its own log, and report them one by one.
# Usage: hack/stages.sh TARGET...      e.g. hack/stages.sh static lint sanity
# Each target runs as `make --no-print-directory TARGET` with its output in
# .build/stages/TARGET.log. When all have ended, every log is printed whole, in the order
# given, under a header with the stage's exit code and time (so the last lines printed are
# the last target's own). Exits 1 when any stage failed, after naming them.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/.." && pwd)"
LOGS="$REPO/.build/stages"
MAKE_CMD="${MAKE:-make}"
(( $# )) || { echo "usage: $0 TARGET..." >&2; exit 2; }

mkdir -p "$LOGS"
declare -A pids started
for target in "$@"; do
    [[ "$target" =~ ^[a-z0-9-]+$ ]] || { echo "stages: not a make target: $target" >&2; exit 2; }
    started[$target]=$(date +%s)
    # stdin from /dev/null: no stage waits for a terminal; MAKEFLAGS is kept (jobserver, -k).
    "$MAKE_CMD" --no-print-directory -C "$REPO" "$target" </dev/null >"$LOGS/$target.log" 2>&1 &
    pids[$target]=$!
    echo "stages: started $target (log ${LOGS#"$REPO"/}/$target.log)"
done

failed=()
declare -A codes seconds
for target in "$@"; do
    rc=0
    wait "${pids[$target]}" || rc=$?
    codes[$target]=$rc
    seconds[$target]=$(( $(date +%s) - started[$target] ))
    echo "stages: $target ended (exit $rc, ${seconds[$target]}s)"
    (( rc == 0 )) || failed+=("$target")
done

for target in "$@"; do
    printf '\n===== %s (exit %d, %ss) =====\n' "$target" "${codes[$target]}" "${seconds[$target]}"
    cat "$LOGS/$target.log"
done
if (( ${#failed[@]} )); then
    echo "stages: FAILED: ${failed[*]} (logs in ${LOGS#"$REPO"/}/)" >&2
    exit 1
fi
