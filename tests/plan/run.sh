#!/usr/bin/env bash
# tests/plan/run.sh WELD [INSTANCES]: `weld plan` against independent references
# (tests/plan/check.py: its own exhaustive search over the costs weld reports, the
# constraints it wrote, every node placement) and the manifest's error messages; then
# `weld plan --history` (tests/plan/history.py: the blended costs computed on its own from
# databases it writes, the plan that changes, the errors of bad databases); then
# coefficient files (tests/plan/coeffs.py: TOML and JSON changing plans as it computes them,
# malformed JSON, `weld bench efficiency`'s exit codes and JSON).
# Ends with `N passed, M failed[, K skipped]` over both.
set -uo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
weld="${1:?usage: tests/plan/run.sh WELD [INSTANCES]}"
p=0 f=0 s=0 rc=0
for part in "check.py $weld ${2:-160}" "history.py $weld" "coeffs.py $weld"; do
  # shellcheck disable=SC2086
  out=$(python3 "$root"/tests/plan/$part 2>&1) || rc=1
  printf '%s\n' "$out" | sed '$d'
  last=$(printf '%s\n' "$out" | tail -n 1)
  echo "# ${part%% *}: $last"
  if [[ "$last" =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed(,\ ([0-9]+)\ skipped)? ]]; then
    p=$((p + BASH_REMATCH[1])) f=$((f + BASH_REMATCH[2])) s=$((s + ${BASH_REMATCH[4]:-0}))
  else
    f=$((f + 1))
  fi
done
[ $rc -ne 0 ] && [ $f -eq 0 ] && f=1
echo "$p passed, $f failed$([ $s -gt 0 ] && echo ", $s skipped")"
[ $f -eq 0 ]
