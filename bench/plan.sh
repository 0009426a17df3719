#!/usr/bin/env bash
# The planner at scale: seeded random applications of 10,000 services and 50,000
# interactions (bench/plan/gen.py), planned by the exact solver and by the greedy baseline.
# Prints a Markdown table: the solver's own time (what `weld plan` reports, after reading
# the manifest), the whole command's wall and CPU time (GNU time), the cut and branch-and-bound counts, both
# totals and greedy's gap over the optimum.
#
#   bench/plan.sh [SERVICES] [INTERACTIONS]      (default 10000 50000)
#
# Environment: WELD (build/weld), BENCH_DIR (build/bench-plan), BENCH_SEEDS ("1 2 3").
# With gnuplot (bench/setup.sh installs gnuplot-nox), also BENCH_DIR/plan.png and plan.svg:
# solve times and greedy's gap per instance (bench/plan/charts.gp).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
weld="${WELD:-build/weld}"
B="${BENCH_DIR:-build/bench-plan}"
n="${1:-10000}" m="${2:-50000}"
mkdir -p "$B"
# staying in containers dearer than crossing: every table not submodular to start with
cat >"$B/nonsub.toml" <<'TOML'
[interaction.http]
call_us = [5, 400, 150]
[interaction.tcp]
call_us = [2, 300, 80]
[interaction.pipe]
call_us = [1, 200, 40]
TOML
# from the text output: the solve time "(0.123 s, 0.120 s CPU)", the total "total cost X"
solve_s() { sed -n '1s/.*(\([0-9.]*\) s, \([0-9.]*\) s CPU)$/\1 \/ \2/p' "$1"; }
total() { sed -n 's/^total cost \([0-9.]*\) .*/\1/p' "$1"; }
stats() { sed -n '2s/^ *\([0-9]*\) groups.*, \([0-9]*\) non-submodular pair tables, \([0-9]*\) minimum cuts, \([0-9]*\) branch-and-bound nodes$/\1 \2 \3 \4/p' "$1"; }
cmd_time() { # the whole command (read, solve, explain every service): "wall / CPU" seconds
  /usr/bin/time -f "%e %U %S" -o "$B/time.txt" "$@" >/dev/null
  awk '{printf "%.2f / %.2f", $1, $2 + $3}' "$B/time.txt"
}
printf '# instance exact_solve_s greedy_solve_s greedy_gap_pct\n' >"$B/plan.dat"
echo "| instance | exact: solve s (wall / CPU) | exact: command s (wall / CPU) | groups | non-submodular tables | cuts | B&B nodes | exact total | greedy: solve s (wall / CPU) | greedy total | greedy gap |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
for seed in ${BENCH_SEEDS:-1 2 3}; do
  for variant in same_as different_from non-submodular; do
    f="$B/app-$seed-$variant.toml"
    case $variant in
      same_as) python3 bench/plan/gen.py "$seed" "$n" "$m" 500 0 >"$f"; co=() ;;
      different_from) python3 bench/plan/gen.py "$seed" "$n" "$m" 500 200 >"$f"; co=() ;;
      non-submodular) python3 bench/plan/gen.py "$seed" "$n" "$m" 500 200 >"$f"; co=(--coefficients "$B/nonsub.toml") ;;
    esac
    "$weld" plan "${co[@]}" "$f" >"$B/exact.txt"
    "$weld" plan --method greedy "${co[@]}" "$f" >"$B/greedy.txt"
    cmd_s=$(cmd_time "$weld" plan "${co[@]}" "$f")
    read -r groups nonsub cuts nodes <<<"$(stats "$B/exact.txt")"
    te=$(total "$B/exact.txt") tg=$(total "$B/greedy.txt")
    gap=$(awk -v e="$te" -v g="$tg" 'BEGIN { printf "%.2f%%", 100 * (g - e) / e }')
    grep -q ', optimal (' "$B/exact.txt" || { echo "seed $seed $variant: exact result not optimal" >&2; exit 1; }
    echo "| seed $seed, $variant | $(solve_s "$B/exact.txt") | $cmd_s | $groups | $nonsub | $cuts | $nodes | $te | $(solve_s "$B/greedy.txt") | $tg | $gap |"
    printf '"seed %s, %s" %s %s %s\n' "$seed" "$variant" "$(solve_s "$B/exact.txt" | cut -d' ' -f1)" \
      "$(solve_s "$B/greedy.txt" | cut -d' ' -f1)" "${gap%\%}" >>"$B/plan.dat"
  done
done
if command -v gnuplot >/dev/null; then
  for t in png svg; do
    gnuplot -e "datafile='$B/plan.dat'; outfile='$B/plan.$t'; term='$t'" bench/plan/charts.gp 2>"$B/charts.log" ||
      { echo "plan: gnuplot failed (see $B/charts.log)" >&2; exit 1; }
  done
  echo "plan: charts $B/plan.png, $B/plan.svg" >&2
else
  echo "plan: no charts: gnuplot is not installed (bench/setup.sh installs gnuplot-nox)" >&2
fi
